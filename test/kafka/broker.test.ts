import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';

// The broker the global setup found or started (KAFKA_BROKERS, or the local one from scripts/kafka.sh).
const BROKERS = inject('kafkaBrokers');

interface Received {
  key: string | undefined;
  value: string | undefined;
  offset: string;
}

describe('local Kafka broker with kafkajs', () => {
  it(
    'creates a topic, produces keyed messages and consumes them in a group',
    { timeout: 60_000 },
    async () => {
      const suffix = randomUUID();
      const topic = `broker-test-${suffix}`;
      const groupId = `broker-test-${suffix}`;
      const sent = [
        { key: 'job-1', value: 'engineer' },
        { key: 'job-2', value: 'designer' },
        { key: 'job-3', value: 'analyst' },
      ];

      // On a fresh broker kafkajs may log one retried "group coordinator is not available" while
      // __consumer_offsets is being created; that is expected.
      const kafka = new Kafka({ clientId: 'broker-test', brokers: BROKERS, logLevel: logLevel.ERROR });
      const admin = kafka.admin();
      const producer = kafka.producer();
      const consumer = kafka.consumer({ groupId });

      let created = false;
      await admin.connect();
      try {
        created = await admin.createTopics({
          topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
          waitForLeaders: true,
        });
        expect(created).toBe(true);

        await producer.connect();
        await producer.send({ topic, messages: sent });

        const received: Received[] = [];
        let allReceived: () => void = () => undefined;
        const done = new Promise<void>((resolve) => {
          allReceived = resolve;
        });

        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          eachMessage: ({ message }) => {
            received.push({
              key: message.key?.toString(),
              value: message.value?.toString(),
              offset: message.offset,
            });
            if (received.length === sent.length) allReceived();
            return Promise.resolve();
          },
        });
        await done;

        // One partition, so order and offsets are deterministic.
        expect(received).toEqual(sent.map((m, i) => ({ ...m, offset: String(i) })));

        await consumer.disconnect();
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        expect(committed?.partitions).toEqual([
          { partition: 0, offset: String(sent.length), metadata: null },
        ]);
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
        if (created) await admin.deleteTopics({ topics: [topic] });
        await admin.disconnect();
      }
    },
  );
});
