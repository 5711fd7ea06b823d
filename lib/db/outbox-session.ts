import pg from 'pg';

/**
 * The channel the outbox trigger (migration 20261125000004_events) notifies, with the schema as payload; an
 * admin retry of parked rows (lib/db/outbox.ts) notifies it too.
 */
export const OUTBOX_CHANNEL = 'lookiy_outbox';
/**
 * First key of the relay's advisory lock; the second is the schema, so relays of different schemas on one
 * server (parallel tests) do not exclude each other. Two-key locks are a key space apart from the one-key
 * (bigint) locks match requests and notifications take.
 */
const RELAY_LOCK_CLASS = 0x0e7b;
/** As long as the knex pool waits for a connection (lib/db/knex.ts). */
const CONNECT_TIMEOUT_MS = 10_000;

export interface UnsentEvent {
  /** The outbox's bigserial, as a string: publishing follows it. */
  id: string;
  eventId: string;
  clientId: string | null;
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  payload: Record<string, unknown>;
  /** The API request (X-Request-Id) that led to the event, when one did. */
  requestId: string | null;
  createdAt: Date;
}

export interface OutboxSessionOptions {
  url: string;
  schema: string;
  /** Shown in pg_stat_activity, to find a relay's session. */
  applicationName: string;
  /** An outbox insert in this schema committed. */
  onNotify: () => void;
  /** The connection broke: the lock went with it, and every later query fails. */
  onLost: (error: Error) => void;
}

/**
 * The relay's own Postgres session, outside the knex pool: it holds the relay's session-level advisory
 * lock and LISTENs, and the leader reads and marks rows through it. Marking through the session that holds
 * the lock means a relay that lost its lock (its connection broke) cannot mark anything.
 */
export class OutboxSession {
  private lost = false;
  /**
   * The relay reads the next batch while the last one is being marked. One connection runs one query at a
   * time, and node-postgres is dropping its own queue for a client's concurrent queries: they wait here.
   */
  private queries: Promise<unknown> = Promise.resolve();

  private constructor(private readonly client: pg.Client) {}

  static async open(options: OutboxSessionOptions): Promise<OutboxSession> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName,
      // The session lives as long as the lead: notice a dead peer instead of holding a lock that is gone.
      keepAlive: true,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    const session = new OutboxSession(client);
    const lose = (error: Error): void => {
      if (session.lost) return;
      session.lost = true;
      options.onLost(error);
    };
    client.on('error', lose);
    client.on('end', () => {
      lose(new Error('the relay session ended'));
    });
    client.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL && message.payload === options.schema) options.onNotify();
    });
    try {
      await client.connect();
      await client.query(`SET search_path TO ${client.escapeIdentifier(options.schema)}`);
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  get alive(): boolean {
    return !this.lost;
  }

  /** Takes the relay lock if no other session has it; true while (and as long as) this session holds it. */
  async tryLead(): Promise<boolean> {
    const result = await this.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS locked',
      [RELAY_LOCK_CLASS],
    );
    return result.rows[0]?.locked === true;
  }

  /** The oldest unpublished rows that are not parked, leaving out `inFlight` (sent, not marked yet). */
  async readUnsent(limit: number, inFlight: readonly string[]): Promise<UnsentEvent[]> {
    const result = await this.query<UnsentEvent>(
      `SELECT id, event_id AS "eventId", client_id AS "clientId", aggregate_type AS "aggregateType",
              aggregate_id AS "aggregateId", event_type AS "eventType", payload, request_id AS "requestId",
              created_at AS "createdAt"
       FROM outbox WHERE published_at IS NULL AND parked_at IS NULL AND id <> ALL($2::bigint[])
       ORDER BY id LIMIT $1`,
      [limit, inFlight],
    );
    return result.rows;
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    await this.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [ids]);
  }

  /** Sets a row the broker refused for good aside, with the broker's answer; the relay reads past it. */
  async park(id: string, reason: string): Promise<void> {
    await this.query('UPDATE outbox SET parked_at = now(), park_reason = $2 WHERE id = $1', [id, reason]);
  }

  /** Runs after every query issued before it has settled, whatever their outcome. */
  private query<Row extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<Row>> {
    const result = this.queries.then(() => this.client.query<Row>(text, values));
    this.queries = result.catch(() => undefined);
    return result;
  }

  /** Ends the session; Postgres releases its lock with it. */
  async close(): Promise<void> {
    this.lost = true;
    await this.client.end().catch(() => undefined);
  }
}
