import { setTimeout as sleep } from 'node:timers/promises';

import type { EachMessagePayload, IHeaders, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import { z } from 'zod';

import { findClientById } from '../db/clients.js';
import { claimEvent } from '../db/processed-events.js';
import {
  EventRefusedByDatabaseError,
  InvalidEventDataError,
  ValidationError,
  MalformedEventError,
  UnexpectedEventTypeError,
  UnknownTenantError,
  UnprocessableEventError,
} from '../errors.js';
import { ingestMetrics, trackConsumerLag, type PartitionLag } from '../metrics.js';
import { requestIdFrom, withRequestId } from '../request-context.js';
import { readDocument, upsertOne, type ProfileInputs, type ReadInput } from '../profiles.js';
import type { ProfileKind } from '../queues/registry.js';
import { candidateInput, jobInput, problemsOf } from '../schemas.js';
import type { Services } from '../services.js';
import { inboundEnvelope, REQUEST_ID_HEADER } from './envelope.js';
import { ensureTopics, orderedProducer, topicNames } from './kafka.js';
import { cloudEventType, ingestTopics } from './registry.js';

/** The API's own validation of the same bodies (POST /v1/jobs, POST /v1/candidates). */
const inputSchemas: { [Kind in ProfileKind]: z.ZodType<ProfileInputs[Kind]> } = {
  job: jobInput,
  candidate: candidateInput,
};

const MAX_RETRY_DELAY_MS = 10_000;

type IngestOutcome = 'applied' | 'duplicate' | 'dead-lettered';

interface InboundEvent<Kind extends ProfileKind> {
  id: string;
  source: string;
  clientId: string;
  input: ProfileInputs[Kind];
}

/** Reads a message as an event of the topic's type, or says why it can never be one. */
function decode<Kind extends ProfileKind>(kind: Kind, value: Buffer | null): InboundEvent<Kind> {
  let json: unknown;
  try {
    json = JSON.parse(value?.toString('utf8') ?? '');
  } catch (error) {
    throw new MalformedEventError(`The message value is not JSON: ${(error as Error).message}`);
  }
  const envelope = inboundEnvelope.safeParse(json);
  if (!envelope.success) {
    throw new MalformedEventError(
      `The message is not a CloudEvents 1.0 event that ingest can use: ${z.prettifyError(envelope.error)}`,
    );
  }
  const expected = cloudEventType(ingestTopics[kind].type);
  if (envelope.data.type !== expected) {
    throw new UnexpectedEventTypeError(
      `Event type ${envelope.data.type} does not belong on this topic, which carries ${expected}.`,
    );
  }
  const input = inputSchemas[kind].safeParse(envelope.data.data);
  if (!input.success) {
    const problems = problemsOf(input.error, '/data').map(({ pointer, detail }) => `${pointer}: ${detail}`);
    throw new InvalidEventDataError(`The event data is not a valid ${kind}: ${problems.join('; ')}`);
  }
  return {
    id: envelope.data.id,
    source: envelope.data.source,
    clientId: envelope.data.clientid,
    input: input.data,
  };
}

/** Postgres errors of class 22 (data exception) and 23 (integrity constraint): the same values fail again. */
function isDataRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

type Deps = Pick<Services, 'config' | 'db' | 'queues' | 'logger'>;

/**
 * Applies an event through the API's upsert, in one transaction with the record that this consumer has
 * processed it: a redelivered event finds the record and changes nothing.
 */
async function applyInboundEvent<Kind extends ProfileKind>(
  deps: Deps,
  kind: Kind,
  event: InboundEvent<Kind>,
): Promise<Exclude<IngestOutcome, 'dead-lettered'>> {
  let input: ReadInput<Kind>;
  try {
    input = await readDocument(kind, event.input, deps.config.http.documents, '/data/document');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new InvalidEventDataError(error.message, { cause: error });
  }
  try {
    return await deps.db.transaction(async (trx: Knex.Transaction) => {
      if (!(await findClientById(trx, event.clientId))) {
        throw new UnknownTenantError(`No client with id ${event.clientId} (the event's clientid).`);
      }
      const fresh = await claimEvent(trx, {
        consumer: deps.config.kafka.consumerGroup,
        clientId: event.clientId,
        source: event.source,
        eventId: event.id,
      });
      if (!fresh) return 'duplicate';
      await upsertOne({ db: trx, queues: deps.queues }, kind, event.clientId, input);
      return 'applied';
    });
  } catch (error) {
    if (isDataRefusal(error)) {
      throw new EventRefusedByDatabaseError(`Postgres refused the event: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

export interface RunningIngest {
  /** Stops taking messages (the one in hand finishes or is left for redelivery) and disconnects. */
  close(): Promise<void>;
}

export interface IngestOptions {
  /** The consumer crashed in a way kafkajs does not restart from; the process should exit and be restarted. */
  onFatal: (error: Error) => void;
}

/**
 * The ingest consumer group: jobs and candidates from the ingest topics, each a CloudEvents event whose data
 * is the body POST /v1/jobs or /v1/candidates accepts and whose `clientid` names the client, applied through
 * the API's own validation and upsert.
 *
 * A message that can never apply (not JSON, not such an event, invalid data, an unknown client) goes to the
 * dead-letter topic unchanged, with the reason and its origin in headers, and the partition moves on. Any
 * other failure (Postgres or Redis down) is retried with a growing pause, keeping the partition's order,
 * until it succeeds or the consumer stops; then another member gets the message again.
 */
export async function startIngest(deps: Deps, kafka: Kafka, options: IngestOptions): Promise<RunningIngest> {
  const { config, logger } = deps;
  const names = topicNames(config);
  const kindByTopic = new Map(
    (Object.keys(names.ingest) as ProfileKind[]).map((kind) => [names.ingest[kind], kind] as const),
  );
  await ensureTopics(kafka, config, [...kindByTopic.keys(), names.deadLetter]);

  const producer = kafka.producer(orderedProducer);
  const consumer = kafka.consumer({ groupId: config.kafka.consumerGroup, allowAutoTopicCreation: false });
  const stopping = new AbortController();
  const stopped = (): boolean => stopping.signal.aborted;

  async function deadLetter(
    { topic, partition, message }: EachMessagePayload,
    error: UnprocessableEventError,
  ): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      'dlq-reason': error.message,
      'dlq-reason-code': error.code,
      'dlq-source-topic': topic,
      'dlq-partition': String(partition),
      'dlq-offset': message.offset,
      'dlq-consumer-group': config.kafka.consumerGroup,
      'dlq-failed-at': new Date().toISOString(),
    };
    await producer.send({
      topic: names.deadLetter,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    logger.warn(
      { topic, partition, offset: message.offset, reason: error.code, detail: error.message },
      'ingest message dead-lettered',
    );
  }

  async function handle(payload: EachMessagePayload): Promise<IngestOutcome> {
    // The producer's X-Request-Id (or a new one) follows the event into logs, jobs and outbox events.
    const header = payload.message.headers?.[REQUEST_ID_HEADER];
    const requestId = requestIdFrom(Array.isArray(header) ? undefined : header?.toString());
    return withRequestId(requestId, () => apply(payload));
  }

  async function apply(payload: EachMessagePayload): Promise<IngestOutcome> {
    const kind = kindByTopic.get(payload.topic);
    if (!kind) throw new Error(`subscribed to an unknown topic ${payload.topic}`);
    try {
      return await applyInboundEvent(deps, kind, decode(kind, payload.message.value));
    } catch (error) {
      if (!(error instanceof UnprocessableEventError)) throw error;
      await deadLetter(payload, error);
      return 'dead-lettered';
    }
  }

  async function eachMessage(payload: EachMessagePayload): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        ingestMetrics.messages.inc({ outcome: await handle(payload) });
        return;
      } catch (error) {
        if (stopped()) throw error;
        ingestMetrics.retries.inc();
        logger.warn(
          {
            err: error,
            topic: payload.topic,
            partition: payload.partition,
            offset: payload.message.offset,
            attempt,
          },
          'ingest message failed for now; retrying',
        );
        await sleep(Math.min(100 * 2 ** attempt, MAX_RETRY_DELAY_MS), undefined, {
          signal: stopping.signal,
        }).catch(() => undefined);
        if (stopped()) throw error;
        // Keeps the group membership while retrying; throws during a rebalance, handing the message on.
        await payload.heartbeat();
      }
    }
  }

  // Consumer lag, read from the broker when scraped: the newest offset of each partition minus the group's.
  const admin = kafka.admin();
  const lag = async (): Promise<PartitionLag[]> => {
    const topics = [...kindByTopic.keys()];
    const committed = await admin.fetchOffsets({ groupId: config.kafka.consumerGroup, topics });
    const result: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const newest = new Map(
        (await admin.fetchTopicOffsets(topic)).map((offset) => [offset.partition, Number(offset.high)]),
      );
      for (const { partition, offset } of partitions) {
        const high = newest.get(partition) ?? 0;
        // -1: nothing committed yet, so everything up to the newest offset is still to read.
        result.push({ topic, partition, lag: Math.max(0, high - Math.max(0, Number(offset))) });
      }
    }
    return result;
  };
  let untrackLag = (): void => undefined;

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart && !stopped()) options.onFatal(payload.error);
  });
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [...kindByTopic.keys()], fromBeginning: true });
    await consumer.run({ eachMessage });
    await admin.connect();
    untrackLag = trackConsumerLag(lag);
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  logger.info({ topics: [...kindByTopic.keys()], group: config.kafka.consumerGroup }, 'ingest consuming');

  return {
    close: async () => {
      stopping.abort();
      untrackLag();
      await admin.disconnect();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
