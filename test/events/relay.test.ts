import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { createClient } from '../../lib/clients.js';
import { recordEvent } from '../../lib/db/outbox.js';
import { topicNames } from '../../lib/events/kafka.js';
import {
  cloudEventType,
  eventAggregates,
  eventTypes,
  type DomainEvents,
  type EventType,
  type NotificationEventData,
  type ProfileDeletedData,
  type ProfileEventData,
} from '../../lib/events/registry.js';
import { withRequestId } from '../../lib/request-context.js';
import { useTestContext } from '../support/context.js';
import { readToEnd, type Consumed } from '../support/kafka.js';
import { useRelays } from '../support/relays.js';
import { until } from '../support/until.js';

const stack = useTestContext();
const relays = useRelays(stack);
const topics = topicNames(stack.config);
const brokers = stack.config.kafka.brokers;

/** The CloudEvents 1.0 attributes we publish, and nothing else. */
const cloudEvent = z.strictObject({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().regex(/^\/lookiy-match(\/clients\/[0-9a-f-]{36})?$/),
  type: z.string().startsWith('com.lookiy.'),
  subject: z.uuid(),
  time: z.iso.datetime(),
  datacontenttype: z.literal('application/json'),
  clientid: z.uuid().optional(),
  data: z.record(z.string(), z.unknown()),
});

interface Fixture<Data> {
  aggregateId: string;
  data: Data;
}

/** One event of every type; a type missing here fails to compile. */
function fixtures(): { [Type in EventType]: Fixture<DomainEvents[Type]> } {
  const id = randomUUID;
  const profile = (): Fixture<ProfileEventData> => {
    const aggregateId = id();
    return { aggregateId, data: { id: aggregateId, externalId: `ext-${aggregateId}`, revision: 1 } };
  };
  const match = (status: 'queued' | 'completed' | 'failed') => {
    const aggregateId = id();
    return {
      aggregateId,
      data: { id: aggregateId, status, subject: { type: 'candidate' as const, id: id() } },
    };
  };
  const completed = match('completed');
  const failed = match('failed');
  const notification = (): Fixture<NotificationEventData> => {
    const aggregateId = id();
    return {
      aggregateId,
      data: {
        notificationId: aggregateId,
        requestId: id(),
        eventId: id(),
        url: 'https://receiver.example/hooks',
        attempts: 2,
        status: 200,
      },
    };
  };
  const deleted = (): Fixture<ProfileDeletedData> => {
    const aggregateId = id();
    return { aggregateId, data: { id: aggregateId, externalId: `ext-${aggregateId}` } };
  };
  const failedNotification = notification();
  const model = id();
  const run = id();
  return {
    'job.created.v1': profile(),
    'job.updated.v1': profile(),
    'job.deleted.v1': deleted(),
    'candidate.created.v1': profile(),
    'candidate.updated.v1': profile(),
    'candidate.deleted.v1': deleted(),
    'match.requested.v1': match('queued'),
    'match.completed.v1': {
      aggregateId: completed.aggregateId,
      data: { ...completed.data, resultCount: 3, scorer: 'lexical' },
    },
    'match.failed.v1': {
      aggregateId: failed.aggregateId,
      data: { ...failed.data, error: 'The candidate no longer exists.' },
    },
    'match-run.results.v1': {
      aggregateId: run,
      data: {
        runId: run,
        subject: { type: 'candidate', id: id(), externalId: 'cand-7' },
        results: [
          {
            rank: 1,
            targetId: id(),
            targetExternalId: 'job-3',
            score: 0.91,
            categoryScores: {
              skills: 0.8,
              occupation: 1,
              text: 0.62,
              experience: null,
              seniority: 1,
              location: 0,
              salary: null,
            },
            summary: '4 of 5 required skills; same occupation; different location',
          },
        ],
      },
    },
    'match-run.completed.v1': {
      aggregateId: run,
      data: { id: run, status: 'completed', subjectType: 'candidate', done: 1 },
    },
    'match-run.failed.v1': {
      aggregateId: run,
      data: {
        id: run,
        status: 'failed',
        subjectType: 'candidate',
        done: 0,
        error: 'gave up after 3 attempts',
      },
    },
    'notification.delivered.v1': notification(),
    'notification.failed.v1': {
      aggregateId: failedNotification.aggregateId,
      data: { ...failedNotification.data, attempts: 10, status: 503, error: 'receiver answered 503' },
    },
    'model.activated.v1': {
      aggregateId: model,
      data: { id: model, name: 'network-f3-test', featuresVersion: 3, previousId: null },
    },
  };
}

async function recordFixture<Type extends EventType>(
  trx: Knex.Transaction,
  clientId: string,
  type: Type,
  fixture: Fixture<DomainEvents[Type]>,
): Promise<void> {
  await recordEvent(
    trx,
    type === 'model.activated.v1' ? null : clientId,
    type,
    fixture.aggregateId,
    fixture.data,
  );
}

/** Records `perAggregate` job.updated events for each aggregate, revision 1, 2, ..., a few per transaction. */
async function recordSequences(
  aggregates: readonly string[],
  perAggregate: number,
  clientId: string,
): Promise<void> {
  // One writer per aggregate, as row locks make it in the product; the writers interleave with each other.
  await Promise.all(
    aggregates.map(async (aggregateId, writer) => {
      let revision = 1;
      while (revision <= perAggregate) {
        const size = 1 + ((writer + revision) % 3);
        await stack.services.db.transaction(async (trx) => {
          for (let index = 0; index < size && revision <= perAggregate; index += 1, revision += 1) {
            await recordEvent(trx, clientId, 'job.updated.v1', aggregateId, {
              id: aggregateId,
              externalId: `ext-${aggregateId}`,
              revision,
            });
          }
        });
      }
    }),
  );
}

interface Delivery {
  id: string;
  revision: number;
}

/** Per key, the events in log order: what a consumer of the partition sees. */
function byKey(messages: readonly Consumed[]): Map<string, Delivery[]> {
  const keyed = new Map<string, Delivery[]>();
  for (const message of messages) {
    const event = cloudEvent.parse(JSON.parse(message.value ?? ''));
    const list = keyed.get(message.key ?? '') ?? [];
    list.push({ id: event.id, revision: (event.data as { revision: number }).revision });
    keyed.set(message.key ?? '', list);
  }
  return keyed;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

describe('outbox relay', () => {
  it('publishes every event type to its topic as a CloudEvents envelope keyed by the aggregate id', async () => {
    const { client } = await createClient(stack.services.db, 'catalogue');
    const all = fixtures();
    // Recorded as part of an API request: the relay passes its id on in a header.
    await withRequestId('catalogue-trace', () =>
      stack.services.db.transaction(async (trx) => {
        for (const type of eventTypes) await recordFixture(trx, client.id, type, all[type]);
      }),
    );
    const rows = await stack.services
      .db('outbox')
      .select<{ eventId: string; eventType: EventType }[]>('eventId', 'eventType');

    relays.start();
    await relays.drained();
    const messages = await readToEnd(brokers, Object.values(topics.outbound));

    expect(messages).toHaveLength(eventTypes.length);
    const published = new Set<string>();
    for (const message of messages) {
      const event = cloudEvent.parse(JSON.parse(message.value ?? ''));
      const type = eventTypes.find((candidate) => cloudEventType(candidate) === event.type);
      if (!type) throw new Error(`unknown type ${event.type}`);
      published.add(type);
      const fixture = all[type];
      expect(message.topic).toBe(topics.outbound[eventAggregates[type]]);
      expect(message.key).toBe(fixture.aggregateId);
      expect(event.subject).toBe(fixture.aggregateId);
      expect(event.data).toEqual(fixture.data);
      expect(event.id).toBe(rows.find((row) => row.eventType === type)?.eventId);
      if (type === 'model.activated.v1') {
        expect(event.source).toBe('/lookiy-match');
        expect(event.clientid).toBeUndefined();
      } else {
        expect(event.source).toBe(`/lookiy-match/clients/${client.id}`);
        expect(event.clientid).toBe(client.id);
      }
      expect(message.headers).toMatchObject({
        'content-type': 'application/cloudevents+json; charset=UTF-8',
        ce_specversion: '1.0',
        ce_id: event.id,
        ce_type: event.type,
        ce_source: event.source,
        ce_subject: event.subject,
        ce_time: event.time,
        'x-request-id': 'catalogue-trace',
      });
    }
    expect([...published].sort()).toEqual([...eventTypes].sort());
    expect(await stack.services.db('outbox').whereNull('publishedAt')).toEqual([]);
  });

  it('with two relays running, publishes each event once and each aggregate’s events in order', async () => {
    const { client } = await createClient(stack.services.db, 'two-relays');
    const config = { relay: { batchSize: 7, pollMs: 50 } };
    const [first, second] = [relays.start(config), relays.start(config)];
    const aggregates: string[] = Array.from({ length: 12 }, () => randomUUID());
    await recordSequences(aggregates, 25, client.id);
    await relays.drained();

    expect([first, second].filter((relay) => relay.isLeader)).toHaveLength(1);
    const messages = await readToEnd(brokers, [topics.outbound.job]);
    const keyed = byKey(messages.filter((message) => aggregates.includes(message.key ?? '')));
    expect([...keyed.keys()].sort()).toEqual([...aggregates].sort());
    for (const deliveries of keyed.values()) {
      expect(deliveries.map((delivery) => delivery.revision)).toEqual(range(25));
    }
  });

  it('when the leader’s session dies mid-run, a relay takes over: nothing lost, order kept', async () => {
    const { client } = await createClient(stack.services.db, 'failover');
    const config = { relay: { batchSize: 5, pollMs: 50 } };
    const started = [relays.start(config), relays.start(config)];
    const aggregates: string[] = Array.from({ length: 10 }, () => randomUUID());
    const writing = recordSequences(aggregates, 30, client.id);

    const leader = await until('a relay leads', () => started.find((relay) => relay.isLeader));
    await until('the leader has published some events', async () => {
      const published = await stack.services
        .db('outbox')
        .whereIn('aggregateId', aggregates)
        .whereNotNull('publishedAt')
        .count<{ count: string }[]>({ count: '*' });
      return Number(published[0]?.count) >= 50;
    });
    // As if its connection broke or its host died: Postgres ends the session, and the lock goes with it.
    const terminated = await stack.services.db.raw<{ rows: unknown[] }>(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?',
      [`outbox-relay ${leader.id}`.slice(0, 63)],
    );
    expect(terminated.rows).toHaveLength(1);
    await writing;
    await relays.drained();

    const messages = await readToEnd(brokers, [topics.outbound.job]);
    const keyed = byKey(messages.filter((message) => aggregates.includes(message.key ?? '')));
    let duplicates = 0;
    for (const aggregateId of aggregates) {
      const deliveries = keyed.get(aggregateId) ?? [];
      const seen = new Set<string>();
      const firsts = deliveries.filter((delivery) => {
        if (seen.has(delivery.id)) return false;
        seen.add(delivery.id);
        return true;
      });
      duplicates += deliveries.length - firsts.length;
      expect(firsts.map((delivery) => delivery.revision)).toEqual(range(30));
    }
    process.stderr.write(
      `relay failover: ${aggregates.length * 30} events, ${duplicates} delivered twice, all in order\n`,
    );
    // At most the batches in flight when the session died are sent again: one being marked, one being sent.
    expect(duplicates).toBeLessThanOrEqual(2 * config.relay.batchSize);
  });
});
