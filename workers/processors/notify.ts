import { DelayedError, UnrecoverableError, type Job } from 'bullmq';

import { PermanentJobError } from '../../lib/errors.js';
import { AddressPolicy, systemResolver } from '../../lib/notifications/addresses.js';
import { deliverNotification, type DeliveryOutcome } from '../../lib/notifications/notifications.js';
import { DeliveryRateLimiter } from '../../lib/notifications/rate-limit.js';
import { SecretBox } from '../../lib/notifications/secret-box.js';
import { WebhookTransport } from '../../lib/notifications/transport.js';
import type { QueuePayloads } from '../../lib/queues/registry.js';
import type { Services } from '../../lib/services.js';

export function notifyProcessor(services: Pick<Services, 'db' | 'redis' | 'config'>) {
  const { webhooks, redis } = services.config;
  const transport = new WebhookTransport({
    timeoutMs: webhooks.timeoutMs,
    policy: new AddressPolicy(webhooks.allowedNetworks),
    resolver: systemResolver,
  });
  const limiter = new DeliveryRateLimiter(services.redis, redis.queuePrefix, webhooks.rateLimit);
  const secrets = new SecretBox(webhooks.secretKeys);
  return async (job: Job<QueuePayloads['notify']>, token?: string): Promise<DeliveryOutcome> => {
    const waitMs = await limiter.take(job.data.clientId);
    if (waitMs > 0) {
      // Back to the delayed set without using up an attempt: the client is over its rate, nothing failed.
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    try {
      return await deliverNotification({ db: services.db, transport, secrets }, job.data.notificationId, {
        lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      });
    } catch (error) {
      if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
