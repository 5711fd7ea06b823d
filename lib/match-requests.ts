import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import {
  completeMatchRequest,
  failMatchRequest,
  findMatchRequest,
  findMatchRequestByIdempotencyKey,
  findMatchRequestWithResults,
  insertMatchRequestForSubject,
  lockMatchRequest,
  markMatchRunning,
  type MatchRequestWithResults,
} from './db/match-requests.js';
import { isUniqueViolation } from './db/errors.js';
import { upsertFeedback } from './db/feedback.js';
import type {
  CandidateModel,
  JobModel,
  MatchFeedbackModel,
  MatchFilters,
  MatchRequestModel,
} from './db/models.js';
import { recordEvent } from './db/outbox.js';
import { matchMetrics } from './metrics.js';
import {
  findFeatures,
  findMatchPool,
  findProfile,
  findProfilesWithStaleFeatures,
  findWholeBoard,
  type PoolMember,
} from './db/profiles.js';
import { NotFoundError, PermanentJobError, ValidationError } from './errors.js';
import { FEATURES_VERSION, type Embedder, type Features } from './matching/features.js';
import type { CompiledProfile } from './matching/compiled-profile.js';
import type { CacheGeneration, ProfileCache } from './matching/profile-cache.js';
import { rank, type Scorer, type ScoringTarget } from './matching/scorers.js';
import { notifyMatchFinished, queueDelivery } from './notifications/notifications.js';
import { computeFeatures, refreshFeatures } from './profiles.js';
import { currentRequestId } from './request-context.js';
import { resolveTargetFilters } from './target-filters.js';
import type { Queues } from './queues/queues.js';
import type { ProfileKind } from './queues/registry.js';
import type { FeedbackInput, MatchRequestInput } from './schemas.js';

interface Deps {
  db: Knex;
  queues: Queues;
}

export interface SubmittedMatchRequest {
  request: MatchRequestModel;
  /** False when an Idempotency-Key replay returned the request made the first time. */
  created: boolean;
}

/**
 * Accepts a match request: the row, its event and the queued job commit together or not at all. The job is
 * added while the transaction (and an advisory lock on the id) is open, so a fast worker waits for the
 * commit instead of finding nothing, and a failed enqueue (Redis down) leaves no row behind.
 */
export async function submitMatchRequest(
  deps: Deps,
  clientId: string,
  input: MatchRequestInput,
  idempotencyKey: string | undefined,
): Promise<SubmittedMatchRequest> {
  if (idempotencyKey !== undefined) {
    const existing = await findMatchRequestByIdempotencyKey(deps.db, clientId, idempotencyKey);
    if (existing) return { request: existing, created: false };
  }
  const subject: { type: ProfileKind; id: string } =
    input.candidateId !== undefined
      ? { type: 'candidate', id: input.candidateId }
      : { type: 'job', id: input.jobId ?? '' };
  try {
    const request = await deps.db.transaction(async (trx) => {
      const id = randomUUID();
      const inserted = await insertMatchRequestForSubject(
        trx,
        {
          id,
          clientId,
          subjectType: subject.type,
          subjectId: subject.id,
          topK: input.topK,
          filters: resolveTargetFilters(input.filters, '/filters'),
          weights: input.weights ?? null,
          idempotencyKey: idempotencyKey ?? null,
        },
        { id, status: 'queued', subject },
        currentRequestId() ?? null,
      );
      if (!inserted) {
        const field = subject.type === 'candidate' ? 'candidateId' : 'jobId';
        throw new ValidationError(`No ${subject.type} with id ${subject.id}.`, [
          { pointer: `/${field}`, detail: `no ${subject.type} with this id exists for your account` },
        ]);
      }
      await deps.queues.add('match', { requestId: inserted.id }, { priority: inserted.queuePriority });
      return inserted;
    });
    return { request, created: true };
  } catch (error) {
    const concurrentReplay = idempotencyKey !== undefined && isUniqueViolation(error);
    if (!concurrentReplay) throw error;
    const existing = await findMatchRequestByIdempotencyKey(deps.db, clientId, idempotencyKey);
    if (!existing) throw error;
    return { request: existing, created: false };
  }
}

export async function getMatchRequest(
  db: Knex,
  clientId: string,
  id: string,
): Promise<MatchRequestWithResults> {
  const found = await findMatchRequestWithResults(db, id, clientId);
  if (!found) throw new NotFoundError(`No match request with id ${id}.`);
  return found;
}

/** How many stale targets one match refreshes itself before ranking; the features queue does the rest. */
export const STALE_REFRESH_LIMIT = 100;
/** Cache misses whose features one query fetches. */
const FEATURES_FETCH_CHUNK = 250;
/** Words of the subject that pull targets into the pool through full-text search. */
const POOL_QUERY_WORDS = 40;

/** The subject's most frequent plain words, which pull targets into the pool through full-text search. */
export function poolWords(features: Features): string[] {
  return Object.entries(features.terms)
    .filter(([term]) => /^[a-z][a-z0-9]{2,}$/.test(term))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, POOL_QUERY_WORDS)
    .map(([term]) => term);
}

export type MatchOutcome = 'completed' | 'already-finished' | 'not-found';

export interface MatchOptions {
  candidateLimit: number;
  scorer: () => Promise<Scorer>;
  /** Embeds the subject or the targets whose stored features are stale (after an upgrade). */
  embedder: () => Promise<Embedder>;
  /** Compiled targets kept between matches by this process. */
  cache: ProfileCache;
  /** Where the client's webhook notification is queued; only benchmarks, which have no Redis, leave it out. */
  queues?: Queues;
  /** Aborted when the job has been handed back to the queue (shutdown): the work stops at the next step. */
  signal?: AbortSignal;
}

/** The pool's compiled profiles: cached ones whose features revision is current, the rest fetched and compiled. */
async function compilePool(
  db: Knex,
  generation: CacheGeneration,
  kind: ProfileKind,
  clientId: string,
  pool: readonly PoolMember[],
): Promise<ScoringTarget[]> {
  // Held here, not looked up again: compiling the misses may evict hits from a cache smaller than the pool.
  const profiles = new Map<string, CompiledProfile>();
  const missing: string[] = [];
  for (const member of pool) {
    const cached = generation.get(member.id, member.featuresRevision);
    if (cached) profiles.set(member.id, cached);
    else missing.push(member.id);
  }
  // In chunks: the parsed JSON of a chunk is garbage once compiled, and a whole cold pool's (thousands of
  // rows) at once is what set a worker's peak memory.
  for (let start = 0; start < missing.length; start += FEATURES_FETCH_CHUNK) {
    const chunk = missing.slice(start, start + FEATURES_FETCH_CHUNK);
    for (const stored of await findFeatures(db, kind, clientId, chunk, FEATURES_VERSION)) {
      profiles.set(stored.id, generation.compile(stored.id, stored.featuresRevision, stored.features));
    }
  }
  return pool.flatMap((member) => {
    const profile = profiles.get(member.id);
    return profile ? [{ id: member.id, externalId: member.externalId, profile }] : [];
  });
}

/** The kind of profile a subject of this kind is matched against. */
export function otherKind(kind: ProfileKind): ProfileKind {
  return kind === 'candidate' ? 'job' : 'candidate';
}

/** A subject's stored features when they are of its current revision and extractor, else computed now. */
export async function currentFeatures(
  kind: ProfileKind,
  profile: JobModel | CandidateModel,
  options: Pick<MatchOptions, 'embedder'>,
): Promise<Features> {
  return profile.features?.version === FEATURES_VERSION && profile.featuresRevision === profile.revision
    ? profile.features
    : computeFeatures(kind, profile, await options.embedder());
}

/**
 * Refreshes up to STALE_REFRESH_LIMIT of the client's targets whose stored features are missing or stale
 * (after an upgrade) before they are ranked; the features queue does the rest.
 */
export async function refreshStaleTargets(
  db: Knex,
  targetKind: ProfileKind,
  clientId: string,
  options: Pick<MatchOptions, 'embedder' | 'signal'>,
): Promise<void> {
  for (const stale of await findProfilesWithStaleFeatures(
    db,
    targetKind,
    clientId,
    FEATURES_VERSION,
    STALE_REFRESH_LIMIT,
  )) {
    options.signal?.throwIfAborted();
    await refreshFeatures(db, targetKind, stale, await options.embedder());
  }
}

/** Candidate generation for one subject: its pool of targets, compiled by the cache's current dictionary. */
export async function findPool(
  db: Knex,
  targetKind: ProfileKind,
  clientId: string,
  subjectFeatures: Features,
  options: Pick<MatchOptions, 'candidateLimit' | 'cache'> & { filters: MatchFilters; topK: number },
): Promise<{ generation: CacheGeneration; targets: ScoringTarget[] }> {
  const pool = await findMatchPool(db, targetKind, {
    clientId,
    skills: subjectFeatures.skills,
    words: poolWords(subjectFeatures),
    filters: options.filters,
    featuresVersion: FEATURES_VERSION,
    limit: options.candidateLimit,
    wanted: options.topK,
  });
  const generation = options.cache.current();
  return { generation, targets: await compilePool(db, generation, targetKind, clientId, pool) };
}

/**
 * Every target a subject may be ranked against, compiled, when the client has no more than one pool may
 * hold (findWholeBoard); null when it has more. A board that small is ranked whole, as the evaluation
 * ranks: candidate generation would cost Postgres more than scoring the few targets it leaves out, and its
 * pool would change the pool-relative features. A bulk run ranks each subject of a chunk against one board.
 */
export async function findBoard(
  db: Knex,
  targetKind: ProfileKind,
  clientId: string,
  options: Pick<MatchOptions, 'candidateLimit' | 'cache'> & { filters: MatchFilters },
): Promise<{ generation: CacheGeneration; targets: ScoringTarget[] } | null> {
  const board = await findWholeBoard(db, targetKind, {
    clientId,
    filters: options.filters,
    featuresVersion: FEATURES_VERSION,
    limit: options.candidateLimit,
  });
  if (board === null) return null;
  const generation = options.cache.current();
  return { generation, targets: await compilePool(db, generation, targetKind, clientId, board) };
}

/**
 * Marks the request running. A row this connection can see was committed by the API, so it needs no lock;
 * only when it cannot be seen does the worker wait for the API's advisory lock (lockMatchRequest), to tell
 * a request whose transaction is still open from one that rolled back or never existed.
 */
async function startMatch(
  db: Knex,
  requestId: string,
): Promise<MatchRequestModel | 'not-found' | 'already-finished'> {
  const running = await markMatchRunning(db, requestId);
  if (running) return running;
  return db.transaction(async (trx) => {
    await lockMatchRequest(trx, requestId);
    const runningNow = await markMatchRunning(trx, requestId);
    if (runningNow) return runningNow;
    return (await findMatchRequest(trx, requestId)) ? 'already-finished' : 'not-found';
  });
}

/**
 * Runs one match request to completion: safe to call again for the same request (a retried or duplicated
 * job) because every status change is guarded and results are written only with the completion.
 */
export async function runMatch(db: Knex, requestId: string, options: MatchOptions): Promise<MatchOutcome> {
  const request = await startMatch(db, requestId);
  if (request === 'not-found' || request === 'already-finished') return request;

  const subject = await findProfile(db, request.subjectType, request.clientId, request.subjectId);
  if (!subject)
    throw new PermanentJobError(`The ${request.subjectType} ${request.subjectId} no longer exists.`);
  const subjectFeatures = await currentFeatures(request.subjectType, subject, options);

  const targetKind = otherKind(request.subjectType);
  await refreshStaleTargets(db, targetKind, request.clientId, options);
  const poolOptions = { filters: request.filters, topK: request.topK, ...options };
  const { generation, targets } =
    (await findBoard(db, targetKind, request.clientId, poolOptions)) ??
    (await findPool(db, targetKind, request.clientId, subjectFeatures, poolOptions));
  const scorer = await options.scorer();
  const ranked = await rank(
    scorer,
    request.subjectType,
    generation.dictionary.compile(subjectFeatures),
    targets,
    request.topK,
    request.weights,
  );
  options.signal?.throwIfAborted();

  const { completed, notification } = await completeMatchRequest(db, {
    id: requestId,
    scorer: scorer.name,
    results: ranked.map((result, index) => ({
      rank: index + 1,
      targetId: result.targetId,
      targetExternalId: result.targetExternalId,
      score: result.score,
      // The result's readable parts travel in its stored explanation; the API answers them beside it.
      explanation: { ...result.explanation, categoryScores: result.categoryScores, summary: result.summary },
    })),
    event: {
      id: requestId,
      status: 'completed',
      subject: { type: request.subjectType, id: request.subjectId },
      resultCount: ranked.length,
      scorer: scorer.name,
    },
    traceId: currentRequestId() ?? null,
  });
  await queueDelivery(options.queues, notification);
  if (completed) {
    matchMetrics.completed.inc({ scorer: scorer.name });
    matchMetrics.results.inc({ scorer: scorer.name }, ranked.length);
  }
  return 'completed';
}

/**
 * Records what happened to one ranked result (applied, interview, hired, rejected); `npm run train` learns
 * from it. Only results the request returned can get feedback.
 */
export async function recordFeedback(
  db: Knex,
  clientId: string,
  requestId: string,
  input: FeedbackInput,
): Promise<MatchFeedbackModel> {
  const { request, results } = await getMatchRequest(db, clientId, requestId);
  if (!results?.some((result) => result.targetId === input.targetId)) {
    throw new ValidationError(
      `Target ${input.targetId} is not among the results of match request ${request.id}.`,
      [
        {
          pointer: '/targetId',
          detail: 'must be the targetId of one of this request’s results (the request must be completed)',
        },
      ],
    );
  }
  const feedback = await upsertFeedback(db, {
    requestId,
    targetId: input.targetId,
    clientId,
    outcome: input.outcome,
  });
  if (!feedback) throw new NotFoundError(`No match request with id ${requestId}.`);
  return feedback;
}

/**
 * Records the final failure of a request (after its last attempt, or a permanent error) with the reason;
 * false when it had finished already, so nothing was recorded.
 */
export async function failMatch(deps: Deps, requestId: string, reason: string): Promise<boolean> {
  return deps.db.transaction(async (trx) => {
    const request = await findMatchRequest(trx, requestId);
    if (!request) return false;
    if (!(await failMatchRequest(trx, requestId, reason))) return false;
    await recordEvent(trx, request.clientId, 'match.failed.v1', requestId, {
      id: requestId,
      status: 'failed',
      subject: { type: request.subjectType, id: request.subjectId },
      error: reason,
    });
    await notifyMatchFinished(trx, deps.queues, request.clientId, 'match.failed.v1', requestId);
    return true;
  });
}
