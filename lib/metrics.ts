import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { outboxStatus } from './db/outbox.js';
import { retentionBacklog, type RetentionBacklog, type RetentionPolicy } from './db/retention.js';
import type { Queues } from './queues/queues.js';
import { queueNames } from './queues/registry.js';

/** The process's Prometheus metrics, for an HTTP /metrics endpoint to serve. */
export const metricsRegistry = new Registry();

export const relayMetrics = {
  published: new Counter({
    name: 'lookiy_outbox_published_events_total',
    help: 'Outbox events this process published to Kafka',
    registers: [metricsRegistry],
  }),
  failures: new Counter({
    name: 'lookiy_outbox_relay_failures_total',
    help: 'Relay cycles that failed (broker or Postgres unreachable); the rows wait and are retried',
    registers: [metricsRegistry],
  }),
  parked: new Counter({
    name: 'lookiy_outbox_relay_parked_total',
    help: 'Outbox events this process parked: the broker refused them for good (too large, invalid); they wait for an admin retry',
    registers: [metricsRegistry],
  }),
  leader: new Gauge({
    name: 'lookiy_outbox_relay_leader',
    help: 'Relays in this process that hold the relay lock (publish); the others stand by',
    registers: [metricsRegistry],
  }),
};

export const ingestMetrics = {
  messages: new Counter({
    name: 'lookiy_ingest_messages_total',
    help: 'Ingest messages handled, by outcome: applied, duplicate (applied before) or dead-lettered',
    labelNames: ['outcome'] as const,
    registers: [metricsRegistry],
  }),
  retries: new Counter({
    name: 'lookiy_ingest_retries_total',
    help: 'Attempts to apply an ingest message that failed for a passing reason (Postgres or Redis down)',
    registers: [metricsRegistry],
  }),
};

/**
 * Outbox lag gauges, read from Postgres when scraped: any process with a database connection can serve them
 * (the relay itself may be the thing that is down). `databases` are read at each scrape, so processes (and
 * tests) that open several can track them all; call once per registry.
 */
export function registerOutboxLagGauges(
  databases: () => Iterable<Knex>,
  registry: Registry = metricsRegistry,
): void {
  const statuses = async () => Promise.all([...databases()].map((db) => outboxStatus(db)));
  new Gauge({
    name: 'lookiy_outbox_unsent_events',
    help: 'Outbox events not published to Kafka yet',
    registers: [registry],
    async collect() {
      this.set((await statuses()).reduce((sum, status) => sum + status.unsent, 0));
    },
  });
  new Gauge({
    name: 'lookiy_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest outbox event not published to Kafka yet (0 when there is none)',
    registers: [registry],
    async collect() {
      this.set(Math.max(0, ...(await statuses()).map((status) => status.oldestUnsentAgeSeconds)));
    },
  });
  new Gauge({
    name: 'lookiy_outbox_parked_events',
    help: 'Outbox events the broker refused for good, set aside until an admin retries them (POST /admin/outbox/parked/retry)',
    registers: [registry],
    async collect() {
      this.set((await statuses()).reduce((sum, status) => sum + status.parked, 0));
    },
  });
}

const trackedDatabases = new Set<Knex>();
registerOutboxLagGauges(() => trackedDatabases);

/** Puts a process's database behind the default registry's outbox gauges; returns the way to take it out. */
export function trackOutboxLag(db: Knex): () => void {
  trackedDatabases.add(db);
  return () => trackedDatabases.delete(db);
}

export const retentionMetrics = {
  purged: new Counter({
    name: 'lookiy_retention_purged_rows_total',
    help: 'Rows this process purged past their retention, by table (match results go with their request)',
    labelNames: ['table'] as const,
    registers: [metricsRegistry],
  }),
};

const retentionSources = new Map<Knex, RetentionPolicy>();

/** Puts a process's database behind the retention gauges, under its policy; returns the way to take it out. */
export function trackRetention(db: Knex, policy: RetentionPolicy): () => void {
  retentionSources.set(db, policy);
  return () => retentionSources.delete(db);
}

let backlogRead: Promise<RetentionBacklog[]> | undefined;

/** One read of every tracked database per scrape, shared by the gauges that show it. */
function retentionBacklogs(): Promise<RetentionBacklog[]> {
  backlogRead ??= Promise.all([...retentionSources].map(([db, policy]) => retentionBacklog(db, policy)))
    .then((backlogs) => backlogs.flat())
    .finally(() => {
      backlogRead = undefined;
    });
  return backlogRead;
}

new Gauge({
  name: 'lookiy_retention_purgeable_rows',
  help: 'Rows past their retention that the maintenance queue has not purged yet, by table',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    try {
      for (const { table, rows } of await retentionBacklogs()) this.inc({ table }, rows);
    } catch {
      // Postgres is away: the backlog is unknown, and /readyz says why.
      this.reset();
    }
  },
});

new Gauge({
  name: 'lookiy_retention_purgeable_age_seconds',
  help: 'How long the oldest row past its retention has waited to be purged, by table (0 when none): a few PURGE_INTERVAL_MS at most while purging keeps up',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    try {
      const ages = new Map<string, number>();
      for (const { table, overdueSeconds } of await retentionBacklogs())
        ages.set(table, Math.max(ages.get(table) ?? 0, overdueSeconds));
      for (const [table, age] of ages) this.set({ table }, age);
    } catch {
      this.reset();
    }
  },
});

export const httpMetrics = {
  duration: new Histogram({
    name: 'lookiy_http_request_duration_seconds',
    help: 'HTTP requests by method, route template (not the raw path, to bound the label values) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metricsRegistry],
  }),
};

export const jobMetrics = {
  wait: new Histogram({
    name: 'lookiy_job_wait_seconds',
    help: 'Time from a job being added (after any delay it was added with) to the start of its latest attempt; a retried job counts its earlier attempts and backoff too',
    labelNames: ['queue'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [metricsRegistry],
  }),
  run: new Histogram({
    name: 'lookiy_job_run_seconds',
    help: 'Time a worker spent on one attempt of a job, by outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [metricsRegistry],
  }),
  stalled: new Counter({
    name: 'lookiy_jobs_stalled_total',
    help: 'Active jobs found without a live lock (their worker was killed or starved) and run again, counted by the worker that found them',
    labelNames: ['queue'] as const,
    registers: [metricsRegistry],
  }),
};

export const matchMetrics = {
  completed: new Counter({
    name: 'lookiy_match_requests_completed_total',
    help: 'Match requests completed, by the scorer (model version) that ranked them',
    labelNames: ['scorer'] as const,
    registers: [metricsRegistry],
  }),
  results: new Counter({
    name: 'lookiy_match_results_total',
    help: 'Ranked results written, by the scorer (model version) that ranked them',
    labelNames: ['scorer'] as const,
    registers: [metricsRegistry],
  }),
  runSubjects: new Counter({
    name: 'lookiy_match_run_subjects_total',
    help: 'Subjects of bulk match runs ranked and written, by the scorer (model version) that ranked them',
    labelNames: ['scorer'] as const,
    registers: [metricsRegistry],
  }),
};

/** The BullMQ view of one attempt, as a worker's completed and failed events hand it over. */
export interface FinishedAttempt {
  timestamp: number;
  delay?: number;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
}

export function observeAttempt(queue: string, job: FinishedAttempt, outcome: 'completed' | 'failed'): void {
  if (job.processedOn === undefined) return;
  jobMetrics.wait.observe({ queue }, Math.max(0, job.processedOn - job.timestamp - (job.delay ?? 0)) / 1000);
  if (job.finishedOn !== undefined) {
    jobMetrics.run.observe({ queue, outcome }, Math.max(0, job.finishedOn - job.processedOn) / 1000);
  }
}

const trackedQueues = new Set<Queues>();

/**
 * Queue sizes by state, read from Redis when scraped. Every process with queues can serve them; a process
 * tracks each Queues it opens (tests open several) and untracks it when closing.
 */
export function trackQueueSizes(queues: Queues): () => void {
  trackedQueues.add(queues);
  return () => trackedQueues.delete(queues);
}

new Gauge({
  name: 'lookiy_queue_jobs',
  help: 'Jobs per queue and state (waiting, active, delayed, failed, completed, prioritized, paused)',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    try {
      for (const queues of trackedQueues) {
        for (const name of queueNames) {
          const counts = await queues.get(name).getJobCounts();
          for (const [state, count] of Object.entries(counts)) this.inc({ queue: name, state }, count);
        }
      }
    } catch {
      // Redis is away: the sizes are unknown, and /readyz says why; the other metrics still matter.
      this.reset();
    }
  },
});

/** One partition's backlog for the ingest consumer group. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

const lagSources = new Set<() => Promise<PartitionLag[]>>();

/** Lets the ingest consumer report its lag at each scrape; returns the way to stop. */
export function trackConsumerLag(source: () => Promise<PartitionLag[]>): () => void {
  lagSources.add(source);
  return () => lagSources.delete(source);
}

new Gauge({
  name: 'lookiy_kafka_consumer_lag',
  help: 'Messages on the ingest topics the consumer group has not processed yet, per partition',
  labelNames: ['topic', 'partition'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const source of lagSources) {
      try {
        for (const { topic, partition, lag } of await source())
          this.set({ topic, partition: String(partition) }, lag);
      } catch {
        // The broker is away: the lag is unknown, and /readyz says why.
      }
    }
  },
});
