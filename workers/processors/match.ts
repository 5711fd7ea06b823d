import type { Job } from 'bullmq';

import { failMatch, runMatch, type MatchOptions, type MatchOutcome } from '../../lib/match-requests.js';
import { ProfileCache } from '../../lib/matching/profile-cache.js';
import { ScorerRegistry } from '../../lib/matching/scorer-registry.js';
import type { QueuePayloads } from '../../lib/queues/registry.js';
import type { Services } from '../../lib/services.js';
import { giveUpOrRetry } from './give-up.js';

type MatchServices = Pick<Services, 'db' | 'queues' | 'config' | 'logger' | 'embedder'>;

const optionsByServices = new WeakMap<MatchServices, MatchOptions>();

/**
 * What ranking needs, one per worker process: the match and the match-run queues share the scorer and the
 * profile cache, so a process serving both holds one copy of the compiled profiles.
 */
export function matchOptions(services: MatchServices): MatchOptions {
  let options = optionsByServices.get(services);
  if (options === undefined) {
    const scorers = new ScorerRegistry(services.db, services.logger, services.config.matching.modelRefreshMs);
    options = {
      candidateLimit: services.config.matching.candidateLimit,
      scorer: () => scorers.current(),
      embedder: services.embedder,
      cache: new ProfileCache(services.config.matching.cachedProfiles),
      queues: services.queues,
    };
    optionsByServices.set(services, options);
  }
  return options;
}

export function matchProcessor(services: MatchServices) {
  const options = matchOptions(services);
  return async (
    job: Job<QueuePayloads['match']>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<MatchOutcome> => {
    const { requestId } = job.data;
    try {
      return await runMatch(services.db, requestId, { ...options, signal });
    } catch (error) {
      return giveUpOrRetry(
        job,
        error,
        signal,
        (reason) => failMatch(services, requestId, reason),
        services.logger,
        { requestId },
      );
    }
  };
}
