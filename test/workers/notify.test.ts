import { afterEach, describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';
import {
  registerReceiver,
  waitForNotifications,
  WebhookReceiver,
  type Answer,
  type NotificationBody,
} from '../support/webhooks.js';

const ATTEMPTS = 3;
const TIMEOUT_MS = 300;

const stack = useTestContext({
  workers: true,
  env: {
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1',
    WEBHOOK_ATTEMPTS: String(ATTEMPTS),
    WEBHOOK_BACKOFF_MS: '20',
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
  },
});

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.stop();
});

async function receiver(answer: Answer): Promise<WebhookReceiver> {
  const started = await new WebhookReceiver(answer).start();
  receivers.push(started);
  return started;
}

async function clientWithCandidate(): Promise<{ key: string; candidateId: string }> {
  const key = await stack.newClient();
  await stack.request('POST', '/v1/jobs', {
    key,
    body: { externalId: 'go-1', title: 'Go engineer', description: 'Go services on Kubernetes.' },
  });
  const { body } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
    key,
    body: kubernetesGoCandidate,
  });
  return { key, candidateId: body.id };
}

async function outboxEvents(aggregateId: string) {
  return (await stack.services.db('outbox').where({ aggregateId }).orderBy('id')) as {
    eventId: string;
    eventType: string;
    payload: Record<string, unknown>;
  }[];
}

describe('webhook notifications (match → notify queue → a real receiver)', () => {
  it('retries a completed match’s notification after 500s with the same signed webhook-id, then delivers it', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const { key, candidateId } = await clientWithCandidate();
    await registerReceiver(stack, key, hook);

    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId },
    });
    const match = await waitForMatch(stack, key, submitted.body.id);
    expect(match.status).toBe('completed');
    const [notification] = await waitForNotifications(stack, key, 1);

    expect(notification).toMatchObject({
      type: 'match.completed.v1',
      requestId: match.id,
      status: 'delivered',
      attempts: 3,
      lastResponseStatus: 200,
      lastError: null,
      url: hook.url,
    });
    expect(hook.received).toHaveLength(3);
    expect(hook.received.every((request) => request.verified)).toBe(true);
    expect(new Set(hook.received.map((request) => request.id))).toEqual(new Set([notification?.eventId]));

    const events = await outboxEvents(match.id);
    const completed = events.find((event) => event.eventType === 'match.completed.v1');
    // The webhook carries the outbox event: the same id and data as on Kafka.
    expect(notification?.eventId).toBe(completed?.eventId);
    expect(hook.received[0]?.body).toMatchObject({
      type: 'match.completed.v1',
      data: {
        id: match.id,
        status: 'completed',
        subject: { type: 'candidate', id: candidateId },
        resultCount: match.results?.length,
      },
    });
    const delivered = await outboxEvents(notification?.id ?? '');
    expect(delivered.map((event) => event.eventType)).toEqual(['notification.delivered.v1']);
    expect(delivered[0]?.payload).toEqual({
      notificationId: notification?.id,
      requestId: match.id,
      eventId: notification?.eventId,
      url: hook.url,
      attempts: 3,
      status: 200,
    });
  });

  it('notifies a failed match with its error', async () => {
    const hook = await receiver(() => 204);
    const { key, candidateId } = await clientWithCandidate();
    await registerReceiver(stack, key, hook);
    // Held until the subject is gone, so the worker finds it deleted and fails the request.
    const matchQueue = stack.services.queues.get('match');
    await matchQueue.pause();
    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId },
    });
    await stack.request('DELETE', `/v1/candidates/${candidateId}`, { key });
    await matchQueue.resume();

    expect((await waitForMatch(stack, key, submitted.body.id)).status).toBe('failed');
    const [notification] = await waitForNotifications(stack, key, 1);
    expect(notification).toMatchObject({ type: 'match.failed.v1', status: 'delivered', attempts: 1 });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.verified).toBe(true);
    expect(hook.received[0]?.body).toMatchObject({
      type: 'match.failed.v1',
      data: {
        id: submitted.body.id,
        status: 'failed',
        error: expect.stringContaining('no longer exists') as unknown,
      },
    });
  });

  it('fails for good when the receiver keeps failing: recorded, listed and published', async () => {
    const hook = await receiver(() => 503);
    const { key, candidateId } = await clientWithCandidate();
    await registerReceiver(stack, key, hook);
    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId },
    });
    await waitForMatch(stack, key, submitted.body.id);

    const [notification] = await waitForNotifications(stack, key, 1);
    expect(notification).toMatchObject({
      requestId: submitted.body.id,
      status: 'failed',
      attempts: ATTEMPTS,
      lastResponseStatus: 503,
      lastError: 'answered HTTP 503',
    });
    expect(notification?.finishedAt).not.toBeNull();
    expect(hook.received).toHaveLength(ATTEMPTS);
    expect(new Set(hook.received.map((request) => request.id)).size).toBe(1);
    const failed = await outboxEvents(notification?.id ?? '');
    expect(failed.map((event) => event.eventType)).toEqual(['notification.failed.v1']);
    expect(failed[0]?.payload).toMatchObject({
      notificationId: notification?.id,
      requestId: submitted.body.id,
      attempts: ATTEMPTS,
      status: 503,
      error: 'answered HTTP 503',
    });
  });

  it('counts a receiver that never answers as a failed attempt', async () => {
    const hook = await receiver(() => 'hang');
    const key = await stack.newClient();
    await registerReceiver(stack, key, hook);
    const ping = await stack.request<NotificationBody>('POST', '/v1/webhook/test', { key });
    expect(ping.status).toBe(202);

    const [notification] = await waitForNotifications(stack, key, 1);
    expect(notification).toMatchObject({
      id: ping.body.id,
      type: 'webhook.test.v1',
      status: 'failed',
      attempts: ATTEMPTS,
      lastResponseStatus: null,
      lastError: `no answer within ${TIMEOUT_MS} ms`,
    });
    expect(hook.received).toHaveLength(ATTEMPTS);
    // Test pings concern no match request, so they publish no notification events.
    expect(await outboxEvents(ping.body.id)).toEqual([]);
  });

  it('delivers a test ping, which only its own client can see', async () => {
    const hook = await receiver(() => 200);
    const key = await stack.newClient();
    const other = await stack.newClient();
    await registerReceiver(stack, key, hook);
    const ping = await stack.request<NotificationBody>('POST', '/v1/webhook/test', { key });
    expect(ping.headers.get('location')).toBe(`/v1/notifications/${ping.body.id}`);

    await waitForNotifications(stack, key, 1);
    const view = await stack.request<NotificationBody>('GET', `/v1/notifications/${ping.body.id}`, { key });
    expect(view.body).toMatchObject({ status: 'delivered', attempts: 1, lastResponseStatus: 200 });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({ id: ping.body.eventId, verified: true });
    expect(hook.received[0]?.body.type).toBe('webhook.test.v1');

    expect((await stack.request('GET', `/v1/notifications/${ping.body.id}`, { key: other })).status).toBe(
      404,
    );
    expect((await stack.request('GET', '/v1/notifications', { key: other })).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('refuses to deliver once the destination is off limits, without retrying', async () => {
    const key = await stack.newClient();
    const hook = await receiver(() => 200);
    await registerReceiver(stack, key, hook);
    // As if the address behind the URL had changed since registration: a private address now.
    await stack.services
      .db('webhooks')
      .where({ url: hook.url })
      .update({ url: 'http://10.20.30.40:8080/hook' });

    const ping = await stack.request<NotificationBody>('POST', '/v1/webhook/test', { key });
    const [notification] = await waitForNotifications(stack, key, 1);
    expect(notification).toMatchObject({
      id: ping.body.id,
      status: 'failed',
      attempts: 1,
      url: 'http://10.20.30.40:8080/hook',
    });
    expect(notification?.lastError).toContain('10.20.30.40 is a private address');
    expect(hook.received).toHaveLength(0);
  });

  it('fails a notification whose webhook was removed before delivery', async () => {
    const hook = await receiver(() => 200);
    const key = await stack.newClient();
    await registerReceiver(stack, key, hook);
    const notifyQueue = stack.services.queues.get('notify');
    await notifyQueue.pause();
    const ping = await stack.request<NotificationBody>('POST', '/v1/webhook/test', { key });
    expect((await stack.request('DELETE', '/v1/webhook', { key })).status).toBe(204);
    await notifyQueue.resume();

    const [notification] = await waitForNotifications(stack, key, 1);
    expect(notification).toMatchObject({ id: ping.body.id, status: 'failed', attempts: 0 });
    expect(notification?.lastError).toContain('webhook was removed');
    expect(hook.received).toHaveLength(0);
  });
});
