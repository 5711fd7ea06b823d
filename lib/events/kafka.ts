import { Kafka, logLevel, Partitioners, type LogEntry, type ProducerConfig } from 'kafkajs';

import { ConfigError, type Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ProfileKind } from '../queues/registry.js';
import { deadLetterTopic, ingestTopics, topics, type AggregateType } from './registry.js';

/** kafkajs log lines go to the process's logger, at the matching level (errors kafkajs goes on from: warnings). */
/**
 * An error kafkajs goes on from: a request's error response (the caller retries it or gets the error), or a
 * failure its retrier will try again (`retryCount`). A leader moving to another broker produces both; what
 * finally fails reaches our own code, which logs it. Logged as warnings, so a healthy system logs no errors.
 */
function isRetried(namespace: string, log: Record<string, unknown>): boolean {
  return namespace === 'Connection' || log.retryCount !== undefined;
}

export function logCreator(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      // pino stamps its own time; kafkajs's timestamp would only repeat it.
      const { message, ...fields }: Record<string, unknown> & { message: string } = { namespace, ...log };
      delete fields.timestamp;
      if (level === logLevel.ERROR && isRetried(namespace, log)) child.warn(fields, message);
      else if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}

export function createKafka(config: Config, logger: Logger): Kafka {
  if (config.kafka.brokers.length === 0) {
    throw new ConfigError(['KAFKA_BROKERS: no broker configured; the relay and ingest need one']);
  }
  return new Kafka({
    clientId: config.kafka.clientId,
    brokers: config.kafka.brokers,
    logLevel: logLevel.INFO,
    logCreator: logCreator(logger),
  });
}

/** Every topic name as configured: the registry's names behind KAFKA_TOPIC_PREFIX. */
export interface TopicNames {
  outbound: Record<AggregateType, string>;
  ingest: Record<ProfileKind, string>;
  deadLetter: string;
}

export function topicNames(config: Config): TopicNames {
  const prefixed = (name: string): string => `${config.kafka.topicPrefix}${name}`;
  return {
    outbound: {
      job: prefixed(topics.job),
      candidate: prefixed(topics.candidate),
      match_request: prefixed(topics.match_request),
      match_run: prefixed(topics.match_run),
      notification: prefixed(topics.notification),
      model: prefixed(topics.model),
    },
    ingest: { job: prefixed(ingestTopics.job.topic), candidate: prefixed(ingestTopics.candidate.topic) },
    deadLetter: prefixed(deadLetterTopic),
  };
}

/**
 * Creates the topics that do not exist yet, with the configured partitions and replication, rather than
 * relying on the broker's auto-creation (often off in production, and with its own defaults). Idempotent:
 * a topic another process created meanwhile is fine.
 */
export async function ensureTopics(kafka: Kafka, config: Config, names: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length === 0) return;
    await admin.createTopics({
      topics: missing.map((topic) => ({
        topic,
        numPartitions: config.kafka.topicPartitions,
        replicationFactor: config.kafka.replicationFactor,
      })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * A producer that cannot reorder or duplicate on its own retries: idempotent (the broker drops a retried
 * batch it already has) with one request in flight (a retried batch cannot overtake the next one).
 */
export const orderedProducer: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

/**
 * Broker answers about the records of a produce request themselves: the same records sent again get the
 * same answer. Everything else (a broker away, a timeout, a leader moving, a missing topic, authorization)
 * says nothing about a record and passes once the cause does.
 */
const RECORD_REFUSALS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/**
 * When `error` is the broker refusing the records sent, its answer ("TYPE: message"); otherwise undefined.
 * kafkajs hands the broker's protocol error over as the cause of its retrier's error (non-retriable, or
 * retries exhausted), so the chain of causes is searched. kafkajs is CommonJS and does not export its error
 * classes to ESM, hence the check by name.
 */
export function recordRefusal(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let cause = error; cause instanceof Error && !seen.has(cause); cause = cause.cause) {
    seen.add(cause);
    const type = (cause as Error & { type?: unknown }).type;
    if (cause.name === 'KafkaJSProtocolError' && typeof type === 'string' && RECORD_REFUSALS.has(type)) {
      return `${type}: ${cause.message}`;
    }
  }
  return undefined;
}
