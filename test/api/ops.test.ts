import { describe, expect, it } from 'vitest';

import { createOpsApp } from '../../api/ops-app.js';
import { ReadinessProbe, type Readiness } from '../../lib/health.js';
import { useTestContext } from '../support/context.js';
import { seedBoard } from '../support/board.js';
import { waitForMatch } from '../support/polling.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
const stack = useTestContext({ workers: true, env: { METRICS_TOKEN } });
/** A broker address nothing listens on. */
const noBroker = useTestContext({ env: { KAFKA_BROKERS: '127.0.0.1:9', READINESS_TIMEOUT_MS: '500' } });

/** One sample of a metric from Prometheus text, 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

async function scrape(): Promise<string> {
  const response = await fetch(`${stack.baseUrl}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

describe('/healthz and /readyz', () => {
  it('is alive, and ready when Postgres, Redis and the broker answer', async () => {
    expect((await stack.request('GET', '/healthz')).status).toBe(200);
    const ready = await stack.request<Readiness>('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks).toMatchObject({
      postgres: { status: 'up', required: true },
      redis: { status: 'up', required: true },
      kafka: { status: 'up', required: false },
    });
  });

  it('stays ready without the broker (events wait in the outbox), and says the broker is down', async () => {
    const ready = await noBroker.request<Readiness>('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.kafka).toMatchObject({ status: 'down', required: false });
    expect(ready.body.checks.kafka?.error).toEqual(expect.any(String));
  });

  it('is not ready without the broker in a process that needs it (relay, ingest)', async () => {
    const probe = new ReadinessProbe({
      db: noBroker.services.db,
      redis: noBroker.services.redis,
      kafka: { brokers: ['127.0.0.1:9'], clientId: 'test', required: true },
      timeoutMs: 500,
    });
    const readiness = await probe.check();
    await probe.close();
    expect(readiness.status).toBe('not-ready');
    expect(readiness.checks.postgres?.status).toBe('up');
  });

  it('serves the same endpoints on the ops port of a worker process', async () => {
    const server = createOpsApp(stack.services).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${base}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(await metrics.text()).toContain('lookiy_job_run_seconds');
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('/metrics', () => {
  it('wants METRICS_TOKEN when it is set', async () => {
    const response = await stack.request('GET', '/metrics');
    expect(response.status).toBe(401);
  });

  it('moves as requests are served and matches run: HTTP by route, queue sizes, job times, results per model', async () => {
    const before = await scrape();
    const key = await stack.newClient();
    const { candidateId } = await seedBoard(stack, key);
    const submitted = await stack.request<{ id: string }>('POST', '/v1/match-requests', {
      key,
      body: { candidateId, topK: 5 },
    });
    const done = await waitForMatch(stack, key, submitted.body.id);
    const after = await scrape();

    const created = { method: 'POST', route: '/v1/match-requests', status: '202' };
    const count = 'lookiy_http_request_duration_seconds_count';
    expect(sample(after, count, created)).toBe(sample(before, count, created) + 1);
    const polled = { method: 'GET', route: '/v1/match-requests/:id', status: '200' };
    expect(sample(after, count, polled)).toBeGreaterThan(sample(before, count, polled));

    const scorer = { scorer: done.scorer ?? '?' };
    expect(sample(after, 'lookiy_match_requests_completed_total', scorer)).toBe(
      sample(before, 'lookiy_match_requests_completed_total', scorer) + 1,
    );
    expect(sample(after, 'lookiy_match_results_total', scorer)).toBe(
      sample(before, 'lookiy_match_results_total', scorer) + (done.results?.length ?? 0),
    );
    const matchRuns = { queue: 'match', outcome: 'completed' };
    expect(sample(after, 'lookiy_job_run_seconds_count', matchRuns)).toBeGreaterThan(
      sample(before, 'lookiy_job_run_seconds_count', matchRuns),
    );
    expect(sample(after, 'lookiy_job_wait_seconds_count', { queue: 'features' })).toBeGreaterThan(0);
    expect(after).toMatch(/lookiy_queue_jobs\{queue="match",state="completed"\} [1-9]/);
    expect(after).toContain('lookiy_outbox_unsent_events');
  });
});
