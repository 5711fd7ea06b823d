import type { Knex } from 'knex';

import { findMatchRequest, findUnfinished } from './db/match-requests.js';
import { findMatchRun, unfinishedLanes } from './db/match-runs.js';
import { findPendingNotifications } from './db/notifications.js';
import { findRowsAwaitingFeatures } from './db/profiles.js';
import { failMatch } from './match-requests.js';
import { failMatchRun } from './match-runs.js';
import type { Queues } from './queues/queues.js';
import type { ProfileKind, QueuePayloads } from './queues/registry.js';

/**
 * Postgres is the record of truth and Redis only the transport. The reconciler finds work the record says
 * is pending (match requests, features, webhook notifications) that no queue will do — Redis restarted without persistence or was flushed, a job was removed
 * by hand, a job failed for good while Postgres could not be told — and puts it right. Every repair is safe
 * to repeat: a job added again has the request's or row revision's id, results and status changes are
 * guarded on the status, and a repair whose cause went away meanwhile is a no-op.
 */

interface Deps {
  db: Knex;
  queues: Queues;
}

export interface ReconcileSummary {
  /** Match requests queued again: their job was missing, or had completed while the request had not. */
  requeuedMatches: number;
  /** Match requests marked failed with the reason their job failed for good. */
  failedMatches: number;
  /** Lanes of match runs queued again (each goes on from the last chunk it wrote). */
  requeuedRuns: number;
  /** Match runs marked failed with the reason their job failed for good. */
  failedRuns: number;
  /** Features jobs queued again for rows still waiting for their features. */
  requeuedFeatures: number;
  /** Webhook deliveries queued again for notifications still pending. */
  requeuedNotifications: number;
}

/** Rows read, and jobs looked up in Redis at once, per round trip. */
const PAGE = 500;

/**
 * One pass over the record. Rows younger than `minAgeMs` are left alone: their jobs are normally under
 * way, and a pass racing one (reading the row just before its job finishes) would at best repeat its work.
 */
export async function reconcile(deps: Deps, minAgeMs: number): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = {
    requeuedMatches: 0,
    failedMatches: 0,
    requeuedRuns: 0,
    failedRuns: 0,
    requeuedFeatures: 0,
    requeuedNotifications: 0,
  };
  await reconcileMatches(deps, minAgeMs, summary);
  await reconcileRuns(deps, minAgeMs, summary);
  for (const kind of ['job', 'candidate'] as const) await reconcileFeatures(deps, kind, minAgeMs, summary);
  await reconcileNotifications(deps, minAgeMs, summary);
  return summary;
}

async function reconcileNotifications(
  deps: Deps,
  minAgeMs: number,
  summary: ReconcileSummary,
): Promise<void> {
  let afterId: string | null = null;
  for (;;) {
    const payloads: QueuePayloads['notify'][] = (
      await findPendingNotifications(deps.db, minAgeMs, afterId, PAGE)
    ).map(({ id, clientId }) => ({ notificationId: id, clientId }));
    const standings = await Promise.all(payloads.map((payload) => deps.queues.standing('notify', payload)));
    for (const [index, payload] of payloads.entries()) {
      // Live (waiting, delayed for backoff or the rate limit, active): under way. A failed job whose
      // notification is still pending could not record its end: delivering again is what the receiver's
      // dedupe on webhook-id is for.
      if (standings[index]?.state === 'live') continue;
      await deps.queues.readd('notify', payload);
      summary.requeuedNotifications += 1;
    }
    if (payloads.length < PAGE) return;
    afterId = payloads[payloads.length - 1]?.notificationId ?? null;
  }
}

/** Work recorded in Postgres that queue jobs do, from accepted to finished: a match request or run. */
interface UnfinishedWork<Name extends 'match' | 'match-run'> {
  queue: Name;
  table: 'match_requests' | 'match_runs';
  /** The jobs that do a page of unfinished items: a request's one job, a run's unfinished lanes. */
  jobs: (db: Knex, ids: readonly string[]) => Promise<{ id: string; payload: QueuePayloads[Name] }[]>;
  /** Whether it is still unfinished, read again. */
  unfinished: (db: Knex, id: string) => Promise<boolean>;
  /** Records the failure its job failed with for good; false when it had finished already. */
  fail: (deps: Deps, id: string, reason: string) => Promise<boolean>;
}

/** Queues again, or marks failed, each unfinished item whose job no queue will run. */
async function reconcileUnfinished<Name extends 'match' | 'match-run'>(
  deps: Deps,
  minAgeMs: number,
  work: UnfinishedWork<Name>,
): Promise<{ requeued: number; failed: number }> {
  const counts = { requeued: 0, failed: 0 };
  let afterId: string | null = null;
  for (;;) {
    const ids = await findUnfinished(deps.db, work.table, minAgeMs, afterId, PAGE);
    const jobs = await work.jobs(deps.db, ids);
    const standings = await Promise.all(jobs.map(({ payload }) => deps.queues.standing(work.queue, payload)));
    const failed = new Set<string>();
    for (const [index, { id, payload }] of jobs.entries()) {
      const standing = standings[index];
      if (!standing || standing.state === 'live' || failed.has(id)) continue;
      if (standing.state === 'failed') {
        failed.add(id);
        if (await work.fail(deps, id, standing.reason)) counts.failed += 1;
        continue;
      }
      // Read again: its job may have finished it since the page was read, and left the queue since.
      if (!(await work.unfinished(deps.db, id))) continue;
      await deps.queues.readd(work.queue, payload);
      counts.requeued += 1;
    }
    if (ids.length < PAGE) return counts;
    afterId = ids[ids.length - 1] ?? null;
  }
}

const isUnfinished = (status: string | undefined): boolean => status === 'queued' || status === 'running';

async function reconcileMatches(deps: Deps, minAgeMs: number, summary: ReconcileSummary): Promise<void> {
  const { requeued, failed } = await reconcileUnfinished(deps, minAgeMs, {
    queue: 'match',
    table: 'match_requests',
    jobs: (_db, ids) => Promise.resolve(ids.map((id) => ({ id, payload: { requestId: id } }))),
    unfinished: async (db, id) => isUnfinished((await findMatchRequest(db, id))?.status),
    fail: failMatch,
  });
  summary.requeuedMatches += requeued;
  summary.failedMatches += failed;
}

async function reconcileRuns(deps: Deps, minAgeMs: number, summary: ReconcileSummary): Promise<void> {
  const { requeued, failed } = await reconcileUnfinished(deps, minAgeMs, {
    queue: 'match-run',
    table: 'match_runs',
    jobs: async (db, ids) =>
      [...(await unfinishedLanes(db, ids))].flatMap(([runId, lanes]) =>
        lanes.map((lane) => ({ id: runId, payload: { runId, lane } })),
      ),
    unfinished: async (db, id) => isUnfinished((await findMatchRun(db, id))?.status),
    fail: failMatchRun,
  });
  summary.requeuedRuns += requeued;
  summary.failedRuns += failed;
}

async function reconcileFeatures(
  deps: Deps,
  kind: ProfileKind,
  minAgeMs: number,
  summary: ReconcileSummary,
): Promise<void> {
  let afterId: string | null = null;
  for (;;) {
    const rows = await findRowsAwaitingFeatures(deps.db, kind, minAgeMs, afterId, PAGE);
    const payloads = rows.map(({ id, revision }) => ({ kind, id, revision }));
    const standings = await Promise.all(payloads.map((payload) => deps.queues.standing('features', payload)));
    for (const [index, payload] of payloads.entries()) {
      // A failed job is run again too: its attempts ran out while Postgres was away, most likely, and the
      // row is still without features. At worst it fails again, once per pass.
      if (standings[index]?.state === 'live') continue;
      await deps.queues.readd('features', payload);
      summary.requeuedFeatures += 1;
    }
    if (rows.length < PAGE) return;
    afterId = rows[rows.length - 1]?.id ?? null;
  }
}
