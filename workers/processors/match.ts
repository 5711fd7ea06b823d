import { UnrecoverableError, type Job } from 'bullmq';

import { PermanentJobError } from '../../lib/errors.js';
import { failMatch, runMatch, type MatchOutcome } from '../../lib/match-requests.js';
import type { QueuePayloads } from '../../lib/queues/registry.js';
import type { Services } from '../../lib/services.js';

export function matchProcessor(services: Pick<Services, 'db' | 'config'>) {
  return async (job: Job<QueuePayloads['match']>): Promise<MatchOutcome> => {
    const { requestId } = job.data;
    try {
      return await runMatch(services.db, requestId, {
        candidateLimit: services.config.matching.candidateLimit,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentJobError) {
        await failMatch(services.db, requestId, reason);
        throw new UnrecoverableError(reason);
      }
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (lastAttempt)
        await failMatch(services.db, requestId, `gave up after ${job.attemptsMade + 1} attempts: ${reason}`);
      throw error;
    }
  };
}
