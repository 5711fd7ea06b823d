import { hostname } from 'node:os';

import { Worker, type Job, type Processor, type WorkerOptions } from 'bullmq';

import { jobMetrics, observeAttempt, type FinishedAttempt } from '../lib/metrics.js';
import { webhookBackoff } from '../lib/notifications/backoff.js';
import type { QueueName, TraceData } from '../lib/queues/registry.js';
import { withRequestId } from '../lib/request-context.js';
import { createRedis } from '../lib/queues/connection.js';
import { maintenanceSchedules, restoreMaintenanceSchedule, scheduleMaintenance } from '../lib/maintenance.js';
import type { Services } from '../lib/services.js';
import { featuresProcessor } from './processors/features.js';
import { maintenanceProcessor } from './processors/maintenance.js';
import { matchProcessor } from './processors/match.js';
import { matchRunProcessor } from './processors/match-run.js';
import { notifyProcessor } from './processors/notify.js';
import { JobHandBack } from './shutdown.js';
import { gazetteer } from '../lib/geo/gazetteer.js';

const processors: Record<QueueName, (services: Services) => Processor> = {
  features: featuresProcessor,
  match: matchProcessor,
  'match-run': matchRunProcessor,
  notify: notifyProcessor,
  maintenance: maintenanceProcessor,
};

const attemptOf = (job: Job): FinishedAttempt => ({
  timestamp: job.timestamp,
  delay: job.opts.delay,
  processedOn: job.processedOn,
  finishedOn: job.finishedOn,
});

export interface RunningWorkers {
  workers: Worker[];
  /**
   * Stops taking jobs and waits SHUTDOWN_GRACE_MS for the active ones to finish, hands back those still
   * running, then closes the connections.
   */
  close(): Promise<void>;
}

/** Queues whose jobs extract features (a match refreshes stale ones), and so embed text. */
const EMBEDDING_QUEUES: readonly QueueName[] = ['features', 'match', 'match-run'];

export async function startWorkers(services: Services, queues: QueueName[]): Promise<RunningWorkers> {
  const { config, logger } = services;
  // Loaded before the first job, not by it: a missing model stops the worker at boot with what to do, and
  // the first job does not wait for the model while holding its lock.
  // The gazetteer the same jobs resolve locations with is read here too, for the same reason.
  if (queues.some((name) => EMBEDDING_QUEUES.includes(name))) {
    await services.embedder();
    gazetteer();
  }
  const connection = createRedis(config.redis.url, 'worker');
  connection.on('error', (error: Error) => {
    logger.warn({ err: error }, 'worker redis connection error');
  });
  const concurrency: Record<QueueName, number> = {
    features: config.workers.featuresConcurrency,
    match: config.workers.matchConcurrency,
    // A run is long and ranks one subject after another; runs are spread over workers, not within one.
    'match-run': 1,
    notify: config.workers.notifyConcurrency,
    maintenance: 1,
  };
  const settings: Partial<Record<QueueName, WorkerOptions['settings']>> = {
    notify: { backoffStrategy: webhookBackoff(config.webhooks) },
  };
  const handBack = new JobHandBack(logger);
  const workers = queues.map((name) => {
    const processor = handBack.wrap(processors[name](services));
    // Each job runs as part of the request that queued it: its logs, events and jobs carry that id.
    const traced: Processor = (job: Job<TraceData>, token) =>
      withRequestId(job.data.trace?.requestId, () => processor(job, token));
    const worker = new Worker(name, traced, {
      connection,
      // Stored on every job this worker takes (Bull Board shows it): which process holds an active job.
      name: `${hostname()}:${process.pid}`,
      prefix: config.redis.queuePrefix,
      concurrency: concurrency[name],
      lockDuration: config.workers.lockMs,
      stalledInterval: config.workers.lockMs,
      maxStalledCount: config.workers.maxStalls,
      settings: settings[name],
    });
    worker.on('completed', (job) => {
      observeAttempt(name, attemptOf(job), 'completed');
    });
    worker.on('failed', (job, error) => {
      if (job) observeAttempt(name, attemptOf(job), 'failed');
      logger.warn({ queue: name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'job failed');
    });
    worker.on('stalled', (jobId) => {
      jobMetrics.stalled.inc({ queue: name });
      logger.info({ queue: name, jobId }, 'job lost its worker; running it again');
    });
    worker.on('error', (error) => {
      logger.error({ queue: name, err: error }, 'worker error');
    });
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  const keeper = queues.includes('maintenance') ? await keepMaintenanceScheduled(services) : undefined;
  logger.info({ queues, concurrency }, 'workers started');
  return {
    workers,
    close: async () => {
      clearInterval(keeper);
      await handBack.close(workers, config.shutdownGraceMs);
      connection.disconnect();
    },
  };
}

/**
 * Schedules the maintenance tasks (each at its configured interval) and checks as often as the most
 * frequent one runs that their schedules are still in Redis: a Redis that lost every job lost the
 * schedulers too, just when a reconciler pass is needed.
 */
async function keepMaintenanceScheduled(services: Services): Promise<NodeJS.Timeout> {
  const { queues, config, logger } = services;
  const schedules = maintenanceSchedules(config);
  for (const schedule of schedules) {
    try {
      await scheduleMaintenance(queues, schedule);
    } catch (error) {
      logger.warn(
        { err: error, task: schedule.task },
        'could not schedule a maintenance task; trying again shortly',
      );
    }
  }
  return setInterval(
    () => {
      for (const schedule of schedules) {
        void restoreMaintenanceSchedule(queues, schedule).then(
          (restored) => {
            if (restored)
              logger.warn(
                { task: schedule.task },
                'a maintenance schedule was missing from Redis: scheduled again',
              );
          },
          (error: unknown) => {
            logger.warn({ err: error, task: schedule.task }, 'could not check a maintenance schedule');
          },
        );
      }
    },
    Math.min(...schedules.map((schedule) => schedule.everyMs)),
  );
}
