import type { Knex } from 'knex';

import { whereAfter, whereLocationContains } from './profiles.js';
import { aggregateTypeOf, type EventType, type MatchRunResult } from '../events/registry.js';
import type { ProfileKind } from '../queues/registry.js';
import {
  MatchRunModel,
  profileModels,
  type CandidateModel,
  type JobModel,
  type MatchFilters,
  type MatchRunFilter,
  type ProfileModel,
} from './models.js';

export interface NewMatchRun {
  clientId: string;
  subjectType: ProfileKind;
  filter: MatchRunFilter;
  targetFilters: MatchFilters;
  topK: number;
  lanes: number;
}

/**
 * Takes a transaction-scoped advisory lock on the run id. The API holds it from insert to commit while it
 * queues the lanes' jobs; a worker that cannot see the run takes it, so it waits for that commit instead of
 * taking an open transaction's run for a deleted one.
 */
export async function lockMatchRun(trx: Knex.Transaction, id: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`match_run:${id}`]);
}

/** Inserts the run and its lanes. */
export async function insertMatchRun(trx: Knex.Transaction, run: NewMatchRun): Promise<MatchRunModel> {
  const inserted = await MatchRunModel.query(trx).insert(run).returning('*');
  await trx('matchRunLanes').insert(
    Array.from({ length: run.lanes }, (_, lane) => ({ runId: inserted.id, lane })),
  );
  return inserted;
}

/** Where one lane of a run stands. */
export interface LaneState {
  /** The last subject id of the lane whose results are written; null before its first chunk. */
  cursor: string | null;
  finished: boolean;
}

export async function findLane(db: Knex, runId: string, lane: number): Promise<LaneState | undefined> {
  return db('matchRunLanes').where({ runId, lane }).first<LaneState | undefined>('cursor', 'finished');
}

/** The lanes of these runs that are not finished, by run id. */
export async function unfinishedLanes(db: Knex, runIds: readonly string[]): Promise<Map<string, number[]>> {
  const rows = await db('matchRunLanes')
    .select<{ runId: string; lane: number }[]>('runId', 'lane')
    .whereIn('runId', runIds)
    .where('finished', false)
    .orderBy(['runId', 'lane']);
  const lanes = new Map<string, number[]>();
  for (const { runId, lane } of rows) lanes.set(runId, [...(lanes.get(runId) ?? []), lane]);
  return lanes;
}

export async function findMatchRun(
  db: Knex,
  id: string,
  clientId?: string,
): Promise<MatchRunModel | undefined> {
  const query = MatchRunModel.query(db).findById(id);
  if (clientId !== undefined) query.where('clientId', clientId);
  return query;
}

/** Deletes the run with its results; a worker running it stops at its next chunk. False: no such run. */
export async function deleteMatchRun(db: Knex, id: string, clientId: string): Promise<boolean> {
  return (await MatchRunModel.query(db).delete().where({ id, clientId })) > 0;
}

/** The subjects a run ranks targets for: the client's profiles the filter selects (open jobs only). */
function subjectsOf(db: Knex, run: MatchRunModel) {
  const model: typeof ProfileModel = profileModels[run.subjectType];
  const query = model
    .query(db)
    .where('clientId', run.clientId)
    // Only what existed when the run started, so that its total holds and a busy client's run ends.
    .where('createdAt', '<=', run.startedAt ?? new Date());
  const { location, remote, updatedAfter } = run.filter;
  if (run.subjectType === 'job') query.where('status', 'open');
  if (remote !== undefined) query.where('remote', remote);
  if (location !== undefined) whereLocationContains(query, location);
  if (updatedAfter !== undefined) whereAfter(query, 'updated_at', updatedAfter);
  return query;
}

/**
 * Marks a queued (or resumed) run running and, the first time, counts its subjects. Undefined when the run
 * is finished or gone.
 */
export async function startMatchRun(db: Knex, id: string): Promise<MatchRunModel | undefined> {
  const [run] = await MatchRunModel.query(db)
    .patch({ status: 'running', startedAt: MatchRunModel.raw('coalesce(started_at, now())') })
    .where('id', id)
    .whereIn('status', ['queued', 'running'])
    .returning('*');
  if (run?.total !== null) return run;
  const counted = (await subjectsOf(db, run).clone().count({ total: '*' }).first()) as unknown as
    { total: string | number } | undefined;
  const [withTotal] = await MatchRunModel.query(db)
    .patch({ total: MatchRunModel.raw('coalesce(total, ?)', [Number(counted?.total ?? 0)]) })
    .where('id', id)
    .returning('*');
  return withTotal;
}

/**
 * The next `limit` subjects of one lane of a run after `cursor`, in id order. A subject's lane is a hash of
 * its id modulo the run's lanes: lanes share the subjects out evenly, and each finds its own with the
 * (client_id, id) index.
 */
export async function nextSubjects(
  db: Knex,
  run: MatchRunModel,
  lane: number,
  cursor: string | null,
  limit: number,
): Promise<(JobModel | CandidateModel)[]> {
  const query = subjectsOf(db, run)
    .whereRaw('mod(hashtext(id::text)::bigint + 2147483648, ?) = ?', [run.lanes, lane])
    .orderBy('id')
    .limit(limit);
  if (cursor !== null) query.where('id', '>', cursor);
  return (await query) as unknown as (JobModel | CandidateModel)[];
}

export interface RankedSubject {
  subjectId: string;
  subjectExternalId: string;
  results: MatchRunResult[];
}

const RESULTS_EVENT: EventType = 'match-run.results.v1';

/**
 * Writes one chunk of a lane in one statement: each subject's row (a subject written before, by an attempt
 * that died after committing, is left as it is), one match-run.results.v1 event per row written, and the
 * progress: the lane's cursor moves to `cursor` and the run's `done` grows by the rows written. Nothing is written
 * when the run is no longer running (deleted, or finished by another attempt): 'stopped'. The run's row is
 * locked first, so attempts that overlap (a stalled worker and its successor) write one after the other
 * and a DELETE waits for the chunk, or the chunk finds the run gone.
 */
export async function recordChunk(
  db: Knex,
  run: MatchRunModel,
  lane: number,
  chunk: readonly RankedSubject[],
  cursor: string,
  traceId: string | null,
): Promise<'recorded' | 'stopped'> {
  const { rows } = await db.raw<{ rows: { running: number }[] }>(
    `WITH live AS (
         SELECT id FROM match_runs WHERE id = ? AND status = 'running' FOR UPDATE
       ), written AS (
         INSERT INTO match_run_results (run_id, subject_id, subject_external_id, results)
         SELECT live.id, e.subject_id, e.subject_external_id, e.results
           FROM live, jsonb_to_recordset(?::jsonb) AS e(subject_id uuid, subject_external_id text, results jsonb)
         ON CONFLICT DO NOTHING
         RETURNING subject_id, subject_external_id, results
       ), events AS (
         INSERT INTO outbox (client_id, aggregate_type, aggregate_id, event_type, payload, request_id)
         SELECT ?, ?, ?, ?, jsonb_build_object(
                  'runId', ?::uuid,
                  'subject', jsonb_build_object('type', ?::text, 'id', written.subject_id,
                                                'externalId', written.subject_external_id),
                  'results', written.results), ?
           FROM written
       ), progress AS (
         UPDATE match_runs SET done = done + (SELECT count(*) FROM written)
          WHERE id IN (SELECT id FROM live)
         RETURNING id
       ), place AS (
         UPDATE match_run_lanes SET cursor = greatest(cursor, ?::uuid)
          WHERE run_id IN (SELECT id FROM live) AND lane = ?
       )
       SELECT (SELECT count(*) FROM progress)::integer AS running`,
    [
      run.id,
      JSON.stringify(
        chunk.map((subject) => ({
          subject_id: subject.subjectId,
          subject_external_id: subject.subjectExternalId,
          results: subject.results,
        })),
      ),
      run.clientId,
      aggregateTypeOf(RESULTS_EVENT),
      run.id,
      RESULTS_EVENT,
      run.id,
      run.subjectType,
      traceId,
      cursor,
      lane,
    ],
  );
  return (rows[0]?.running ?? 0) > 0 ? 'recorded' : 'stopped';
}

export type MatchRunEnd = 'match-run.completed.v1' | 'match-run.failed.v1';

export interface FinishedMatchRun {
  /** False when the run was not running (finished by another attempt, or deleted): nothing was written. */
  finished: boolean;
  /** The webhook notification queued with it, when the client has a webhook. */
  notification: { id: string; clientId: string } | null;
}

/**
 * Ends a running run in one statement, as completeMatchRequest ends a request: its status, its event and,
 * when the client has a webhook, the notification carrying that event (its delivery job is the caller's,
 * after commit; the reconciler queues it again if the caller dies first).
 */
export async function finishMatchRun(
  db: Knex,
  run: MatchRunModel,
  end: MatchRunEnd,
  details: { scorer: string | null; error: string | null },
  traceId: string | null,
): Promise<FinishedMatchRun> {
  const status = end === 'match-run.completed.v1' ? 'completed' : 'failed';
  const { rows } = await db.raw<{
    rows: { finished: number; notificationId: string | null; notificationClientId: string | null }[];
  }>(
    `WITH done AS (
       UPDATE match_runs SET status = ?, scorer = coalesce(?, scorer), error = ?, completed_at = now(),
                             total = CASE WHEN ?::text = 'completed' THEN done ELSE total END
        WHERE id = ? AND status IN ('queued', 'running')
       RETURNING id, client_id, subject_type, done
     ), event AS (
       INSERT INTO outbox (client_id, aggregate_type, aggregate_id, event_type, payload, request_id)
       SELECT done.client_id, ?, done.id, ?,
              jsonb_build_object('id', done.id, 'status', ?::text, 'subjectType', done.subject_type,
                                 'done', done.done)
                || CASE WHEN ?::text IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('error', ?::text) END,
              ?
         FROM done
       RETURNING event_id, client_id, payload
     ), notification AS (
       INSERT INTO notifications (client_id, event_id, event_type, url, payload)
       SELECT event.client_id, event.event_id, ?, webhooks.url, event.payload
         FROM event JOIN webhooks ON webhooks.client_id = event.client_id
       ON CONFLICT (event_id) DO NOTHING
       RETURNING id, client_id
     )
     SELECT (SELECT count(*) FROM done)::integer AS finished, notification.id AS "notificationId",
            notification.client_id AS "notificationClientId"
       FROM (SELECT 1) AS one LEFT JOIN notification ON true`,
    [
      status,
      details.scorer,
      details.error,
      status,
      run.id,
      aggregateTypeOf(end),
      end,
      status,
      details.error,
      details.error,
      traceId,
      end,
    ],
  );
  const [row] = rows;
  return {
    finished: (row?.finished ?? 0) > 0,
    notification:
      row?.notificationId && row.notificationClientId
        ? { id: row.notificationId, clientId: row.notificationClientId }
        : null,
  };
}

/**
 * Marks a lane finished and, when it was the run's last one, completes the run (finishMatchRun), in one
 * transaction that holds the run's row: of two lanes finishing at once, the second sees the first's mark,
 * so the run is completed once, by whichever finishes last.
 */
export async function finishLane(
  db: Knex,
  run: MatchRunModel,
  lane: number,
  scorer: string,
  traceId: string | null,
): Promise<FinishedMatchRun> {
  return db.transaction(async (trx) => {
    const locked = await trx('matchRuns')
      .where({ id: run.id, status: 'running' })
      .forUpdate()
      .first<{ id: string } | undefined>('id');
    if (locked === undefined) return { finished: false, notification: null };
    await trx('matchRunLanes').where({ runId: run.id, lane }).update({ finished: true });
    const left = await trx('matchRunLanes')
      .where({ runId: run.id, finished: false })
      .first<{ lane: number } | undefined>('lane');
    if (left !== undefined) return { finished: false, notification: null };
    return finishMatchRun(trx, run, 'match-run.completed.v1', { scorer, error: null }, traceId);
  });
}

export interface RunResultsPage {
  items: RankedSubject[];
  /** The last subject id of the page, to read on after it; null on the last page. */
  nextCursor: string | null;
}

/** A page of a run's results in subject id order, after the subject `after`. */
export async function listMatchRunResults(
  db: Knex,
  runId: string,
  limit: number,
  after: string | undefined,
): Promise<RunResultsPage> {
  const query = db('matchRunResults')
    .select<RankedSubject[]>('subjectId', 'subjectExternalId', 'results')
    .where('runId', runId)
    .orderBy('subjectId')
    .limit(limit + 1);
  if (after !== undefined) query.where('subjectId', '>', after);
  const rows = await query;
  const items = rows.slice(0, limit);
  return {
    items,
    nextCursor: rows.length > limit ? (items[items.length - 1]?.subjectId ?? null) : null,
  };
}
