import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One key of WEBHOOK_SECRET_KEYS: an id that names it in what it sealed, and 32 bytes for AES-256. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
/** The full tag, always: GCM would also check a truncated one, which is weaker. */
const TAG_BYTES = 16;
const VERSION = 'v1';
/** How secrets stored before sealing begin (they are Standard Webhooks secrets). */
const UNSEALED_PREFIX = 'whsec_';
const SEALED = /^sealed:v1:([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** A secret sealed under a key that is no longer configured: it cannot be used until that key is back. */
export class SecretKeyMissingError extends Error {
  constructor(readonly keyId: string) {
    super(`the webhook secret is sealed with key "${keyId}", which WEBHOOK_SECRET_KEYS no longer holds`);
    this.name = 'SecretKeyMissingError';
  }
}

/**
 * Webhook secrets at rest: sealed with AES-256-GCM under the first configured key, with the owner (the
 * client id) as associated data, so a sealed value copied to another row does not open. Every configured
 * key opens what it sealed, which is what lets keys rotate: add the new key first, reseal, drop the old.
 * A value from before sealing (a plain `whsec_…`) still opens, until it is resealed.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: SecretKey;

  constructor(keys: readonly SecretKey[]) {
    const [current] = keys;
    if (!current) throw new Error('a secret box needs at least one key');
    this.current = current;
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
  }

  seal(secret: string, owner: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(owner));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const parts = [iv, sealed, cipher.getAuthTag()].map((part) => part.toString('base64url'));
    return `sealed:${VERSION}:${this.current.id}:${parts.join('.')}`;
  }

  open(stored: string, owner: string): string {
    const match = SEALED.exec(stored);
    if (!match) {
      if (stored.startsWith(UNSEALED_PREFIX)) return stored;
      throw new Error('the stored webhook secret is neither sealed nor a secret from before sealing');
    }
    const [, keyId = '', iv = '', sealed = '', tag = ''] = match;
    const key = this.keys.get(keyId);
    if (!key) throw new SecretKeyMissingError(keyId);
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** True when `stored` is sealed under the current key, so a reseal would not change it. */
  isCurrent(stored: string): boolean {
    return SEALED.exec(stored)?.[1] === this.current.id;
  }
}
