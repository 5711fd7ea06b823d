import { randomUUID } from 'node:crypto';

import kafkajs, { type Admin } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { createClient } from '../../lib/clients.js';
import { recordEvent } from '../../lib/db/outbox.js';
import { recordRefusal, topicNames } from '../../lib/events/kafka.js';
import { registerOutboxLagGauges, relayMetrics } from '../../lib/metrics.js';
import { ADMIN_TOKEN, useTestContext } from '../support/context.js';
import { readToEnd } from '../support/kafka.js';
import { useRelays } from '../support/relays.js';
import { until } from '../support/until.js';

const { ConfigResourceTypes, Kafka, KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } =
  kafkajs;

const stack = useTestContext();
const relays = useRelays(stack);
const topic = topicNames(stack.config).outbound.job;
const brokers = stack.config.kafka.brokers;

/** The job topic's largest record batch while the test runs: one event fits, a long run of them does not. */
const SMALL_LIMIT = 4096;
/** The broker's own default, restored to let the refused event through. */
const BROKER_LIMIT = 1_048_588;

const admin: Admin = new Kafka({
  clientId: 'test-parking',
  brokers,
  logLevel: kafkajs.logLevel.NOTHING,
}).admin();
beforeAll(async () => {
  await admin.connect();
  // Made before any relay runs, so the relay finds it and leaves its configuration alone.
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: stack.config.kafka.topicPartitions,
        replicationFactor: stack.config.kafka.replicationFactor,
        configEntries: [{ name: 'max.message.bytes', value: String(SMALL_LIMIT) }],
      },
    ],
    waitForLeaders: true,
  });
});
afterAll(() => admin.disconnect());

async function setTopicLimit(bytes: number): Promise<void> {
  const entry = { name: 'max.message.bytes', value: String(bytes) };
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [entry] }],
  });
  await until('the broker applies the topic limit', async () => {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [entry.name] }],
    });
    return described.resources[0]?.configEntries[0]?.configValue === entry.value;
  });
}

const published = z.object({ id: z.uuid(), data: z.object({ revision: z.number() }) });

/** Per aggregate, the revisions a consumer sees, each event once (a refused batch is partly sent again). */
async function revisionsByAggregate(): Promise<Map<string, number[]>> {
  const seen = new Set<string>();
  const revisions = new Map<string, number[]>();
  for (const message of await readToEnd(brokers, [topic])) {
    const event = published.parse(JSON.parse(message.value ?? ''));
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const list = revisions.get(message.key ?? '') ?? [];
    list.push(event.data.revision);
    revisions.set(message.key ?? '', list);
  }
  return revisions;
}

interface OutboxRow {
  id: string;
  eventId: string;
  aggregateId: string;
  publishedAt: Date | null;
  parkedAt: Date | null;
  parkReason: string | null;
}

async function outboxRows(): Promise<OutboxRow[]> {
  return stack.services.db('outbox').orderBy('id').select<OutboxRow[]>('*');
}

async function outboxRow(id: string): Promise<OutboxRow | undefined> {
  return (await outboxRows()).find((row) => row.id === id);
}

async function parkedCount(): Promise<number> {
  return (await relayMetrics.parked.get()).values[0]?.value ?? 0;
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return Number(line?.slice(name.length + 1));
}

interface ParkedBody {
  items: { id: string; eventId: string; aggregateId: string; eventType: string; reason: string }[];
  nextCursor: string | null;
}

describe('a poison event', () => {
  it('is parked with the broker’s answer while the events after it go out; an admin retry publishes it once the topic takes it', async () => {
    const { client } = await createClient(stack.services.db, 'parking');
    const registry = new Registry();
    registerOutboxLagGauges(() => [stack.services.db], registry);
    const parkedBefore = await parkedCount();
    const [poisoned, steady] = [randomUUID(), randomUUID()];
    const record = (aggregateId: string, revision: number, externalId = `ext-${aggregateId}`) =>
      stack.services.db.transaction((trx) =>
        recordEvent(trx, client.id, 'job.updated.v1', aggregateId, { id: aggregateId, externalId, revision }),
      );
    // Revision 2 of one aggregate is larger than the topic takes; the other aggregate's 40 events each fit,
    // but not all in one batch, which the broker refuses as a whole: none of them may be parked for it.
    await record(poisoned, 1);
    await record(poisoned, 2, 'x'.repeat(2 * SMALL_LIMIT));
    await record(poisoned, 3);
    for (let revision = 1; revision <= 40; revision += 1) await record(steady, revision);

    relays.start({ relay: { batchSize: 100, pollMs: 50 } });
    await relays.drained();

    const rows = await outboxRows();
    const [parked, ...others] = rows.filter((row) => row.parkedAt !== null);
    expect(others).toEqual([]);
    expect(parked).toMatchObject({ aggregateId: poisoned, publishedAt: null });
    expect(parked?.parkReason).toMatch(/^(MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE): /);
    expect(rows.filter((row) => row.publishedAt === null)).toHaveLength(1);
    const before = await revisionsByAggregate();
    expect(before.get(poisoned)).toEqual([1, 3]);
    expect(before.get(steady)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));

    expect((await parkedCount()) - parkedBefore).toBe(1);
    const metrics = await registry.metrics();
    expect(metricValue(metrics, 'lookiy_outbox_parked_events')).toBe(1);
    expect(metricValue(metrics, 'lookiy_outbox_unsent_events')).toBe(0);
    const status = await stack.request('GET', '/admin/outbox', { key: ADMIN_TOKEN });
    expect(status.body).toMatchObject({ unsent: 0, oldestUnsentAgeSeconds: 0, parked: 1 });
    const list = await stack.request<ParkedBody>('GET', '/admin/outbox/parked', { key: ADMIN_TOKEN });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [
        expect.objectContaining({
          id: parked?.id,
          eventId: parked?.eventId,
          aggregateId: poisoned,
          eventType: 'job.updated.v1',
          reason: parked?.parkReason,
        }),
      ],
      nextCursor: null,
    });
    const id = list.body.items[0]?.id ?? '';

    // Retried while the cause is still there: refused again, parked again, and nothing else held up.
    await record(steady, 41);
    const again = await stack.request('POST', `/admin/outbox/parked/${id}/retry`, { key: ADMIN_TOKEN });
    expect(again).toMatchObject({ status: 202, body: { retried: 1 } });
    await until('the retried event is parked again', async () => {
      return (await outboxRow(id))?.parkedAt != null;
    });
    await relays.drained();
    expect((await parkedCount()) - parkedBefore).toBe(2);

    await setTopicLimit(BROKER_LIMIT);
    const retry = await stack.request('POST', `/admin/outbox/parked/${id}/retry`, { key: ADMIN_TOKEN });
    expect(retry).toMatchObject({ status: 202, body: { retried: 1 } });
    await until('the retried event is published', async () => {
      return (await outboxRow(id))?.publishedAt != null;
    });
    const after = await revisionsByAggregate();
    // Published after its aggregate's later events: what a parked event costs an aggregate's order.
    expect(after.get(poisoned)).toEqual([1, 3, 2]);
    expect(after.get(steady)).toHaveLength(41);
    expect((await stack.request('GET', '/admin/outbox', { key: ADMIN_TOKEN })).body).toMatchObject({
      parked: 0,
    });
    expect(metricValue(await registry.metrics(), 'lookiy_outbox_parked_events')).toBe(0);
    expect(
      (await stack.request<ParkedBody>('GET', '/admin/outbox/parked', { key: ADMIN_TOKEN })).body.items,
    ).toEqual([]);
    // Not parked any more: nothing to retry.
    const gone = await stack.request('POST', `/admin/outbox/parked/${id}/retry`, { key: ADMIN_TOKEN });
    expect(gone.status).toBe(404);
    const none = await stack.request('POST', '/admin/outbox/parked/retry', { key: ADMIN_TOKEN });
    expect(none).toMatchObject({ status: 202, body: { retried: 0 } });
  });

  it('the admin views need the admin token and refuse ids that are not outbox rows', async () => {
    expect((await stack.request('GET', '/admin/outbox/parked')).status).toBe(401);
    expect((await stack.request('POST', '/admin/outbox/parked/retry')).status).toBe(401);
    expect((await stack.request('POST', '/admin/outbox/parked/1/retry')).status).toBe(401);
    const key = { key: ADMIN_TOKEN };
    expect((await stack.request('POST', '/admin/outbox/parked/not-an-id/retry', key)).status).toBe(422);
    expect((await stack.request('GET', '/admin/outbox/parked?cursor=abc', key)).status).toBe(422);
  });
});

describe('recordRefusal', () => {
  /** As kafkajs's retrier hands a protocol error on: wrapped, with it as the cause (its types leave that out). */
  const NonRetriable = KafkaJSNonRetriableError as unknown as new (
    error: Error,
    meta: { cause: Error },
  ) => Error;
  const wrapped = (error: Error) => new NonRetriable(error, { cause: error });
  const refused = (type: string, retriable: boolean) =>
    new KafkaJSProtocolError({ name: 'KafkaJSProtocolError', message: 'refused', type, retriable } as never);

  it('reads the broker’s refusal of the records through the errors kafkajs wraps it in', () => {
    const tooLarge = refused('MESSAGE_TOO_LARGE', false);
    expect(recordRefusal(tooLarge)).toBe('MESSAGE_TOO_LARGE: refused');
    expect(recordRefusal(wrapped(tooLarge))).toBe('MESSAGE_TOO_LARGE: refused');
    const invalid = refused('INVALID_RECORD', false);
    expect(recordRefusal(wrapped(invalid))).toBe('INVALID_RECORD: refused');
  });

  it('does not take a broker away, a leader moving or a missing authorization for a refusal of the records', () => {
    expect(recordRefusal(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBeUndefined();
    const moving = refused('NOT_LEADER_FOR_PARTITION', true);
    expect(recordRefusal(wrapped(moving))).toBeUndefined();
    const denied = refused('TOPIC_AUTHORIZATION_FAILED', false);
    expect(recordRefusal(wrapped(denied))).toBeUndefined();
    expect(recordRefusal(new Error('MESSAGE_TOO_LARGE'))).toBeUndefined();
  });
});
