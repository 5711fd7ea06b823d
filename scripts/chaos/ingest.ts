/**
 * The ingest side of the full chaos run: a steady stream of job and candidate upserts (a few of them poison)
 * produced to the ingest topics while the ingest consumer is killed like the workers, and afterwards the
 * record of what became of each one: applied (processed_events and the row's revision) or dead-lettered.
 */
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Database } from '../../lib/db/knex.js';
import { cloudEventType, ingestTopics } from '../../lib/events/registry.js';
import type { ProfileKind } from '../../lib/queues/registry.js';
import { jobCorpus, kubernetesGoCandidate, nurseCandidate } from '../../test/fixtures/corpus.js';
import { readToEnd } from '../../test/support/kafka.js';
import type { Stream } from './random.js';

/** What an ingest event is meant to become. */
export type Expected = 'applied' | 'malformed-event' | 'unexpected-type' | 'invalid-data';

export interface ProducedEvent {
  id: string;
  kind: ProfileKind;
  externalId: string;
  expected: Expected;
  /** Acknowledged by the broker; an unconfirmed one may or may not have been written. */
  confirmed: boolean;
  at: number;
}

export interface IngestOutcome {
  produced: ProducedEvent[];
  /** processed_events ids of the ingest consumer group, each once (its primary key). */
  applied: string[];
  appliedAt: number[];
  /** Each dead-lettered copy: the message key (the poison event's id) and its dlq headers. */
  deadLettered: { key: string; code: string; reason: string }[];
  revisions: { kind: ProfileKind; externalId: string; revision: number }[];
}

const SOURCE = '/chaos/ingest';
const POISON_SHARE = 0.05;
const NEW_PROFILE_SHARE = 0.5;
const CANDIDATES = [kubernetesGoCandidate, nurseCandidate];
/** The fixture job board as the API takes it (without the fixture's family label). */
const JOBS: Record<string, unknown>[] = jobCorpus.map(({ family: _family, ...job }) => job);

export class IngestLoad {
  readonly produced: ProducedEvent[] = [];
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private readonly known: Record<ProfileKind, string[]> = { job: [], candidate: [] };

  constructor(
    brokers: string[],
    private readonly topics: Record<ProfileKind, string>,
    private readonly clientId: string,
    private readonly random: Stream,
  ) {
    this.kafka = new Kafka({
      clientId: 'chaos-ingest-producer',
      brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, maxRetryTime: 2000 },
    });
  }

  /** The next event: an upsert of a new or a known profile, or now and then one that can never apply. */
  private next(): { event: ProducedEvent; key: string; value: string } {
    const random = this.random;
    const kind: ProfileKind = random.next() < 0.6 ? 'job' : 'candidate';
    const id = random.uuid();
    const envelope = (type: string, data: unknown): string =>
      JSON.stringify({
        specversion: '1.0',
        id,
        source: SOURCE,
        type,
        clientid: this.clientId,
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data,
      });
    if (random.next() < POISON_SHARE) {
      const expected = random.pick(['malformed-event', 'unexpected-type', 'invalid-data'] as const);
      const externalId = `chaos-poison-${id}`;
      const other = kind === 'job' ? 'candidate' : 'job';
      const value =
        expected === 'malformed-event'
          ? `{"id":"${id}", not json`
          : expected === 'unexpected-type'
            ? envelope(cloudEventType(ingestTopics[other].type), { externalId })
            : envelope(cloudEventType(ingestTopics[kind].type), { externalId, skills: 'not a list' });
      return { event: { id, kind, externalId, expected, confirmed: false, at: 0 }, key: id, value };
    }
    const known = this.known[kind];
    const externalId =
      known.length === 0 || random.next() < NEW_PROFILE_SHARE
        ? `chaos-ingest-${kind}-${known.length + 1}`
        : random.pick(known);
    if (!known.includes(externalId)) known.push(externalId);
    let data: Record<string, unknown>;
    if (kind === 'job') {
      const job = random.pick(JOBS);
      data = { ...job, externalId, title: `${String(job.title)} (${id.slice(0, 8)})` };
    } else {
      data = { ...random.pick(CANDIDATES), externalId };
    }
    return {
      event: { id, kind, externalId, expected: 'applied', confirmed: false, at: 0 },
      key: externalId,
      value: envelope(cloudEventType(ingestTopics[kind].type), data),
    };
  }

  /**
   * Produces `rate` events a second until `stopped()`, one at a time: an event the broker does not take is
   * sent again (same id) until it is acknowledged or `giveUp()`, so the events of one profile keep their order.
   */
  async run(rate: number, now: () => number, stopped: () => boolean, giveUp: () => boolean): Promise<void> {
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    this.producer = producer;
    const interval = 1000 / rate;
    let due = Date.now();
    let connected = false;
    while (!stopped()) {
      const { event, key, value } = this.next();
      event.at = now();
      this.produced.push(event);
      while (!event.confirmed && !giveUp()) {
        try {
          if (!connected) {
            await producer.connect();
            connected = true;
          }
          await producer.send({ topic: this.topics[event.kind], messages: [{ key, value }] });
          event.confirmed = true;
        } catch {
          await sleep(500);
        }
      }
      due += interval;
      await sleep(Math.max(0, due - Date.now()));
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }

  /** Messages on the ingest topics the group has not committed yet. */
  async lag(group: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = Object.values(this.topics);
      let lag = 0;
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group, topics })) {
        const high = new Map(
          (await admin.fetchTopicOffsets(topic)).map((offset) => [offset.partition, Number(offset.high)]),
        );
        for (const { partition, offset } of partitions)
          lag += Math.max(0, (high.get(partition) ?? 0) - Math.max(0, Number(offset)));
      }
      return lag;
    } finally {
      await admin.disconnect();
    }
  }

  async outcome(
    db: Database,
    group: string,
    deadLetterTopic: string,
    brokers: string[],
    t0: number,
  ): Promise<IngestOutcome> {
    const applied = (
      await db.raw<{ rows: { id: string; at: number | string }[] }>(
        `SELECT event_id AS id, extract(epoch FROM processed_at) * 1000 AS at FROM processed_events
          WHERE consumer = ? AND source = ? ORDER BY processed_at`,
        [group, SOURCE],
      )
    ).rows;
    const revisions = (
      await db.raw<{ rows: { kind: ProfileKind; externalId: string; revision: number }[] }>(
        `SELECT 'job' AS kind, external_id AS "externalId", revision FROM jobs WHERE external_id LIKE 'chaos-%'
         UNION ALL
         SELECT 'candidate', external_id, revision FROM candidates WHERE external_id LIKE 'chaos-%'`,
      )
    ).rows;
    const dead = await readToEnd(brokers, [deadLetterTopic]);
    return {
      produced: this.produced,
      applied: applied.map((row) => row.id),
      appliedAt: applied.map((row) => (Number(row.at) - t0) / 1000),
      deadLettered: dead.map((message) => ({
        key: message.key ?? '',
        code: message.headers['dlq-reason-code'] ?? '',
        reason: message.headers['dlq-reason'] ?? '',
      })),
      revisions,
    };
  }
}
