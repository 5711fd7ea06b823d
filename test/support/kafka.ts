import { randomUUID } from 'node:crypto';

import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';

export interface Consumed {
  topic: string;
  partition: number;
  offset: number;
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string>;
}

function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.NOTHING });
}

/**
 * Every message the topics hold now (up to each partition's high watermark), in log order per partition,
 * read by a consumer group of its own. Topics that do not exist read as empty.
 */
export async function readToEnd(brokers: string[], topics: readonly string[]): Promise<Consumed[]> {
  const kafka = client(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  let existing: string[];
  try {
    const known = new Set(await admin.listTopics());
    existing = topics.filter((topic) => known.has(topic));
    for (const topic of existing) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        if (Number(high) > 0) ends.set(`${topic}/${partition}`, Number(high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];

  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
  const received: Consumed[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: existing, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: ({ topic, partition, message }) => {
            const offset = Number(message.offset);
            const end = ends.get(`${topic}/${partition}`);
            if (end !== undefined && offset < end) {
              received.push({
                topic,
                partition,
                offset,
                key: message.key?.toString(),
                value: message.value?.toString(),
                headers: Object.fromEntries(
                  Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
                ),
              });
              if (offset === end - 1) ends.delete(`${topic}/${partition}`);
            }
            if (ends.size === 0) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** Sends messages to a topic, one request each, in order; returns each one's offset. */
export async function produce(brokers: string[], topic: string, messages: Message[]): Promise<number[]> {
  const producer = client(brokers).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const offsets: number[] = [];
  try {
    for (const message of messages) {
      const [metadata] = await producer.send({ topic, messages: [message] });
      offsets.push(Number(metadata?.baseOffset));
    }
    return offsets;
  } finally {
    await producer.disconnect();
  }
}

/** Deletes the topics a test file made (named with its prefix), so the shared broker does not fill up. */
export async function deleteTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}
