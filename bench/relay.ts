/**
 * Bench: outbox relay throughput, in events per second from unsent outbox rows to messages the broker has
 * acknowledged and rows marked published, against a bare kafkajs producer sending the same messages (key,
 * value, headers) in the same batches, in the same run. Works in a schema and on topics of its own,
 * `bench_relay_<random>`, removed at the end unless `keep`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Kafka, logLevel, Partitioners, type Message, type ProducerConfig } from 'kafkajs';

import { createClient } from '../lib/clients.js';
import { loadConfig, type Config } from '../lib/config.js';
import { createDatabase, migrateToLatest, type Database } from '../lib/db/knex.js';
import type { UnsentEvent } from '../lib/db/outbox-session.js';
import { recordEvent } from '../lib/db/outbox.js';
import { toKafkaMessage } from '../lib/events/envelope.js';
import { createKafka, ensureTopics, orderedProducer, topicNames } from '../lib/events/kafka.js';
import { OutboxRelay } from '../lib/events/relay.js';
import type { AggregateType } from '../lib/events/registry.js';
import { createLogger } from '../lib/logger.js';
import { relayMetrics } from '../lib/metrics.js';
import { formatNumber, type BenchSection } from './support/report.js';
import { median, now } from './support/stats.js';

export interface RelayBenchOptions {
  /** Outbox rows each pass publishes. */
  events: number;
  /** RELAY_BATCH_SIZE, and the baseline's batch. */
  batchSize: number;
  /** Untimed passes of each contender first (topic creation, JIT, connections). */
  warmup: number;
  /** Timed passes of each contender, interleaved. */
  repetitions: number;
  /** Keep the schema and topics for inspection. */
  keep: boolean;
  log: (line: string) => void;
}

const TARGET_RATIO = 0.5;
/** Jobs the events are spread over (each event is one job's update): 10 events per job. */
const EVENTS_PER_AGGREGATE = 10;
const RECORD_CHUNK = 1000;

/** Records `events` job updates for one client, a thousand per transaction. */
async function recordEvents(db: Database, events: number): Promise<void> {
  const { client } = await createClient(db, 'bench-relay');
  const aggregates = Array.from({ length: Math.ceil(events / EVENTS_PER_AGGREGATE) }, () => randomUUID());
  for (let start = 0; start < events; start += RECORD_CHUNK) {
    await db.transaction(async (trx) => {
      for (let index = start; index < Math.min(events, start + RECORD_CHUNK); index += 1) {
        const aggregateId = aggregates[index % aggregates.length] as string;
        await recordEvent(trx, client.id, 'job.updated.v1', aggregateId, {
          id: aggregateId,
          externalId: `bench-${aggregateId}`,
          revision: Math.floor(index / aggregates.length) + 1,
        });
      }
    });
  }
}

/** The rows' messages in the relay's batches: `size` rows each, grouped by topic in outbox id order. */
function batchesOf(
  config: Config,
  rows: readonly UnsentEvent[],
  size: number,
): { topic: string; messages: Message[] }[][] {
  const outbound = topicNames(config).outbound;
  const batches: { topic: string; messages: Message[] }[][] = [];
  for (let start = 0; start < rows.length; start += size) {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows.slice(start, start + size)) {
      const topic = outbound[row.aggregateType as AggregateType];
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), toKafkaMessage(row)]);
    }
    batches.push([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }
  return batches;
}

/** Seconds for a producer to connect and send every batch, each acknowledged before the next. */
async function producerPass(
  kafka: Kafka,
  settings: ProducerConfig,
  batches: readonly { topic: string; messages: Message[] }[][],
): Promise<number> {
  const start = now();
  const producer = kafka.producer(settings);
  await producer.connect();
  for (const topicMessages of batches) await producer.sendBatch({ topicMessages, acks: -1 });
  const seconds = Number(now() - start) / 1e9;
  await producer.disconnect();
  return seconds;
}

async function publishedSoFar(): Promise<number> {
  return (await relayMetrics.published.get()).values[0]?.value ?? 0;
}

/** Seconds from starting a relay (session, lock, producer) until it has published and marked every row. */
async function relayPass(db: Database, config: Config, events: number): Promise<number> {
  await db('outbox').update({ publishedAt: null });
  const logger = createLogger(config, 'bench-relay');
  const target = (await publishedSoFar()) + events;
  const start = now();
  const relay = new OutboxRelay({ config, logger, kafka: createKafka(config, logger) });
  relay.start();
  while ((await publishedSoFar()) < target) await sleep(1);
  const seconds = Number(now() - start) / 1e9;
  await relay.stop();
  return seconds;
}

export async function runRelayBench(options: RelayBenchOptions): Promise<BenchSection> {
  const { log } = options;
  const schema = `bench_relay_${randomBytes(4).toString('hex')}`;
  const overrides = {
    DATABASE_SCHEMA: schema,
    LOG_LEVEL: 'silent',
    KAFKA_TOPIC_PREFIX: `${schema}.`,
    RELAY_BATCH_SIZE: String(options.batchSize),
  };
  const configured = loadConfig(overrides);
  // Like npm start: the local broker when none is configured.
  const config =
    configured.kafka.brokers.length > 0
      ? configured
      : loadConfig({ ...overrides, KAFKA_BROKERS: '127.0.0.1:9092' });
  const db = createDatabase(config);
  const kafka = new Kafka({
    clientId: 'bench-relay',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const topics = Object.values(topicNames(config).outbound);
  try {
    await migrateToLatest(db, schema);
    await ensureTopics(kafka, config, topics);
    log(`  relay: recording ${formatNumber(options.events)} outbox events in schema ${schema} ...`);
    await recordEvents(db, options.events);
    const rows = (await db('outbox').orderBy('id')) as UnsentEvent[];
    const batches = batchesOf(config, rows, options.batchSize);
    const bytes = rows.reduce((sum, row) => sum + String(toKafkaMessage(row).value).length, 0) / rows.length;
    const plain: ProducerConfig = { createPartitioner: Partitioners.DefaultPartitioner };

    const seconds = { relay: [] as number[], baseline: [] as number[], plain: [] as number[] };
    for (let round = 0; round < options.warmup + options.repetitions; round += 1) {
      const timed = round >= options.warmup;
      // Alternate who goes first, so drift (page cache, broker log roll) hits both alike.
      const order = round % 2 === 0 ? (['baseline', 'relay'] as const) : (['relay', 'baseline'] as const);
      for (const contender of order) {
        const taken =
          contender === 'relay'
            ? await relayPass(db, config, options.events)
            : await producerPass(kafka, orderedProducer, batches);
        if (timed) seconds[contender].push(taken);
      }
      const plainTaken = await producerPass(kafka, plain, batches);
      if (timed) seconds.plain.push(plainTaken);
      log(`  relay: pass ${round + 1}/${options.warmup + options.repetitions}${timed ? '' : ' (warm-up)'}`);
    }

    const rate = (values: number[]): number => options.events / median(values);
    const relayRate = rate(seconds.relay);
    const baselineRate = rate(seconds.baseline);
    const plainRate = rate(seconds.plain);
    const perPass = (values: number[]): string =>
      values.map((value) => formatNumber(options.events / value)).join(', ');
    return {
      title: 'Outbox relay',
      setup: [
        `${formatNumber(options.events)} outbox rows (job.updated.v1, ${EVENTS_PER_AGGREGATE} per job, ~${formatNumber(bytes)} bytes of CloudEvents JSON each), batches of ${options.batchSize}, one topic of ${config.kafka.topicPartitions} partitions on ${config.kafka.brokers.join(',')}, Postgres ${config.database.url.replace(/\/\/[^@]*@/, '//')}.`,
        'Relay: OutboxRelay from start (its Postgres session, the lock, topic check, producer connect) until every row is published and marked; each pass starts with every row unsent.',
        'Baseline: a kafkajs producer with the relay’s settings (idempotent, one request in flight) connecting and sending the same messages (key, value, headers) in the same batches, each acknowledged before the next; no database.',
        `${options.warmup} warm-up round(s), then the median of ${options.repetitions} timed rounds, relay and baseline alternating first.`,
      ],
      figures: [
        {
          name: 'relay (Postgres → Kafka, marked)',
          value: relayRate,
          unit: 'events/s',
          better: 'higher',
          baseline: { name: 'bare kafkajs producer, same messages', value: baselineRate },
          target: {
            text: `≥ ${TARGET_RATIO * 100}% of the baseline`,
            met: relayRate >= TARGET_RATIO * baselineRate,
          },
        },
      ],
      details: [
        `Per timed round, events/s — relay: ${perPass(seconds.relay)}; baseline: ${perPass(seconds.baseline)}.`,
        `For reference, a kafkajs producer with default settings (not idempotent) sending the same batches: ${formatNumber(plainRate)} events/s (rounds: ${perPass(seconds.plain)}).`,
      ],
    };
  } finally {
    if (options.keep) {
      log(`  relay: kept schema ${schema} and its topics`);
    } else {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics });
      await admin.disconnect();
      await db.raw('DROP SCHEMA ?? CASCADE', [schema]);
    }
    await db.destroy();
  }
}
