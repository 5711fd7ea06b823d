import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { createClient } from '../../lib/clients.js';
import { outboxStatus, recordEvent } from '../../lib/db/outbox.js';
import { topicNames } from '../../lib/events/kafka.js';
import { relayMetrics } from '../../lib/metrics.js';
import { useTestContext } from '../support/context.js';
import { readToEnd } from '../support/kafka.js';
import { useRelays } from '../support/relays.js';
import { SpareBroker } from '../support/spare-broker.js';
import { until } from '../support/until.js';

const broker = new SpareBroker();
beforeAll(() => broker.start());
afterAll(() => broker.destroy());

const stack = useTestContext();
const relays = useRelays(stack);
const topic = topicNames(stack.config).outbound.job;

const published = z.object({ id: z.uuid(), data: z.object({ revision: z.number() }) });

async function failures(): Promise<number> {
  return (await relayMetrics.failures.get()).values[0]?.value ?? 0;
}

describe('outbox relay during a broker outage', () => {
  it('keeps the events while the broker is down and publishes every one, in order, when it returns', async () => {
    const { client } = await createClient(stack.services.db, 'outage');
    relays.start({
      kafka: { ...stack.config.kafka, brokers: broker.brokers },
      relay: { batchSize: 20, pollMs: 100 },
    });

    // A steady stream of events across the whole run: before, during and after the outage.
    const aggregates: string[] = Array.from({ length: 8 }, () => randomUUID());
    const revisions = new Map(aggregates.map((id) => [id, 0]));
    let written = 0;
    const stopWriting = new AbortController();
    const writer = (async () => {
      while (!stopWriting.signal.aborted) {
        const aggregateId = aggregates[written % aggregates.length] as string;
        const revision = (revisions.get(aggregateId) ?? 0) + 1;
        await stack.services.db.transaction((trx) =>
          recordEvent(trx, client.id, 'job.updated.v1', aggregateId, {
            id: aggregateId,
            externalId: `ext-${aggregateId}`,
            revision,
          }),
        );
        revisions.set(aggregateId, revision);
        written += 1;
        await sleep(10);
      }
    })();

    const publishedCount = async (): Promise<number> =>
      written - (await outboxStatus(stack.services.db)).unsent;
    await until('some events are published', async () => (await publishedCount()) >= 50);

    const failuresBefore = await failures();
    await broker.stop();
    await until('the relay has failed to publish', async () => (await failures()) > failuresBefore, {
      attempts: 2400,
    });
    const waiting = (await outboxStatus(stack.services.db)).unsent;
    expect(waiting).toBeGreaterThan(0);
    await broker.start();
    const writtenAtRestart = written;
    await until('more events are written after the broker is back', () => written >= writtenAtRestart + 100);
    stopWriting.abort();
    await writer;
    await relays.drained();

    const rows = await stack.services
      .db('outbox')
      .whereIn('aggregateId', aggregates)
      .select<{ eventId: string }[]>('eventId');
    expect(rows).toHaveLength(written);
    const messages = await readToEnd(broker.brokers, [topic]);
    const received = new Set<string>();
    let duplicates = 0;
    const revisionsSeen = new Map<string, number[]>();
    for (const message of messages) {
      const event = published.parse(JSON.parse(message.value ?? ''));
      if (received.has(event.id)) {
        duplicates += 1;
        continue;
      }
      received.add(event.id);
      const key = message.key ?? '';
      revisionsSeen.set(key, [...(revisionsSeen.get(key) ?? []), event.data.revision]);
    }
    expect(rows.filter((row) => !received.has(row.eventId))).toEqual([]);
    // An outage is a passing cause: the rows waited, none was parked as if the broker had refused it.
    expect(await stack.services.db('outbox').whereNotNull('parkedAt')).toEqual([]);
    for (const aggregateId of aggregates) {
      const count = revisions.get(aggregateId) ?? 0;
      expect(revisionsSeen.get(aggregateId)).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    }
    process.stderr.write(
      `relay outage: ${written} events (${waiting} waiting when the broker came back), ${received.size} arrived, ${duplicates} delivered twice\n`,
    );
  });
});
