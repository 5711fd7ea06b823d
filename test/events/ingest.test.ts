import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClient } from '../../lib/clients.js';
import type { Config } from '../../lib/config.js';
import { startIngest, type RunningIngest } from '../../lib/events/ingest.js';
import { createKafka, topicNames } from '../../lib/events/kafka.js';
import { ingestMetrics, metricsRegistry } from '../../lib/metrics.js';
import { createServices, type Services } from '../../lib/services.js';
import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { deleteTopics, produce, readToEnd } from '../support/kafka.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';

// One partition per topic, so "later messages on the partition" means every later message.
const stack = useTestContext({ workers: true, env: { KAFKA_TOPIC_PARTITIONS: '1' } });
const brokers = stack.config.kafka.brokers;
const topics = topicNames(stack.config);
const running: RunningIngest[] = [];
const fatal: Error[] = [];

async function ingest(services: Services): Promise<RunningIngest> {
  const started = await startIngest(services, createKafka(services.config, services.logger), {
    onFatal: (error) => fatal.push(error),
  });
  running.push(started);
  return started;
}

beforeAll(() => ingest(stack.services));
afterAll(async () => {
  for (const started of running) await started.close();
  await deleteTopics(brokers, stack.config.kafka.topicPrefix);
  expect(fatal).toEqual([]);
});

function upsertEvent(clientId: string, data: unknown, overrides: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/ats.example/boards/7',
    type: 'com.lookiy.job.upsert.v1',
    clientid: clientId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    ...overrides,
  };
}

const goJob = {
  externalId: 'ats-go-1',
  title: 'Senior Go Engineer',
  description:
    'Build Go microservices on Kubernetes with PostgreSQL and Kafka. gRPC APIs, Terraform, Prometheus.',
  skills: ['Go', 'Kubernetes', 'PostgreSQL'],
  remote: true,
};

async function jobByExternalId(
  clientId: string,
  externalId: string,
  services: Services = stack.services,
): Promise<{ id: string; revision: number } | undefined> {
  const row: unknown = await services.db('jobs').where({ clientId, externalId }).first('id', 'revision');
  return row as { id: string; revision: number } | undefined;
}

async function counted(outcome: string): Promise<number> {
  const metric = await ingestMetrics.messages.get();
  return metric.values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
}

describe('Kafka ingest', () => {
  it('creates a job that a match request then ranks; a replay of the event changes nothing', async () => {
    const { client, apiKey } = await createClient(stack.services.db, 'ats');
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key: apiKey,
      body: kubernetesGoCandidate,
    });
    const event = JSON.stringify(upsertEvent(client.id, goJob));
    await produce(brokers, topics.ingest.job, [{ key: goJob.externalId, value: event }]);

    const job = await until('the ingested job exists', () => jobByExternalId(client.id, goJob.externalId));
    expect(job.revision).toBe(1);
    const view = await stack.request<{ title: string; skills: string[] }>('GET', `/v1/jobs/${job.id}`, {
      key: apiKey,
    });
    expect(view.body).toMatchObject({ title: goJob.title, skills: goJob.skills });

    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key: apiKey,
      body: { candidateId: candidate.id, topK: 5 },
    });
    const done = await waitForMatch(stack, apiKey, submitted.body.id);
    expect(done.status).toBe('completed');
    expect(done.results?.[0]?.targetId).toBe(job.id);

    // The same event again (a redelivery), then a new one behind it on the partition: once the new one is
    // applied, the replay has been handled.
    const duplicatesBefore = await counted('duplicate');
    const marker = { ...goJob, externalId: 'ats-marker', title: 'Marker posting' };
    await produce(brokers, topics.ingest.job, [
      { key: goJob.externalId, value: event },
      { key: marker.externalId, value: JSON.stringify(upsertEvent(client.id, marker)) },
    ]);
    await until('the event behind the replay is applied', () =>
      jobByExternalId(client.id, marker.externalId),
    );

    expect(await jobByExternalId(client.id, goJob.externalId)).toEqual(job);
    const events = await stack.services.db('outbox').where({ aggregateId: job.id }).select('eventType');
    expect(events).toEqual([{ eventType: 'job.created.v1' }]);
    expect(await stack.services.db('processedEvents').where({ clientId: client.id })).toHaveLength(2);
    expect(await counted('duplicate')).toBe(duplicatesBefore + 1);
  });

  it('dead-letters messages that can never apply, with the reason, and goes on with the partition', async () => {
    const { client } = await createClient(stack.services.db, 'poison');
    const valid = { ...goJob, externalId: 'after-poison' };
    const poison = [
      'not json {',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify(upsertEvent(client.id, goJob, { type: 'com.lookiy.candidate.upsert.v1' })),
      JSON.stringify(upsertEvent(client.id, { externalId: 'no-title', description: 'A job.' })),
      JSON.stringify(upsertEvent(randomUUID(), goJob)),
    ];
    const offsets = await produce(brokers, topics.ingest.job, [
      ...poison.map((value) => ({ key: 'poison', value, headers: { origin: 'test' } })),
      { key: 'poison', value: JSON.stringify(upsertEvent(client.id, valid)) },
    ]);

    await until('the message after the poison is applied', () =>
      jobByExternalId(client.id, valid.externalId),
    );
    const dead = await readToEnd(brokers, [topics.deadLetter]);
    const mine = dead.filter((message) => message.key === 'poison');
    expect(mine.map((message) => message.headers['dlq-reason-code'])).toEqual([
      'malformed-event',
      'malformed-event',
      'unexpected-type',
      'invalid-data',
      'unknown-tenant',
    ]);
    mine.forEach((message, index) => {
      expect(message.value).toBe(poison[index]);
      expect(message.headers).toMatchObject({
        origin: 'test',
        'dlq-source-topic': topics.ingest.job,
        'dlq-partition': '0',
        'dlq-offset': String(offsets[index]),
        'dlq-consumer-group': stack.config.kafka.consumerGroup,
      });
      expect(message.headers['dlq-reason']?.length).toBeGreaterThan(10);
    });
    expect(mine[0]?.headers['dlq-reason']).toContain('not JSON');
    expect(mine[3]?.headers['dlq-reason']).toContain('/data/title');
    expect(await stack.services.db('jobs').where({ clientId: client.id })).toHaveLength(1);
  });

  it('retries while Postgres is unreachable instead of dead-lettering, and applies the event when it returns', async () => {
    // A second consumer, on topics and a group of its own, whose Postgres connections go through a proxy.
    const proxy = new TcpProxy('127.0.0.1', 5432);
    await proxy.start();
    const url = new URL(stack.config.database.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const config: Config = {
      ...stack.config,
      database: { ...stack.config.database, url: url.toString() },
      kafka: {
        ...stack.config.kafka,
        topicPrefix: `${stack.config.kafka.topicPrefix}pgdown.`,
        consumerGroup: 'ingest-pg-down',
      },
    };
    const services = createServices(config, 'ingest-pg-down');
    try {
      const { client } = await createClient(stack.services.db, 'pg-down');
      const proxied = topicNames(config);
      const started = await ingest(services);

      await proxy.stop();
      const retriesBefore = (await ingestMetrics.retries.get()).values[0]?.value ?? 0;
      await produce(brokers, proxied.ingest.job, [
        { key: goJob.externalId, value: JSON.stringify(upsertEvent(client.id, goJob)) },
      ]);
      await until(
        'the consumer has failed to apply it',
        async () => ((await ingestMetrics.retries.get()).values[0]?.value ?? 0) > retriesBefore,
      );
      await proxy.start();

      await until('the event is applied', () => jobByExternalId(client.id, goJob.externalId));
      expect(await readToEnd(brokers, [proxied.deadLetter])).toEqual([]);
      await started.close();
      running.splice(running.indexOf(started), 1);
    } finally {
      await services.close();
      await proxy.stop();
    }
  });

  it('applies an event under the X-Request-Id its producer sent, and reports the group’s lag per partition', async () => {
    const { client } = await createClient(stack.services.db, 'traced');
    const traced = { ...goJob, externalId: 'ats-traced' };
    await produce(brokers, topics.ingest.job, [
      {
        key: traced.externalId,
        value: JSON.stringify(upsertEvent(client.id, traced)),
        headers: { 'x-request-id': 'ats-trace-7' },
      },
    ]);
    const job = await until('the traced job exists', () => jobByExternalId(client.id, traced.externalId));
    const created = (await stack.services.db('outbox').where({ aggregateId: job.id }).first()) as {
      requestId: string | null;
    };
    expect(created.requestId).toBe('ats-trace-7');

    const lag = await until('the lag of the ingest topic is reported', async () => {
      const metric = await metricsRegistry.getSingleMetric('lookiy_kafka_consumer_lag')?.get();
      const values = metric?.values.filter((value) => value.labels.topic === topics.ingest.job) ?? [];
      return values.length > 0 ? values : undefined;
    });
    for (const value of lag) expect(value.value).toBeGreaterThanOrEqual(0);
    await until('the group has caught up', async () => {
      const metric = await metricsRegistry.getSingleMetric('lookiy_kafka_consumer_lag')?.get();
      const values = metric?.values.filter((value) => value.labels.topic === topics.ingest.job) ?? [];
      return values.length > 0 && values.every((value) => value.value === 0) ? true : undefined;
    });
  });
});
