import { describe, expect, it } from 'vitest';

import { createLogger } from '../../lib/logger.js';
import { withRequestId } from '../../lib/request-context.js';
import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch } from '../support/polling.js';
import { registerReceiver, waitForNotifications, WebhookReceiver } from '../support/webhooks.js';

const stack = useTestContext({ workers: true, env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });

describe('one request, one trail (X-Request-Id)', () => {
  it('follows a match request from the API into job data, outbox events and the webhook', async () => {
    const key = await stack.newClient();
    const receiver = await new WebhookReceiver(() => 200).start();
    try {
      await registerReceiver(stack, key, receiver);
      const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
        key,
        body: kubernetesGoCandidate,
      });
      await stack.request('POST', '/v1/jobs', {
        key,
        body: { externalId: 'go-1', title: 'Go engineer', description: 'Go services on Kubernetes.' },
      });

      const submitted = await stack.request<{ id: string }>('POST', '/v1/match-requests', {
        key,
        body: { candidateId: candidate.id },
        headers: { 'x-request-id': 'support-ticket-4711' },
      });
      expect(submitted.headers.get('x-request-id')).toBe('support-ticket-4711');
      await waitForMatch(stack, key, submitted.body.id);
      await waitForNotifications(stack, key, 1);

      const job = await stack.services.queues.get('match').getJob(submitted.body.id);
      expect(job?.data).toMatchObject({
        requestId: submitted.body.id,
        trace: { requestId: 'support-ticket-4711' },
      });
      const events = (await stack.services
        .db('outbox')
        .where({ aggregateId: submitted.body.id })
        .orderBy('id')) as { eventType: string; requestId: string | null }[];
      expect(events.map(({ eventType, requestId }) => ({ eventType, requestId }))).toEqual([
        { eventType: 'match.requested.v1', requestId: 'support-ticket-4711' },
        { eventType: 'match.completed.v1', requestId: 'support-ticket-4711' },
      ]);
      const delivered = receiver.received.find((webhook) => webhook.body.type === 'match.completed.v1');
      expect(delivered?.requestId).toBe('support-ticket-4711');
    } finally {
      await receiver.stop();
    }
  });

  it('stamps every log line written for the request with its id', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ logLevel: 'info' }, 'test', {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    withRequestId('support-ticket-4711', () => {
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines.map(({ msg, requestId }) => ({ msg, requestId }))).toEqual([
      { msg: 'inside', requestId: 'support-ticket-4711' },
      { msg: 'outside', requestId: undefined },
    ]);
  });

  it('makes up an id when the caller sends none or one that is not safe to echo', async () => {
    const plain = await stack.request('GET', '/healthz');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await stack.request('GET', '/healthz', {
      headers: { 'x-request-id': 'a b\tc<script>' },
    });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const other = await stack.request('GET', '/healthz');
    expect(other.headers.get('x-request-id')).not.toBe(plain.headers.get('x-request-id'));
  });
});
