import { UnrecoverableError, type Job } from 'bullmq';

import { PermanentJobError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

/**
 * What a processor does with an error that ends an attempt of work whose record lives in Postgres (a match
 * request, a match run). With attempts left, the error is thrown for the queue to retry. On the last
 * attempt, or for a permanent error, the failure is recorded with its reason (`record`) and the job fails
 * for good. Work handed back at shutdown (`signal` aborted) is not an attempt that ended: the worker that
 * takes the job next decides.
 */
export async function giveUpOrRetry(
  job: Job,
  error: unknown,
  signal: AbortSignal | undefined,
  record: (reason: string) => Promise<unknown>,
  logger: Logger,
  context: Record<string, string>,
): Promise<never> {
  if (signal?.aborted) throw error;
  const reason = error instanceof Error ? error.message : String(error);
  const permanent = error instanceof PermanentJobError;
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  if (!permanent && !lastAttempt) throw error;
  const finalReason = permanent ? reason : `gave up after ${job.attemptsMade + 1} attempts: ${reason}`;
  try {
    await record(finalReason);
  } catch (recordError) {
    // Postgres is away, most likely. With attempts left, the next one records the failure. Without, the
    // job fails for good carrying the reason, and the reconciler records it once Postgres is back.
    if (!lastAttempt) throw recordError;
    logger.warn({ ...context, err: recordError }, 'could not record the failure');
  }
  throw new UnrecoverableError(finalReason);
}
