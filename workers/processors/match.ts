import { UnrecoverableError, type Job } from 'bullmq';

import { PermanentJobError } from '../../lib/errors.js';
import { failMatch, runMatch, type MatchOptions, type MatchOutcome } from '../../lib/match-requests.js';
import { ProfileCache } from '../../lib/matching/profile-cache.js';
import { ScorerRegistry } from '../../lib/matching/scorer-registry.js';
import type { QueuePayloads } from '../../lib/queues/registry.js';
import type { Services } from '../../lib/services.js';

export function matchProcessor(services: Pick<Services, 'db' | 'queues' | 'config' | 'logger' | 'embedder'>) {
  const scorers = new ScorerRegistry(services.db, services.logger, services.config.matching.modelRefreshMs);
  const options: MatchOptions = {
    candidateLimit: services.config.matching.candidateLimit,
    scorer: () => scorers.current(),
    embedder: services.embedder,
    cache: new ProfileCache(services.config.matching.cachedProfiles),
    queues: services.queues,
  };
  return async (
    job: Job<QueuePayloads['match']>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<MatchOutcome> => {
    const { requestId } = job.data;
    try {
      return await runMatch(services.db, requestId, { ...options, signal });
    } catch (error) {
      // Handed back at shutdown: the attempt is not over, the worker that takes the job next decides.
      if (signal?.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof PermanentJobError;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!permanent && !lastAttempt) throw error;
      const finalReason = permanent ? reason : `gave up after ${job.attemptsMade + 1} attempts: ${reason}`;
      try {
        await failMatch(services, requestId, finalReason);
      } catch (recordError) {
        // Postgres is away, most likely. With attempts left, the next one records the failure. Without, the
        // job fails for good carrying the reason, and the reconciler records it once Postgres is back.
        if (!lastAttempt) throw recordError;
        services.logger.warn({ requestId, err: recordError }, 'could not record the failed match request');
      }
      throw new UnrecoverableError(finalReason);
    }
  };
}
