import type { Knex } from 'knex';

import { findMatchRequest, findUnfinishedMatchRequests } from './db/match-requests.js';
import { findPendingNotifications } from './db/notifications.js';
import { findRowsAwaitingFeatures } from './db/profiles.js';
import { failMatch } from './match-requests.js';
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
    requeuedFeatures: 0,
    requeuedNotifications: 0,
  };
  await reconcileMatches(deps, minAgeMs, summary);
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

async function reconcileMatches(deps: Deps, minAgeMs: number, summary: ReconcileSummary): Promise<void> {
  let afterId: string | null = null;
  for (;;) {
    const ids = await findUnfinishedMatchRequests(deps.db, minAgeMs, afterId, PAGE);
    const standings = await Promise.all(ids.map((requestId) => deps.queues.standing('match', { requestId })));
    for (const [index, requestId] of ids.entries()) {
      const standing = standings[index];
      if (!standing || standing.state === 'live') continue;
      if (standing.state === 'failed') {
        if (await failMatch(deps, requestId, standing.reason)) summary.failedMatches += 1;
        continue;
      }
      // Read again: its job may have finished it since the page was read, and left the queue since.
      const request = await findMatchRequest(deps.db, requestId);
      if (request?.status !== 'queued' && request?.status !== 'running') continue;
      await deps.queues.readd('match', { requestId });
      summary.requeuedMatches += 1;
    }
    if (ids.length < PAGE) return;
    afterId = ids[ids.length - 1] ?? null;
  }
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
