import { describe, expect, it } from 'vitest';

import { WebhookDeliveryError } from '../../../lib/errors.js';
import { webhookBackoff } from '../../../lib/notifications/backoff.js';

const settings = { backoffMs: 1000, backoffMaxMs: 60_000 };

describe('webhookBackoff', () => {
  it('waits between half and all of an exponentially growing delay', () => {
    const lowest = webhookBackoff(settings, () => 0);
    const highest = webhookBackoff(settings, () => 1);
    expect([1, 2, 3, 4].map((attempts) => lowest(attempts))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((attempts) => highest(attempts))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('spreads retries that failed at the same moment', () => {
    const backoff = webhookBackoff(settings);
    const delays = new Set(Array.from({ length: 50 }, () => backoff(3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });

  it('never waits longer than the cap', () => {
    expect(webhookBackoff(settings, () => 1)(30)).toBe(60_000);
  });

  it('honours a longer Retry-After, up to the cap', () => {
    const backoff = webhookBackoff(settings, () => 0);
    expect(backoff(1, 'webhook', new WebhookDeliveryError('429', 10_000))).toBe(10_000);
    expect(backoff(1, 'webhook', new WebhookDeliveryError('503', 3_600_000))).toBe(60_000);
    expect(backoff(4, 'webhook', new WebhookDeliveryError('429', 10))).toBe(4000);
  });
});
