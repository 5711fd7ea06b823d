import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';

import { purgeBatch } from '../../lib/db/retention.js';
import { metricsRegistry } from '../../lib/metrics.js';
import { purgeExpired } from '../../lib/retention.js';
import { useTestContext } from '../support/context.js';
import { until } from '../support/until.js';

// Two rows per statement, so every purge below takes several; match requests are kept 30 days.
const stack = useTestContext({
  env: { PURGE_BATCH: '2', PURGE_INTERVAL_MS: '200', MATCH_REQUEST_RETENTION_DAYS: '30' },
});

let db: Knex;
let clientId: string;

beforeAll(async () => {
  db = stack.services.db;
  await stack.newClient();
  clientId = (await db('clients').first<{ id: string }>('id')).id;
});

/** A time `hours` ago by the database's clock. */
const ago = (hours: number): Knex.Raw => db.raw('now() - make_interval(hours => ?)', [hours]);

async function outboxRow(label: string, publishedHoursAgo: number | null): Promise<void> {
  await db('outbox').insert({
    clientId,
    aggregateType: 'test',
    aggregateId: randomUUID(),
    eventType: label,
    payload: JSON.stringify({}),
    createdAt: ago(publishedHoursAgo ?? 100),
    publishedAt: publishedHoursAgo === null ? null : ago(publishedHoursAgo),
  });
}

async function processedEvent(eventId: string, hoursAgo: number): Promise<void> {
  await db('processedEvents').insert({
    consumer: 'test',
    clientId,
    source: 'test',
    eventId,
    processedAt: ago(hoursAgo),
  });
}

async function notification(
  status: 'pending' | 'delivered' | 'failed',
  hoursAgo: number,
  requestId: string | null = null,
): Promise<string> {
  const [row] = await db('notifications')
    .insert({
      clientId,
      eventType: status,
      requestId,
      payload: JSON.stringify({}),
      url: 'https://receiver.example/hook',
      status,
      createdAt: ago(hoursAgo),
      finishedAt: status === 'pending' ? null : ago(hoursAgo),
    })
    .returning<{ id: string }[]>('id');
  return row?.id ?? '';
}

async function idempotencyKey(key: string, expiresHoursAgo: number): Promise<void> {
  await db('idempotencyKeys').insert({
    clientId,
    key,
    requestHash: 'hash',
    responseStatus: 202,
    createdAt: ago(expiresHoursAgo + 24),
    expiresAt: ago(expiresHoursAgo),
  });
}

/** A match request `daysAgo` old, finished then unless still queued or running, with two results. */
async function matchRequest(status: 'queued' | 'running' | 'completed' | 'failed', daysAgo: number) {
  const finished = status === 'completed' || status === 'failed';
  const [row] = await db('matchRequests')
    .insert({
      clientId,
      subjectType: 'candidate',
      subjectId: randomUUID(),
      topK: 2,
      status,
      createdAt: ago(daysAgo * 24),
      completedAt: finished ? ago(daysAgo * 24) : null,
    })
    .returning<{ id: string }[]>('id');
  const id = row?.id ?? '';
  await db('matchResults').insert(
    [1, 2].map((rank) => ({
      requestId: id,
      rank,
      targetId: randomUUID(),
      targetExternalId: `target-${rank}`,
      score: 1 / rank,
      explanation: JSON.stringify({}),
    })),
  );
  return id;
}

/** A bulk match run `daysAgo` old, finished then unless still queued or running, with one subject's results. */
async function matchRun(status: 'queued' | 'running' | 'completed' | 'failed', daysAgo: number) {
  const finished = status === 'completed' || status === 'failed';
  const [row] = await db('matchRuns')
    .insert({
      clientId,
      subjectType: 'candidate',
      topK: 2,
      status,
      createdAt: ago(daysAgo * 24),
      completedAt: finished ? ago(daysAgo * 24) : null,
    })
    .returning<{ id: string }[]>('id');
  const id = row?.id ?? '';
  await db('matchRunResults').insert({
    runId: id,
    subjectId: randomUUID(),
    subjectExternalId: 'subject-1',
    results: JSON.stringify([]),
  });
  return id;
}

async function column<Value>(table: string, name: string): Promise<Value[]> {
  return ((await db(table).select(name).orderBy(name)) as Record<string, Value>[]).map(
    (row) => row[name] as Value,
  );
}

async function metric(name: string, table: string): Promise<number | undefined> {
  const values = (await metricsRegistry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((value) => value.labels.table === table)?.value;
}

async function clearAll(): Promise<void> {
  for (const table of [
    'outbox',
    'processedEvents',
    'notifications',
    'idempotencyKeys',
    'matchRequests',
    'matchRuns',
  ])
    await db(table).delete();
}

describe('retention', () => {
  it('purges what is past retention and keeps what is inside it or still pending', async () => {
    await clearAll();
    await outboxRow('old published', 48);
    await outboxRow('old published too', 30);
    await outboxRow('never published', null);
    await outboxRow('recent', 2);
    await processedEvent('old', 8 * 24);
    await processedEvent('recent', 24);
    await notification('delivered', 8 * 24);
    const kept = [
      await notification('delivered', 24),
      await notification('pending', 8 * 24),
      await notification('failed', 8 * 24),
    ];
    await idempotencyKey('expired', 1);
    await idempotencyKey('live', -1);
    const purgedRequests = [await matchRequest('completed', 40), await matchRequest('failed', 40)];
    const keptRequests = [
      await matchRequest('queued', 40),
      await matchRequest('running', 40),
      await matchRequest('completed', 10),
    ];
    const withFeedback = await matchRequest('completed', 40);
    await db('matchFeedback').insert({
      requestId: withFeedback,
      targetId: randomUUID(),
      clientId,
      outcome: 'hired',
    });
    const awaitingWebhook = await matchRequest('completed', 40);
    kept.push(await notification('pending', 40 * 24, awaitingWebhook));
    const counted = await metric('lookiy_retention_purged_rows_total', 'match_requests');
    await matchRun('completed', 40);
    await matchRun('failed', 40);
    const keptRuns = [await matchRun('running', 40), await matchRun('completed', 10)];

    expect(await purgeExpired(db, stack.config.retention)).toEqual({
      outbox: 2,
      processed_events: 1,
      notifications: 1,
      idempotency_keys: 1,
      match_requests: 2,
      match_runs: 2,
    });

    expect(await column('matchRuns', 'id')).toEqual([...keptRuns].sort());
    expect(await stack.countRows('matchRunResults')).toBe(2);
    expect(await column('outbox', 'eventType')).toEqual(['never published', 'recent']);
    expect(await column('processedEvents', 'eventId')).toEqual(['recent']);
    expect(await column('notifications', 'id')).toEqual([...kept].sort());
    expect(await column('idempotencyKeys', 'key')).toEqual(['live']);
    expect(await column('matchRequests', 'id')).toEqual(
      [...keptRequests, withFeedback, awaitingWebhook].sort(),
    );
    expect(await db('matchResults').whereIn('requestId', purgedRequests).count({ count: '*' })).toEqual([
      { count: '0' },
    ]);
    expect(await stack.countRows('matchResults')).toBe(2 * 5);
    expect(await stack.countRows('matchFeedback')).toBe(1);
    expect(await metric('lookiy_retention_purged_rows_total', 'match_requests')).toBe((counted ?? 0) + 2);
    // Repeated, it finds nothing more.
    expect(Object.values(await purgeExpired(db, stack.config.retention))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('keeps the newest published outbox row, which says when the relay last published', async () => {
    await clearAll();
    await outboxRow('older', 48);
    await outboxRow('newest published', 30);
    await outboxRow('waiting', null);

    await purgeExpired(db, stack.config.retention);

    expect(await column('outbox', 'eventType')).toEqual(['newest published', 'waiting']);
    const status = await stack.request<{ lastPublishedAt: string }>('GET', '/admin/outbox', {
      headers: { authorization: `Bearer ${stack.config.adminToken}` },
    });
    expect(Date.parse(status.body.lastPublishedAt)).toBeLessThan(Date.now() - 29 * 3_600_000);
  });

  it('deletes a batch per statement, and keeps match requests when their retention is off', async () => {
    await clearAll();
    for (let index = 0; index < 5; index += 1) await processedEvent(`old-${index}`, 8 * 24);
    await matchRequest('completed', 400);

    const batches = [];
    for (let pass = 0; pass < 4; pass += 1)
      batches.push(await purgeBatch(db, 'processed_events', stack.config.retention, 2));
    expect(batches).toEqual([2, 2, 1, 0]);

    const kept = { ...stack.config.retention, matchRequestDays: undefined };
    expect(await purgeExpired(db, kept)).not.toHaveProperty('match_requests');
    expect(await stack.countRows('matchRequests')).toBe(1);
  });

  it('lets purges run side by side: each row is purged once', async () => {
    await clearAll();
    for (let index = 0; index < 40; index += 1) await processedEvent(`old-${index}`, 8 * 24);
    const counted = await metric('lookiy_retention_purged_rows_total', 'processed_events');

    const summaries = await Promise.all([1, 2, 3].map(() => purgeExpired(db, stack.config.retention)));

    expect(summaries.reduce((sum, summary) => sum + (summary.processed_events ?? 0), 0)).toBe(40);
    expect(await stack.countRows('processedEvents')).toBe(0);
    expect(await metric('lookiy_retention_purged_rows_total', 'processed_events')).toBe((counted ?? 0) + 40);
  });

  it('shows how many rows wait to be purged and for how long, on /metrics', async () => {
    await clearAll();
    await outboxRow('old', 30);
    await outboxRow('older', 29);
    await outboxRow('newest', 26);
    await processedEvent('old', 7 * 24 + 2);
    await notification('delivered', 7 * 24 + 3);
    await idempotencyKey('expired', 4);

    const scrape = async (): Promise<string> => (await stack.request<string>('GET', '/metrics')).body;
    const before = await scrape();
    expect(before).toContain('lookiy_retention_purgeable_rows{table="outbox"} 2');
    expect(before).toContain('lookiy_retention_purgeable_rows{table="processed_events"} 1');
    expect(before).toContain('lookiy_retention_purgeable_rows{table="match_requests"} 0');
    const age = (table: string): number =>
      Number(
        new RegExp(`lookiy_retention_purgeable_age_seconds\\{table="${table}"\\} (\\S+)`).exec(before)?.[1],
      );
    // Each has been past its retention for the hours beyond it, give or take the test's own run time.
    expect(age('outbox') / 3600).toBeCloseTo(30 - 24, 1);
    expect(age('processed_events') / 3600).toBeCloseTo(2, 1);
    expect(age('notifications') / 3600).toBeCloseTo(3, 1);
    expect(age('idempotency_keys') / 3600).toBeCloseTo(4, 1);
    expect(age('match_requests')).toBe(0);

    await purgeExpired(db, stack.config.retention);
    const after = await scrape();
    for (const table of ['outbox', 'processed_events', 'notifications', 'idempotency_keys']) {
      expect(after).toContain(`lookiy_retention_purgeable_rows{table="${table}"} 0`);
      expect(after).toContain(`lookiy_retention_purgeable_age_seconds{table="${table}"} 0`);
    }
  });

  it('is scheduled by the workers that serve the maintenance queue, which purge on their own', async () => {
    await clearAll();
    const queues = stack.services.queues;
    const notify = await stack.startWorkers(['notify']);
    expect(await queues.isScheduled('maintenance', 'purge')).toBe(false);
    await notify.close();

    const maintenance = await stack.startWorkers(['maintenance']);
    try {
      expect(await queues.isScheduled('maintenance', 'purge')).toBe(true);
      expect(await queues.isScheduled('maintenance', 'reconcile')).toBe(true);
      await processedEvent('old', 8 * 24);
      await until(
        'the scheduled purge took the old row',
        async () => (await stack.countRows('processedEvents')) === 0,
      );

      // Redis lost the scheduler: the workers put it back.
      await queues.get('maintenance').removeJobScheduler('purge');
      await until('the purge is scheduled again', () => queues.isScheduled('maintenance', 'purge'));
      await processedEvent('old again', 8 * 24);
      await until('the purge runs again', async () => (await stack.countRows('processedEvents')) === 0);
    } finally {
      await maintenance.close();
    }
  });
});
