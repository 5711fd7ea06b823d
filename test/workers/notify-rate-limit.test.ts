import { afterAll, describe, expect, it } from 'vitest';

import { useTestContext } from '../support/context.js';
import { registerReceiver, waitForNotifications, WebhookReceiver } from '../support/webhooks.js';

// Two deliveries per client per 500 ms: a burst of pings has to wait for later windows.
const stack = useTestContext({
  env: {
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1',
    WEBHOOK_RATE_LIMIT: '2',
    WEBHOOK_RATE_WINDOW_MS: '500',
    WEBHOOK_ATTEMPTS: '1',
  },
});

const hook = new WebhookReceiver(() => 200);
afterAll(() => hook.stop());

describe('the per-client delivery rate limit', () => {
  it('holds a burst back without using up attempts, and delivers all of it', async () => {
    await hook.start();
    const key = await stack.newClient();
    await registerReceiver(stack, key, hook);
    const burst = 8;
    for (let ping = 0; ping < burst; ping += 1) await stack.request('POST', '/v1/webhook/test', { key });
    // The worker starts with the whole burst waiting, so it meets the limit however slow the machine is.
    await stack.startWorkers(['notify']);

    const notifications = await waitForNotifications(stack, key, burst);
    // One attempt each is all there is: a delivery held back by the limit would otherwise have failed.
    expect(notifications.map((notification) => [notification.status, notification.attempts])).toEqual(
      Array.from({ length: burst }, () => ['delivered', 1]),
    );
    expect(new Set(hook.received.map((request) => request.id)).size).toBe(burst);
    // ...and the limit did hold some back: those jobs were started more than once.
    const jobs = await stack.services.queues.get('notify').getJobs(['completed']);
    expect(jobs.some((job) => job.attemptsStarted > 1)).toBe(true);
  });
});
