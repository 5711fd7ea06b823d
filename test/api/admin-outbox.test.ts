import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { registerOutboxLagGauges } from '../../lib/metrics.js';
import { ADMIN_TOKEN, useTestContext } from '../support/context.js';
import { useRelays } from '../support/relays.js';

const stack = useTestContext();
const relays = useRelays(stack);

interface OutboxBody {
  unsent: number;
  oldestUnsentAgeSeconds: number;
  lastPublishedAt: string | null;
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return Number(line?.slice(name.length + 1));
}

describe('outbox lag', () => {
  it('needs the admin token', async () => {
    expect((await stack.request('GET', '/admin/outbox')).status).toBe(401);
    expect((await stack.request('GET', '/admin/outbox', { key: 'not-the-admin-token-at-all' })).status).toBe(
      401,
    );
  });

  it('shows what waits for the relay, on GET /admin/outbox and as Prometheus gauges', async () => {
    const registry = new Registry();
    registerOutboxLagGauges(() => [stack.services.db], registry);
    const key = await stack.newClient();
    for (const externalId of ['a', 'b', 'c']) {
      await stack.request('POST', '/v1/jobs', {
        key,
        body: { externalId, title: 'Go developer', description: 'Go services.' },
      });
    }

    const waiting = await stack.request<OutboxBody>('GET', '/admin/outbox', { key: ADMIN_TOKEN });
    expect(waiting.status).toBe(200);
    expect(waiting.body).toMatchObject({ unsent: 3, lastPublishedAt: null });
    expect(waiting.body.oldestUnsentAgeSeconds).toBeGreaterThanOrEqual(0);
    const metrics = await registry.metrics();
    expect(metricValue(metrics, 'lookiy_outbox_unsent_events')).toBe(3);
    expect(metricValue(metrics, 'lookiy_outbox_oldest_unsent_age_seconds')).toBeGreaterThanOrEqual(0);

    relays.start();
    await relays.drained();
    const drained = await stack.request<OutboxBody>('GET', '/admin/outbox', { key: ADMIN_TOKEN });
    expect(drained.body).toMatchObject({ unsent: 0, oldestUnsentAgeSeconds: 0 });
    expect(Date.parse(drained.body.lastPublishedAt ?? '')).not.toBeNaN();
    expect(metricValue(await registry.metrics(), 'lookiy_outbox_unsent_events')).toBe(0);
  });
});
