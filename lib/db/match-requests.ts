import type { Knex } from 'knex';
import { snakeCaseMappers } from 'objection';

import type { ProfileKind } from '../queues/registry.js';
import { aggregateTypeOf, type DomainEvents, type EventType } from '../events/registry.js';
import { MatchRequestModel, MatchResultModel, type MatchFilters } from './models.js';
import { ticketSequenceOf } from './queue-tickets.js';
import type { CategoryWeights } from '../matching/weights.js';
import type { StoredExplanation } from '../matching/scorers.js';

export interface NewMatchRequest {
  clientId: string;
  subjectType: ProfileKind;
  subjectId: string;
  topK: number;
  filters: MatchFilters;
  weights?: Partial<CategoryWeights> | null;
  idempotencyKey: string | null;
}

export interface NewMatchResult {
  rank: number;
  targetId: string;
  targetExternalId: string;
  score: number;
  explanation: StoredExplanation;
}

/**
 * Takes a transaction-scoped advisory lock on the request id. The API holds it from insert to commit while
 * it enqueues the job; a worker takes it before reading, so it never sees "no such request" for a request
 * whose transaction is still open, and it does see nothing when that transaction rolled back.
 */
export async function lockMatchRequest(trx: Knex.Transaction, id: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`${LOCK_KEY_PREFIX}${id}`]);
}

/** What lockMatchRequest hashes, in front of the id. */
const LOCK_KEY_PREFIX = 'match_request:';

export async function insertMatchRequest(
  trx: Knex.Transaction,
  request: NewMatchRequest,
): Promise<MatchRequestModel> {
  return MatchRequestModel.query(trx).insert(request).returning('*');
}

const SUBJECT_TABLES: Record<ProfileKind, string> = { candidate: 'candidates', job: 'jobs' };
const columnNames = snakeCaseMappers();

/** BullMQ's lowest priority; a backlog beyond it ties there, first come first served. */
const LOWEST_QUEUE_PRIORITY = 2_097_152;

const REQUESTED_EVENT: EventType = 'match.requested.v1';

/**
 * Inserts the request and its match.requested.v1 outbox event only if the client has its subject, and
 * takes the request's lock (lockMatchRequest), all in one statement: one round trip on the API's hottest
 * write. Undefined when the client has no such subject; then nothing was written.
 *
 * Its queue priority is its place in the client's queue, so a client with a backlog waits behind one with
 * none, and never below the client's own queued ones, so a client's requests keep their order: a burst's
 * priority stays at its peak until the client's queue is empty, then starts again at 1. The place is the
 * request's ticket (the next of its client's sequence) less the oldest queued request's, and the floor is
 * the newest queued request's priority: both read at an end of one index, so a POST costs the same however
 * deep the queue is. A ticket spent by a request that rolled back leaves a gap, which counts as one more.
 */
export async function insertMatchRequestForSubject(
  trx: Knex.Transaction,
  request: NewMatchRequest & { id: string },
  event: DomainEvents['match.requested.v1'],
  traceId: string | null,
): Promise<MatchRequestModel | undefined> {
  const { rows } = await trx.raw<{ rows: Record<string, unknown>[] }>(
    `WITH newest AS (
       SELECT queue_priority FROM match_requests
        WHERE client_id = ? AND status = 'queued' ORDER BY queue_ticket DESC LIMIT 1
     ), oldest AS (
       SELECT queue_ticket FROM match_requests
        WHERE client_id = ? AND status = 'queued' ORDER BY queue_ticket LIMIT 1
     ), ticket AS (
       SELECT nextval(?::regclass) AS next
     ), inserted AS (
       INSERT INTO match_requests
         (id, client_id, subject_type, subject_id, top_k, filters, weights, idempotency_key, queue_ticket,
          queue_priority)
       SELECT ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ticket.next, LEAST(?::integer, GREATEST(
                ticket.next - coalesce(oldest.queue_ticket, ticket.next) + 1, newest.queue_priority))
         FROM ticket LEFT JOIN newest ON true LEFT JOIN oldest ON true
        WHERE EXISTS (SELECT 1 FROM ?? WHERE id = ? AND client_id = ?)
       RETURNING *, pg_advisory_xact_lock(hashtextextended(?::text || id::text, 0)) AS locked
     ), event AS (
       INSERT INTO outbox (client_id, aggregate_type, aggregate_id, event_type, payload, request_id)
       SELECT client_id, ?, id, ?, ?::jsonb, ? FROM inserted
     )
     SELECT * FROM inserted`,
    [
      request.clientId,
      request.clientId,
      ticketSequenceOf(request.clientId),
      request.id,
      request.clientId,
      request.subjectType,
      request.subjectId,
      request.topK,
      JSON.stringify(request.filters),
      request.weights ? JSON.stringify(request.weights) : null,
      request.idempotencyKey,
      LOWEST_QUEUE_PRIORITY,
      SUBJECT_TABLES[request.subjectType],
      request.subjectId,
      request.clientId,
      LOCK_KEY_PREFIX,
      aggregateTypeOf(REQUESTED_EVENT),
      REQUESTED_EVENT,
      JSON.stringify(event),
      traceId,
    ],
  );
  const [row] = rows;
  if (row === undefined) return undefined;
  const columns = columnNames.parse(row) as Record<string, unknown>;
  delete columns.locked;
  return MatchRequestModel.fromDatabaseJson(columns);
}

export async function findMatchRequest(
  db: Knex,
  id: string,
  clientId?: string,
): Promise<MatchRequestModel | undefined> {
  const query = MatchRequestModel.query(db).findById(id);
  if (clientId !== undefined) query.where('clientId', clientId);
  return query;
}

export async function findMatchRequestByIdempotencyKey(
  db: Knex,
  clientId: string,
  idempotencyKey: string,
): Promise<MatchRequestModel | undefined> {
  return MatchRequestModel.query(db).findOne({ clientId, idempotencyKey });
}

/**
 * A page of ids of `table`'s rows (match requests or runs) still queued or running that were created more
 * than `minAgeMs` ago (by the database's clock, so workers' clocks do not matter), in id order after
 * `afterId`: a reconciler walks them all.
 */
export async function findUnfinished(
  db: Knex,
  table: 'match_requests' | 'match_runs',
  minAgeMs: number,
  afterId: string | null,
  limit: number,
): Promise<string[]> {
  const query = db(table)
    .select<{ id: string }[]>('id')
    .whereIn('status', ['queued', 'running'])
    .whereRaw("created_at < now() - ? * interval '1 millisecond'", [minAgeMs])
    .orderBy('id')
    .limit(limit);
  if (afterId !== null) query.where('id', '>', afterId);
  return (await query).map((row) => row.id);
}

export interface MatchRequestWithResults {
  request: MatchRequestModel;
  /** Only for a completed request, ranked. */
  results: MatchResultModel[] | undefined;
}

/**
 * The client's request and, once it is completed, its results: one round trip for what a client polls,
 * and one snapshot, so the status and the results always agree.
 */
export async function findMatchRequestWithResults(
  db: Knex,
  id: string,
  clientId: string,
): Promise<MatchRequestWithResults | undefined> {
  const row = await db('matchRequests')
    .where({ id, clientId })
    .first<(Record<string, unknown> & { results: Record<string, unknown>[] | null }) | undefined>(
      '*',
      db.raw(
        `CASE WHEN status = 'completed' THEN (
           SELECT coalesce(json_agg(json_build_object(
                    'requestId', r.request_id, 'rank', r.rank, 'targetId', r.target_id,
                    'targetExternalId', r.target_external_id, 'score', r.score, 'explanation', r.explanation
                  ) ORDER BY r.rank), '[]')
             FROM match_results r WHERE r.request_id = match_requests.id)
         END AS results`,
      ),
    );
  if (row === undefined) return undefined;
  const { results, ...request } = row;
  return {
    request: MatchRequestModel.fromDatabaseJson(request),
    results: results?.map((result) => MatchResultModel.fromDatabaseJson(result)),
  };
}

/**
 * Marks a queued (or retried) request running; returns undefined when it is already finished or not
 * visible (yet) to this connection.
 */
export async function markMatchRunning(db: Knex, id: string): Promise<MatchRequestModel | undefined> {
  const [request] = await MatchRequestModel.query(db)
    .patch({ status: 'running', startedAt: new Date(), attempts: MatchRequestModel.raw('attempts + 1') })
    .where('id', id)
    .whereIn('status', ['queued', 'running'])
    .returning('*');
  return request;
}

export interface MatchCompletion {
  id: string;
  scorer: string;
  results: NewMatchResult[];
  /** The match.completed.v1 event that goes to the outbox with the completion. */
  event: DomainEvents['match.completed.v1'];
  /** The API request the match descends from (X-Request-Id), recorded with the event. */
  traceId: string | null;
}

export interface CompletedMatch {
  /** False when another attempt had already finished the request: nothing was written. */
  completed: boolean;
  /** The webhook notification queued with it, when the client has a webhook. */
  notification: { id: string; clientId: string } | null;
}

const COMPLETED_EVENT: EventType = 'match.completed.v1';

/**
 * Completes the request in one statement: its status, its results, its match.completed.v1 outbox event and,
 * when the client has a webhook, the notification that carries that event. One statement is one atomic
 * write and one round trip, on the path every match takes. Guarded on status, so a duplicate delivery of
 * the same job cannot complete it twice; results are only ever written here, so there are none to replace.
 *
 * The notification's delivery job is added by the caller after this commits: a worker lost in between
 * leaves a pending notification without a job, which the reconciler queues again (lib/reconcile.ts).
 */
export async function completeMatchRequest(db: Knex, completion: MatchCompletion): Promise<CompletedMatch> {
  const { rows } = await db.raw<{
    rows: { completed: number; notificationId: string | null; notificationClientId: string | null }[];
  }>(
    `WITH done AS (
       UPDATE match_requests SET status = 'completed', scorer = ?, completed_at = now(), error = NULL
        WHERE id = ? AND status IN ('queued', 'running')
       RETURNING id, client_id
     ), results AS (
       INSERT INTO match_results (request_id, rank, target_id, target_external_id, score, explanation)
       SELECT done.id, r.rank, r.target_id, r.target_external_id, r.score, r.explanation
         FROM done, jsonb_to_recordset(?::jsonb) AS r(rank integer, target_id uuid, target_external_id text,
                                                      score double precision, explanation jsonb)
     ), event AS (
       INSERT INTO outbox (client_id, aggregate_type, aggregate_id, event_type, payload, request_id)
       SELECT done.client_id, ?, done.id, ?, ?::jsonb, ? FROM done
       RETURNING event_id, client_id, payload
     ), notification AS (
       INSERT INTO notifications (client_id, event_id, event_type, request_id, url, payload)
       SELECT event.client_id, event.event_id, ?, ?, webhooks.url, event.payload
         FROM event JOIN webhooks ON webhooks.client_id = event.client_id
       ON CONFLICT (event_id) DO NOTHING
       RETURNING id, client_id
     )
     SELECT (SELECT count(*) FROM done)::integer AS completed, notification.id AS "notificationId",
            notification.client_id AS "notificationClientId"
       FROM (SELECT 1) AS one LEFT JOIN notification ON true`,
    [
      completion.scorer,
      completion.id,
      JSON.stringify(
        completion.results.map((result) => ({
          rank: result.rank,
          target_id: result.targetId,
          target_external_id: result.targetExternalId,
          score: result.score,
          explanation: result.explanation,
        })),
      ),
      aggregateTypeOf(COMPLETED_EVENT),
      COMPLETED_EVENT,
      JSON.stringify(completion.event),
      completion.traceId,
      COMPLETED_EVENT,
      completion.id,
    ],
  );
  const [row] = rows;
  return {
    completed: (row?.completed ?? 0) > 0,
    notification:
      row?.notificationId && row.notificationClientId
        ? { id: row.notificationId, clientId: row.notificationClientId }
        : null,
  };
}

export async function failMatchRequest(trx: Knex.Transaction, id: string, error: string): Promise<boolean> {
  const updated = await MatchRequestModel.query(trx)
    .patch({ status: 'failed', error, completedAt: new Date() })
    .where('id', id)
    .whereIn('status', ['queued', 'running']);
  return updated > 0;
}
