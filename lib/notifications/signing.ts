import { randomBytes } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';
/** Standard Webhooks asks for keys of 24 to 64 bytes; ours are 32 bytes (256 bits), as HMAC-SHA256 uses. */
const GENERATED_SECRET_BYTES = 32;
export const SECRET_BYTES = { min: 24, max: 64 } as const;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}

/** The bytes of a `whsec_<base64>` secret, or undefined when it is not one. */
export function secretBytes(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  return Buffer.from(encoded, 'base64');
}

/** Enough of a secret to tell which one is configured, never enough to use it. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, SECRET_PREFIX.length + 4)}…`;
}

/**
 * The Standard Webhooks headers for one attempt: the id stays the same across retries, the timestamp is the
 * attempt's (receivers refuse old ones to stop replays), and the signature is v1 HMAC-SHA256 over
 * `${id}.${timestamp}.${body}`, made by the reference library so it verifies with every Standard Webhooks SDK.
 */
export function signatureHeaders(
  secret: string,
  id: string,
  sentAt: Date,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, sentAt, body),
  };
}
