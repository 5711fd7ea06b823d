/**
 * Times every SQL statement a knex instance runs, from the moment knex hands it to the connection to the
 * moment the rows are parsed (so transfer and pg's JSON parsing of jsonb columns are included, the pool
 * wait is not). Statements are classified by their text, for the match latency breakdown.
 */
import type { Knex } from 'knex';

export type QueryKind = 'pool' | 'features' | 'stale' | 'other';

export interface TracedQuery {
  kind: QueryKind;
  sql: string;
  bindings: readonly unknown[];
  start: bigint;
  end: bigint;
  ms: number;
  /** Rows returned, for statements that return rows. */
  rows: number | undefined;
}

interface QueryEvent {
  __knexQueryUid?: string;
  sql?: string;
  bindings?: readonly unknown[];
}

/**
 * Candidate generation is the pool query (skill overlap or text match, or the whole board of a small
 * client), what picks its terms (the client's row count, the term statistics) and the fetch of the pool's
 * ids and revisions; the features fetch is that
 * of the pool members a worker has not compiled yet; the stale-features check is whatever looks for
 * missing, other-version or older-revision features.
 */
function kindOf(sql: string): QueryKind {
  if (/^\s*select "id", "features_revision", "features"/i.test(sql)) return 'features';
  if (/skill_keys\s*&&|pg_stats|^\s*select count\(\*\)|"?id"? = ANY\(/i.test(sql)) return 'pool';
  // The whole board, read when the client's targets fit in one pool.
  if (/^\s*select "id", "external_id", "features_revision" from/i.test(sql)) return 'pool';
  if (/^\s*select\b/i.test(sql) && /features_revision|"features_version" is null/i.test(sql)) return 'stale';
  return 'other';
}

export class QueryTrace {
  readonly queries: TracedQuery[] = [];
  private readonly open = new Map<string, { sql: string; bindings: readonly unknown[]; start: bigint }>();

  private readonly onQuery = (event: QueryEvent): void => {
    if (event.__knexQueryUid === undefined) return;
    this.open.set(event.__knexQueryUid, {
      sql: event.sql ?? '',
      bindings: event.bindings ?? [],
      start: process.hrtime.bigint(),
    });
  };

  private readonly onDone = (response: unknown, event: QueryEvent): void => {
    const end = process.hrtime.bigint();
    if (event.__knexQueryUid === undefined) return;
    const started = this.open.get(event.__knexQueryUid);
    if (!started) return;
    this.open.delete(event.__knexQueryUid);
    this.queries.push({
      kind: kindOf(started.sql),
      ...started,
      end,
      ms: Number(end - started.start) / 1e6,
      rows: Array.isArray(response) ? response.length : undefined,
    });
  };

  private readonly onError = (_error: unknown, event: QueryEvent): void => {
    this.onDone(undefined, event);
  };

  constructor(private readonly db: Knex) {
    db.on('query', this.onQuery);
    db.on('query-response', this.onDone);
    db.on('query-error', this.onError);
  }

  detach(): void {
    this.db.off('query', this.onQuery);
    this.db.off('query-response', this.onDone);
    this.db.off('query-error', this.onError);
  }

  clear(): void {
    this.queries.length = 0;
  }

  /** Statements that started in [from, to). */
  between(from: bigint, to: bigint): TracedQuery[] {
    return this.queries.filter((query) => query.start >= from && query.start < to);
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of a traced statement, run again with the same bindings. */
export async function explainAnalyze(db: Knex, query: TracedQuery): Promise<string[]> {
  // knex reports pg's positional $n; raw() wants `?`, and the statements we trace use each $n once, in order.
  const sql = query.sql.replace(/\$\d+/g, '?');
  const result = await db.raw<{ rows: Record<string, string>[] }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [
    ...query.bindings,
  ] as Knex.RawBinding[]);
  return result.rows.map((row) => Object.values(row)[0] ?? '');
}
