import type { Job } from 'bullmq';

import { failMatchRun, runMatchRun, type MatchRunOutcome } from '../../lib/match-runs.js';
import type { QueuePayloads } from '../../lib/queues/registry.js';
import { giveUpOrRetry } from './give-up.js';
import { matchOptions } from './match.js';

export function matchRunProcessor(services: Parameters<typeof matchOptions>[0]) {
  const options = matchOptions(services);
  return async (
    job: Job<QueuePayloads['match-run']>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<MatchRunOutcome> => {
    const { runId, lane } = job.data;
    try {
      return await runMatchRun(services.db, runId, lane, { ...options, signal });
    } catch (error) {
      return giveUpOrRetry(
        job,
        error,
        signal,
        (reason) => failMatchRun(services, runId, reason),
        services.logger,
        { runId },
      );
    }
  };
}
