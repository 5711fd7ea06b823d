import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { afterAll, afterEach, beforeAll, inject } from 'vitest';

import { createApp } from '../../api/app.js';
import { createClient } from '../../lib/clients.js';
import { loadConfig, type Config } from '../../lib/config.js';
import { migrateToLatest } from '../../lib/db/knex.js';
import { waitForRedis } from '../../lib/queues/connection.js';
import { queueNames, type QueueName } from '../../lib/queues/registry.js';
import { createServices, type Services } from '../../lib/services.js';
import { startWorkers, type RunningWorkers } from '../../workers/runner.js';
import { checkResponse } from './contract.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface HttpResponse<Body = unknown> {
  status: number;
  headers: Headers;
  body: Body;
}

export interface RequestOptions {
  key?: string | undefined;
  body?: unknown;
  /** Sent as is, for malformed-body tests. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestContext {
  config: Config;
  services: Services;
  baseUrl: string;
  schema: string;
  request<Body = Record<string, unknown>>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<HttpResponse<Body>>;
  /** Rows in a table of this test's schema (table names in camelCase, as the knex instance maps them). */
  countRows(table: string): Promise<number>;
  /** A new tenant with its API key. */
  newClient(name?: string): Promise<string>;
  /** Workers in this process for the given queues (all of them by default). */
  startWorkers(queues?: QueueName[]): Promise<RunningWorkers>;
}

interface Options {
  workers?: boolean;
  env?: Record<string, string>;
}

/**
 * A whole stack per test file: its own Postgres schema and Redis queue prefix, the real API on an
 * ephemeral port, and optionally workers in-process. Data is dropped when every test passed and kept
 * (schema and queues named in the output) when one failed, as evidence.
 */
export function useTestContext(options: Options = {}): TestContext {
  const id = randomBytes(5).toString('hex');
  const schema = `test_${id}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_MAX: '5',
    // Hash-tagged like the default, so the suite runs with the key layout a Redis Cluster needs.
    QUEUE_PREFIX: `{test-${id}}`,
    ADMIN_TOKEN,
    JOB_BACKOFF_MS: '50',
    // The broker the global setup found or started; topics named after the schema, so files share it.
    KAFKA_BROKERS: inject('kafkaBrokers').join(','),
    // The ingest consumer group follows the prefix (lib/config.ts), so a running service's never joins it.
    KAFKA_TOPIC_PREFIX: `${schema}.`,
    ...options.env,
  });
  let services: Services | undefined;
  let server: Server | undefined;
  const running: RunningWorkers[] = [];
  let failed = false;
  let baseUrl = '';

  const context: TestContext = {
    config,
    schema,
    get services(): Services {
      if (!services) throw new Error('the test context is not started');
      return services;
    },
    get baseUrl(): string {
      return baseUrl;
    },
    async request<Body>(
      method: string,
      path: string,
      request: RequestOptions = {},
    ): Promise<HttpResponse<Body>> {
      const headers: Record<string, string> = { ...request.headers };
      if (request.key !== undefined) headers.authorization = `Bearer ${request.key}`;
      let body: string | undefined = request.rawBody;
      if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
      const text = await response.text();
      const contentType = response.headers.get('content-type');
      const parsed: unknown = text && contentType?.includes('json') ? JSON.parse(text) : text || undefined;
      // Every answer the suite receives is checked against the OpenAPI document: the contract test.
      checkResponse(method, path, response.status, contentType, parsed);
      return { status: response.status, headers: response.headers, body: parsed as Body };
    },
    async countRows(table: string): Promise<number> {
      const row = await context.services.db(table).count({ count: '*' }).first();
      return Number(row?.count);
    },
    async newClient(name = 'tenant'): Promise<string> {
      return (await createClient(context.services.db, name)).apiKey;
    },
    async startWorkers(queues: QueueName[] = [...queueNames]): Promise<RunningWorkers> {
      const workers = await startWorkers(context.services, queues);
      running.push(workers);
      return workers;
    },
  };

  beforeAll(async () => {
    services = createServices(config, 'test');
    await migrateToLatest(services.db, schema);
    await waitForRedis(services.redis, 10_000);
    server = createApp(services).listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (options.workers) await context.startWorkers();
  });

  afterEach((test) => {
    if (test.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    for (const workers of running) await workers.close();
    if (server) {
      server.closeAllConnections();
      server.close();
    }
    if (!services) return;
    if (failed) {
      process.stderr.write(
        `Kept test data for inspection: schema ${schema}, queue prefix ${config.redis.queuePrefix}\n`,
      );
    } else {
      for (const name of queueNames) await services.queues.get(name).obliterate({ force: true });
      await services.db.raw('DROP SCHEMA ?? CASCADE', [schema]);
    }
    await services.close();
  });

  return context;
}
