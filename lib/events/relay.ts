import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { Kafka, Message, Producer } from 'kafkajs';

import type { Config } from '../config.js';
import { OutboxSession, type UnsentEvent } from '../db/outbox-session.js';
import type { Logger } from '../logger.js';
import { relayMetrics } from '../metrics.js';
import { toKafkaMessage } from './envelope.js';
import { ensureTopics, orderedProducer, recordRefusal, topicNames, type TopicNames } from './kafka.js';
import type { AggregateType } from './registry.js';

/** Longest wait between attempts while the broker or Postgres is away. */
const MAX_BACKOFF_MS = 10_000;

export interface RelayDeps {
  config: Config;
  logger: Logger;
  kafka: Kafka;
}

/**
 * Publishes outbox rows to Kafka, oldest first, and marks them published.
 *
 * Any number of relays may run; one leads. The leader is the one whose own Postgres session holds the relay's
 * advisory lock; the others poll for the lock every RELAY_POLL_MS and take over when the leader's session
 * ends (a stop, a crash, a broken connection). The leader reads a batch in outbox id order, sends it with
 * an idempotent producer that has one request in flight, waits for the broker's acknowledgement, and only
 * then marks the rows, through the lock-holding session. So each aggregate's events (one topic, keyed by the
 * aggregate id, one partition) go out in the order they were recorded, and a row is published again only
 * when a relay stopped between sending and marking it (at most its last two batches: one being marked while
 * the next is sent): at least once, with duplicates only around a crash, a lost connection or a batch the
 * broker refused (below). Consumers deduplicate by the CloudEvents id.
 *
 * The leader sleeps until Postgres notifies an outbox insert, or RELAY_POLL_MS passes. While the broker
 * or Postgres is down the rows wait, and the relay retries with a growing pause.
 *
 * A row the broker refuses for good (too large, invalid: see recordRefusal) is parked, and the relay goes
 * on with the rows after it. A parked row leaves its aggregate's order: the aggregate's later events are
 * published without it, and an admin retry publishes it after them. Consumers that need an aggregate's
 * latest state compare the events' time (and a profile's revision) rather than trust arrival order.
 */
export class OutboxRelay {
  /** Names this relay in logs and, as application_name, in pg_stat_activity. */
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly topics: TopicNames;
  private session: OutboxSession | undefined;
  private producer: Producer | undefined;
  private leading = false;
  private stopping = false;
  private running: Promise<void> | undefined;
  /** A notification (or stop) came while the relay was busy: the next pause is skipped. */
  private woken = false;
  private endPause: (() => void) | undefined;

  constructor(private readonly deps: RelayDeps) {
    this.topics = topicNames(deps.config);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Finishes the batch in hand, then ends the session (releasing the lock) and disconnects the producer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    await this.dropSession();
    await this.dropProducer();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.cycle();
        failures = 0;
      } catch (error) {
        failures += 1;
        relayMetrics.failures.inc();
        this.deps.logger.warn(
          { err: error, relay: this.id, failures },
          'outbox relay cycle failed; retrying',
        );
        // A fresh producer gets a new producer id: an idempotent producer's sequence numbers do not
        // survive every broker error, and the rows are sent again from the oldest unmarked one anyway.
        await this.dropProducer();
        if (this.session && !this.session.alive) await this.dropSession();
      }
      // A cycle ends when the outbox ran dry; rows that came meanwhile have notified, and end the pause.
      const pollMs = this.deps.config.relay.pollMs;
      await this.pause(failures === 0 ? pollMs : Math.min(pollMs * 2 ** failures, MAX_BACKOFF_MS));
    }
  }

  /**
   * One round: become or stay leader, then publish batches until one comes back short. Returns how many
   * rows it published. Pipelined on the one session, whose queries run in the order they are issued: while
   * a batch is on its way to the broker the next one is read (leaving out the batch in flight), and a batch
   * is marked once the broker has acknowledged it, while the next one is sent.
   */
  private async cycle(): Promise<number> {
    const session = await this.openSession();
    if (!this.leading) {
      if (!(await session.tryLead())) return 0;
      this.setLeading(true);
      this.deps.logger.info({ relay: this.id }, 'outbox relay leads: publishing');
    }
    const { batchSize } = this.deps.config.relay;
    let rows = await session.readUnsent(batchSize, []);
    if (rows.length === 0) return 0;
    let producer = await this.openProducer();
    let published = 0;
    let marking: Promise<number> = Promise.resolve(0);
    while (rows.length > 0) {
      const ids = rows.map((row) => row.id);
      const sending = producer.sendBatch({ topicMessages: this.topicMessages(rows), acks: -1 });
      const next =
        rows.length < batchSize || this.stopping ? Promise.resolve([]) : session.readUnsent(batchSize, ids);
      // Should the send fail, these still settle on their own; the failure is the send's.
      next.catch(() => undefined);
      const refused = await sending.then(
        () => false,
        (error: unknown) => {
          if (recordRefusal(error) === undefined) throw error;
          return true;
        },
      );
      published += await marking;
      if (refused) {
        marking = Promise.resolve(0);
        published += await this.sendOneByOne(session, rows);
        producer = await this.openProducer();
      } else {
        marking = session.markPublished(ids).then(() => {
          relayMetrics.published.inc(ids.length);
          return ids.length;
        });
        marking.catch(() => undefined);
      }
      rows = await next;
    }
    published += await marking;
    this.deps.logger.debug({ relay: this.id, count: published }, 'published');
    return published;
  }

  /**
   * After the broker refused a batch for good: sends its rows one at a time, in order, to tell a row the
   * broker refuses (parked, with the broker's answer) from rows it refused only as part of the batch (a
   * batch can be too large where none of its rows is). Rows of the batch the broker took before refusing
   * the rest go out again, as duplicates consumers drop by id. A refused request can leave an idempotent
   * producer's sequence numbers behind the broker's, so each one is followed by a fresh producer. Any other
   * failure ends the cycle, as a failed batch does. Returns how many rows it published.
   */
  private async sendOneByOne(session: OutboxSession, rows: readonly UnsentEvent[]): Promise<number> {
    await this.dropProducer();
    let published = 0;
    for (const row of rows) {
      const producer = await this.openProducer();
      const refusal = await producer
        .send({ topic: this.topicOf(row), messages: [toKafkaMessage(row)], acks: -1 })
        .then(
          () => undefined,
          (error: unknown) => {
            const reason = recordRefusal(error);
            if (reason === undefined) throw error;
            return reason;
          },
        );
      if (refusal === undefined) {
        await session.markPublished([row.id]);
        relayMetrics.published.inc();
        published += 1;
        continue;
      }
      await this.dropProducer();
      await session.park(row.id, refusal);
      relayMetrics.parked.inc();
      this.deps.logger.error(
        {
          relay: this.id,
          outboxId: row.id,
          eventId: row.eventId,
          eventType: row.eventType,
          aggregateId: row.aggregateId,
          reason: refusal,
        },
        'the broker refused an outbox event for good: parked; once the cause is fixed, retry it with POST /admin/outbox/parked/{id}/retry',
      );
    }
    return published;
  }

  private topicOf(row: UnsentEvent): string {
    return this.topics.outbound[row.aggregateType as AggregateType];
  }

  /** The batch per topic, each in outbox id order. */
  private topicMessages(rows: readonly UnsentEvent[]): { topic: string; messages: Message[] }[] {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const topic = this.topicOf(row);
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push(toKafkaMessage(row));
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  private async openSession(): Promise<OutboxSession> {
    if (this.session?.alive) return this.session;
    await this.dropSession();
    const { database } = this.deps.config;
    this.session = await OutboxSession.open({
      url: database.url,
      schema: database.schema,
      applicationName: `outbox-relay ${this.id}`.slice(0, 63),
      onNotify: () => {
        this.wake();
      },
      onLost: (error) => {
        if (this.leading) {
          this.deps.logger.warn({ err: error, relay: this.id }, 'outbox relay lost its session and the lead');
        }
        this.setLeading(false);
        this.wake();
      },
    });
    return this.session;
  }

  private async dropSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.setLeading(false);
    await session?.close();
  }

  private async openProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    await ensureTopics(this.deps.kafka, this.deps.config, Object.values(this.topics.outbound));
    const producer = this.deps.kafka.producer(orderedProducer);
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    return producer;
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch((error: unknown) => {
      this.deps.logger.debug({ err: error, relay: this.id }, 'producer disconnect failed');
    });
  }

  private setLeading(leading: boolean): void {
    if (leading !== this.leading) relayMetrics.leader.inc(leading ? 1 : -1);
    this.leading = leading;
  }

  private wake(): void {
    if (this.endPause) this.endPause();
    else this.woken = true;
  }

  private async pause(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        this.endPause = undefined;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.endPause = end;
    });
    this.woken = false;
  }
}
