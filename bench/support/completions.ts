/**
 * Sees match requests finish, as a client subscribed to completions would: LISTENs on the outbox trigger's
 * channel (every committed outbox insert notifies it with the schema name), and on each notification asks
 * which of the requests still pending are completed or failed. One query at a time; notifications that arrive
 * meanwhile are folded into the next one. Times are performance.now() of this process.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Knex } from 'knex';
import pg from 'pg';

const CHANNEL = 'lookiy_outbox';
/** A check now and then even without a notification (one lost, or a request registered after its commit). */
const FALLBACK_MS = 25;

export class CompletionWatcher {
  private readonly pending = new Map<string, number>();
  /** Request id → [sent at, finished at, status]. */
  readonly finished = new Map<string, { sentAt: number; doneAt: number; status: string }>();
  private dirty = false;
  private running: Promise<void> | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: Knex,
    private readonly client: pg.Client,
  ) {}

  static async start(db: Knex, url: string, schema: string): Promise<CompletionWatcher> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const watcher = new CompletionWatcher(db, client);
    client.on('notification', (message) => {
      if (message.payload === schema) watcher.poke();
    });
    await client.query(`LISTEN ${CHANNEL}`);
    watcher.timer = setInterval(() => {
      watcher.poke();
    }, FALLBACK_MS);
    return watcher;
  }

  /** A request whose POST was sent at `sentAt` (performance.now()). */
  expect(id: string, sentAt: number): void {
    this.pending.set(id, sentAt);
    this.poke();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private poke(): void {
    if (this.pending.size === 0 || this.closed) return;
    this.dirty = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      const ids = [...this.pending.keys()].slice(0, 5000);
      if (ids.length === 0) return;
      const rows = (await this.db('matchRequests')
        .select('id', 'status')
        .whereIn('id', ids)
        .whereIn('status', ['completed', 'failed'])) as { id: string; status: string }[];
      const doneAt = performance.now();
      for (const row of rows) {
        const sentAt = this.pending.get(row.id);
        if (sentAt === undefined) continue;
        this.pending.delete(row.id);
        this.finished.set(row.id, { sentAt, doneAt, status: row.status });
      }
    }
  }

  /** Waits until nothing is pending, or `timeoutMs`; returns how many are still pending. */
  async settle(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.pending.size > 0 && performance.now() < deadline) await sleep(20);
    return this.pending.size;
  }

  /** Forgets requests still pending (counted as lost by the caller). */
  forget(): void {
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    await this.client.end();
  }
}
