import type { Knex } from 'knex';

import {
  deleteMatchRun,
  findLane,
  findMatchRun,
  finishLane,
  finishMatchRun,
  insertMatchRun,
  listMatchRunResults,
  lockMatchRun,
  nextSubjects,
  recordChunk,
  startMatchRun,
  type RankedSubject,
  type RunResultsPage,
} from './db/match-runs.js';
import type { MatchRunModel } from './db/models.js';
import { NotFoundError } from './errors.js';
import {
  currentFeatures,
  findBoard,
  findPool,
  otherKind,
  refreshStaleTargets,
  type MatchOptions,
} from './match-requests.js';
import { matchMetrics } from './metrics.js';
import { rankUnexplained } from './matching/scorers.js';
import { queueDelivery } from './notifications/notifications.js';
import type { Queues } from './queues/queues.js';
import { currentRequestId } from './request-context.js';
import { resolveTargetFilters } from './target-filters.js';
import type { MatchRunInput } from './schemas.js';

/** Subjects ranked between two writes: what a worker lost mid-run ranks again. */
export const RUN_CHUNK = 50;

/**
 * Accepts a bulk match run split into `lanes`: the rows and a queued job per lane, together or not at all.
 */
export async function submitMatchRun(
  deps: { db: Knex; queues: Queues },
  clientId: string,
  input: MatchRunInput,
  lanes: number,
): Promise<MatchRunModel> {
  return deps.db.transaction(async (trx) => {
    const run = await insertMatchRun(trx, {
      clientId,
      subjectType: input.subject === 'candidates' ? 'candidate' : 'job',
      filter: input.filter,
      targetFilters: resolveTargetFilters(input.targetFilters, '/targetFilters'),
      topK: input.topK,
      lanes,
    });
    await lockMatchRun(trx, run.id);
    await deps.queues.addBulk(
      'match-run',
      Array.from({ length: lanes }, (_, lane) => ({ runId: run.id, lane })),
    );
    return run;
  });
}

export async function getMatchRun(db: Knex, clientId: string, id: string): Promise<MatchRunModel> {
  const run = await findMatchRun(db, id, clientId);
  if (!run) throw new NotFoundError(`No match run with id ${id}.`);
  return run;
}

/** Cancels a run by deleting it with its results; the worker running it stops at its next chunk. */
export async function cancelMatchRun(db: Knex, clientId: string, id: string): Promise<void> {
  if (!(await deleteMatchRun(db, id, clientId))) throw new NotFoundError(`No match run with id ${id}.`);
}

export async function matchRunResults(
  db: Knex,
  clientId: string,
  id: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<RunResultsPage> {
  await getMatchRun(db, clientId, id);
  return listMatchRunResults(db, id, page.limit, page.cursor);
}

export interface MatchRunProgress {
  done: number;
  /** Null until the run has started and counted its subjects. */
  total: number | null;
  /** Subjects per second since the run started; null before. */
  ratePerSecond: number | null;
  /** Seconds until the last subject at that rate, while the run is running. */
  etaSeconds: number | null;
}

export function progressOf(run: MatchRunModel, now: Date): MatchRunProgress {
  const end = run.completedAt ?? now;
  const seconds = run.startedAt ? (end.getTime() - run.startedAt.getTime()) / 1000 : 0;
  const rate = seconds > 0 ? run.done / seconds : null;
  const left = run.total === null ? null : Math.max(0, run.total - run.done);
  return {
    done: run.done,
    total: run.total,
    ratePerSecond: rate === null ? null : Math.round(rate * 10) / 10,
    etaSeconds:
      run.status === 'running' && rate !== null && rate > 0 && left !== null ? Math.ceil(left / rate) : null,
  };
}

export type MatchRunOutcome = 'completed' | 'stopped';

/**
 * Runs one lane of a match run from where it stopped to its end, and the run's end when it is the last lane
 * to finish: safe to call again for the same lane (a retried job, or a second worker after a stall),
 * because each chunk of subjects is written with the lane's progress in one statement that writes no
 * subject twice (recordChunk), and the end is guarded on the status. 'completed': this lane is done (the
 * run may still have others); 'stopped': the run was deleted or finished elsewhere meanwhile.
 */
export async function runMatchRun(
  db: Knex,
  runId: string,
  lane: number,
  options: MatchOptions & { chunk?: number },
): Promise<MatchRunOutcome> {
  // Not visible: either the API's transaction is still open (wait for it on the run's lock) or it is gone.
  const run =
    (await startMatchRun(db, runId)) ??
    (await db.transaction(async (trx) => {
      await lockMatchRun(trx, runId);
      return startMatchRun(trx, runId);
    }));
  const state = run && (await findLane(db, runId, lane));
  if (!run || !state) return 'stopped';
  let cursor = state.cursor;
  const targetKind = otherKind(run.subjectType);
  const scorer = await options.scorer();
  const traceId = currentRequestId() ?? null;
  for (;;) {
    options.signal?.throwIfAborted();
    const subjects = await nextSubjects(db, run, lane, cursor, options.chunk ?? RUN_CHUNK);
    const last = subjects[subjects.length - 1];
    if (last === undefined) break;
    await refreshStaleTargets(db, targetKind, run.clientId, options);
    const filtered = { ...options, filters: run.targetFilters, topK: run.topK };
    const board = await findBoard(db, targetKind, run.clientId, filtered);
    const ranked: RankedSubject[] = [];
    for (const subject of subjects) {
      options.signal?.throwIfAborted();
      const features = await currentFeatures(run.subjectType, subject, options);
      const { generation, targets } =
        board ?? (await findPool(db, targetKind, run.clientId, features, filtered));
      const results = await rankUnexplained(
        scorer,
        run.subjectType,
        generation.dictionary.compile(features),
        targets,
        run.topK,
      );
      ranked.push({
        subjectId: subject.id,
        subjectExternalId: subject.externalId,
        results: results.map((result, index) => ({ rank: index + 1, ...result })),
      });
    }
    if ((await recordChunk(db, run, lane, ranked, last.id, traceId)) === 'stopped') return 'stopped';
    matchMetrics.runSubjects.inc({ scorer: scorer.name }, ranked.length);
    cursor = last.id;
  }
  const end = await finishLane(db, run, lane, scorer.name, traceId);
  await queueDelivery(options.queues, end.notification);
  return 'completed';
}

/** Ends a run as failed, with the reason; false when it had finished (or gone) already. */
export async function failMatchRun(
  deps: { db: Knex; queues: Queues },
  runId: string,
  reason: string,
): Promise<boolean> {
  const run = await findMatchRun(deps.db, runId);
  if (!run) return false;
  const end = await finishMatchRun(
    deps.db,
    run,
    'match-run.failed.v1',
    { scorer: null, error: reason },
    currentRequestId() ?? null,
  );
  await queueDelivery(deps.queues, end.notification);
  return end.finished;
}
