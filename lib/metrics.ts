import type { Knex } from 'knex';
import { Counter, Gauge, Registry } from 'prom-client';

import { outboxStatus } from './db/outbox.js';

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
 * (the relay itself may be the thing that is down). Call once per registry.
 */
export function registerOutboxLagGauges(db: Knex, registry: Registry = metricsRegistry): void {
  new Gauge({
    name: 'lookiy_outbox_unsent_events',
    help: 'Outbox events not published to Kafka yet',
    registers: [registry],
    async collect() {
      this.set((await outboxStatus(db)).unsent);
    },
  });
  new Gauge({
    name: 'lookiy_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest outbox event not published to Kafka yet (0 when there is none)',
    registers: [registry],
    async collect() {
      this.set((await outboxStatus(db)).oldestUnsentAgeSeconds);
    },
  });
}
