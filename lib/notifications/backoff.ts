import { WebhookDeliveryError } from '../errors.js';

/** The backoff type notify jobs carry; the notify worker's custom strategy computes it. */
export const WEBHOOK_BACKOFF = 'webhook';

export interface BackoffSettings {
  backoffMs: number;
  backoffMaxMs: number;
}

/**
 * Exponential backoff with "equal jitter": retry n waits between half and all of backoffMs·2^(n-1), capped at
 * backoffMaxMs. Deliveries that failed together (a receiver outage) then come back spread out instead of in
 * one wave, while every wait still grows. A Retry-After the receiver sent is honoured, up to the cap.
 */
export function webhookBackoff(settings: BackoffSettings, random: () => number = Math.random) {
  return (attemptsMade: number, _type?: string, error?: Error): number => {
    const ceiling = Math.min(settings.backoffMaxMs, settings.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
    const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
    const requested = error instanceof WebhookDeliveryError ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(jittered, Math.min(requested, settings.backoffMaxMs));
  };
}
