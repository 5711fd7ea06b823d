import type { Knex } from 'knex';

/** How long rows are kept once nothing needs them any more (settings in lib/config.ts). */
export interface RetentionPolicy {
  /** Published outbox rows, counted from publication: Kafka holds the event from then on. */
  outboxHours: number;
  /** Ingest event ids a consumer applied: a redelivery of an event older than this is applied again. */
  processedEventHours: number;
  /** Delivered webhook notifications, counted from delivery. */
  notificationHours: number;
  /**
   * Finished match requests and match runs with their results, counted from their end; undefined: kept for
   * good.
   */
  matchRequestDays: number | undefined;
}

export type RetainedTable =
  'outbox' | 'processed_events' | 'notifications' | 'idempotency_keys' | 'match_requests' | 'match_runs';

interface Rule {
  table: RetainedTable;
  /** When a row's retention began. */
  since: string;
  hours: number;
  /**
   * Which rows may go, where `cutoff` is the end of their retention. Conditions on columns other than
   * `since` keep rows the product still needs, however old.
   */
  purgeable: string;
}

/** The tables a policy purges, with the rows it takes from each. */
function rules(policy: RetentionPolicy): Rule[] {
  const kept: Rule[] = [
    {
      table: 'outbox',
      since: 'published_at',
      hours: policy.outboxHours,
      // Unpublished (and parked) rows have no published_at. The last published rows stay: they say when
      // the relay last published (GET /admin/outbox).
      purgeable: `outbox.published_at < cutoff
        AND outbox.published_at < (SELECT max(published_at) FROM outbox)`,
    },
    {
      table: 'processed_events',
      since: 'processed_at',
      hours: policy.processedEventHours,
      purgeable: 'processed_events.processed_at < cutoff',
    },
    {
      table: 'notifications',
      since: 'finished_at',
      hours: policy.notificationHours,
      purgeable: "notifications.status = 'delivered' AND notifications.finished_at < cutoff",
    },
    {
      table: 'idempotency_keys',
      since: 'expires_at',
      hours: 0,
      purgeable: 'idempotency_keys.expires_at < cutoff',
    },
  ];
  if (policy.matchRequestDays === undefined) return kept;
  return [
    ...kept,
    {
      table: 'match_requests',
      since: 'completed_at',
      hours: policy.matchRequestDays * 24,
      // Results, feedback and notifications go with their request (ON DELETE CASCADE). A request waiting
      // for its webhook delivery stays, and so does one with feedback: training reads its subject.
      // created_at is implied by completed_at, and lets the (status, created_at) index find the rows.
      purgeable: `match_requests.status IN ('completed', 'failed')
        AND match_requests.created_at < cutoff AND match_requests.completed_at < cutoff
        AND NOT EXISTS (SELECT 1 FROM notifications
                         WHERE notifications.request_id = match_requests.id AND notifications.status = 'pending')
        AND NOT EXISTS (SELECT 1 FROM match_feedback WHERE match_feedback.request_id = match_requests.id)`,
    },
    {
      table: 'match_runs',
      since: 'completed_at',
      hours: policy.matchRequestDays * 24,
      // Their results go with them (ON DELETE CASCADE). Runs are few: no index is needed to find them.
      purgeable: "match_runs.status IN ('completed', 'failed') AND match_runs.completed_at < cutoff",
    },
  ];
}

/** The rows of a rule's table past retention, with their end of retention as `cutoff`. */
const purgeableRows = (rule: Rule): string =>
  `${rule.table} CROSS JOIN (SELECT now() - make_interval(hours => ?) AS cutoff) AS retention
   WHERE ${rule.purgeable}`;

/** The tables `policy` purges. */
export function retainedTables(policy: RetentionPolicy): RetainedTable[] {
  return rules(policy).map((rule) => rule.table);
}

/**
 * Deletes at most `limit` rows of `table` past retention; returns how many. The rows are picked with
 * FOR UPDATE SKIP LOCKED, so purges running side by side take different rows and never wait for each
 * other, and a row another transaction is changing (an idempotency key taken over, a notification being
 * delivered) is left for a later batch, whose pick sees its new state. Picked rows are deleted by their
 * ctid (a TID scan, whatever the size of the table), which their lock keeps from changing meanwhile.
 */
export async function purgeBatch(
  db: Knex,
  table: RetainedTable,
  policy: RetentionPolicy,
  limit: number,
): Promise<number> {
  const rule = rules(policy).find((candidate) => candidate.table === table);
  if (!rule) return 0;
  const result = await db.raw<{ rowCount: number }>(
    `DELETE FROM ${rule.table} WHERE ctid = ANY(ARRAY(
       SELECT ${rule.table}.ctid FROM ${purgeableRows(rule)} LIMIT ? FOR UPDATE OF ${rule.table} SKIP LOCKED))`,
    [rule.hours, limit],
  );
  return result.rowCount;
}

export interface RetentionBacklog {
  table: RetainedTable;
  /** Rows past retention, not purged yet. */
  rows: number;
  /** How long the first of them has been past retention; 0 when there is none. */
  overdueSeconds: number;
}

/** What is waiting to be purged, per table the policy purges, in one round trip. */
export async function retentionBacklog(db: Knex, policy: RetentionPolicy): Promise<RetentionBacklog[]> {
  const tables = rules(policy);
  const result = await db.raw<{ rows: { table: RetainedTable; rows: string; overdue: number | null }[] }>(
    tables
      .map(
        (rule) =>
          `SELECT ? AS "table", count(*) AS rows,
                  extract(epoch FROM max(cutoff - ${rule.table}.${rule.since}))::float8 AS overdue
             FROM ${purgeableRows(rule)}`,
      )
      .join(' UNION ALL '),
    tables.flatMap((rule) => [rule.table, rule.hours]),
  );
  return result.rows.map((row) => ({
    table: row.table,
    rows: Number(row.rows),
    overdueSeconds: Math.max(0, row.overdue ?? 0),
  }));
}
