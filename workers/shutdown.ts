import { WaitingError, type Processor, type Worker } from 'bullmq';

import type { Logger } from '../lib/logger.js';

/**
 * Graceful shutdown for a process's workers. Closing stops every worker taking jobs and waits for the
 * active ones; once the grace period is over, the jobs still running are handed back: moved to the wait
 * list, without using up an attempt, for another worker to take at once. BullMQ's close(true) would only
 * abandon them in the active list until their lock expired and a stalled-job check found them.
 *
 * BullMQ has its own job cancellation (worker.cancelAllJobs), but it signals only processors that declare
 * a third parameter, which any wrapper in between silently drops; so the hand-back keeps its own signals.
 */
export class JobHandBack {
  private readonly running = new Set<AbortController>();
  private handingBack = false;

  constructor(private readonly logger: Logger) {}

  /**
   * The processor, able to give its job back when the shutdown asks. The processor gets the signal too, so
   * it can stop early; whatever it does after the hand-back must be safe to repeat, as every effect here is.
   */
  wrap<Data, Result, Name extends string>(
    processor: Processor<Data, Result, Name>,
  ): Processor<Data, Result, Name> {
    return async (job, token) => {
      const controller = new AbortController();
      this.running.add(controller);
      // A job fetched just as the grace period ended goes straight back.
      if (this.handingBack) controller.abort();
      try {
        const cancelled = new Promise<undefined>((resolve) => {
          controller.signal.addEventListener(
            'abort',
            () => {
              resolve(undefined);
            },
            { once: true },
          );
          if (controller.signal.aborted) resolve(undefined);
        });
        const outcome = await Promise.race([
          processor(job, token, controller.signal).then((value) => ({ value })),
          cancelled,
        ]);
        if (outcome) return outcome.value;
        try {
          await job.moveToWait(token);
          this.logger.info({ queue: job.queueName, jobId: job.id }, 'shutdown: job handed back to the queue');
        } catch (error) {
          // Its lock is gone (another worker has it already) or Redis is: either way the job is not ours.
          this.logger.warn(
            { queue: job.queueName, jobId: job.id, err: error },
            'shutdown: job not handed back',
          );
        }
        // Tells BullMQ the job has been moved already, so it neither completes nor fails it.
        throw new WaitingError();
      } finally {
        this.running.delete(controller);
      }
    };
  }

  /** Closes the workers: active jobs get `graceMs` to finish, then those still running are handed back. */
  async close(workers: Worker[], graceMs: number): Promise<void> {
    const timer = setTimeout(() => {
      this.handBackAll();
    }, graceMs);
    try {
      await Promise.all(workers.map((worker) => worker.close()));
    } finally {
      clearTimeout(timer);
    }
  }

  private handBackAll(): void {
    this.handingBack = true;
    if (this.running.size > 0)
      this.logger.warn({ jobs: this.running.size }, 'shutdown grace period over: handing active jobs back');
    for (const controller of this.running) controller.abort();
  }
}
