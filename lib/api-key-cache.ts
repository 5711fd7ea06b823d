import { Redis } from 'ioredis';

import type { Caller } from './clients.js';
import type { Logger } from './logger.js';

/** Where key changes are announced: under the queue prefix, so deployments that share a Redis stay apart. */
export function keyChangesChannel(queuePrefix: string): string {
  return `${queuePrefix}:api-key-changes`;
}

/**
 * Tells every API replica that a client's keys changed (a key was revoked), so each drops what it kept of
 * them. Call it after the change has committed: a replica that looks the key up again must find it changed.
 */
export async function announceKeyChange(redis: Redis, queuePrefix: string, clientId: string): Promise<void> {
  await redis.publish(keyChangesChannel(queuePrefix), clientId);
}

export interface ApiKeyCacheOptions {
  redisUrl: string;
  queuePrefix: string;
  /** How long a verified key is kept: the worst case when an announcement cannot arrive (see below). */
  ttlMs: number;
  maxEntries: number;
  logger: Logger;
}

interface Entry {
  caller: Caller;
  expiresAt: number;
}

/**
 * Verified API keys, kept in this process so that authenticating a request costs no Postgres round trip.
 * A revocation is announced over Redis pub/sub (announceKeyChange) and every replica drops the client's
 * keys as it hears it, so a revoked key is refused from the next request on while Redis is up.
 *
 * Keys are kept only while this process is subscribed: when the subscription's connection drops (Redis
 * down or restarting), announcements could be missed, so everything kept is dropped and every request
 * goes to Postgres, as without a cache, until the subscription is back. The TTL bounds the one case this
 * cannot see, a connection that hangs without closing (a network partition): a key revoked then is still
 * accepted for at most `ttlMs`. Only valid keys are kept, so a new key works at once.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * Moves on with every announcement heard and every change of subscription. A Postgres lookup that began
   * before it may have read what the announcement changed, so its answer is not kept.
   */
  private generation = 0;
  private subscriber: Redis | undefined;
  private subscribed = false;
  private closed = false;

  constructor(private readonly options: ApiKeyCacheOptions) {}

  private get enabled(): boolean {
    return this.options.ttlMs > 0 && this.options.maxEntries > 0;
  }

  /** The caller kept for this key hash, if still fresh. The first call starts the subscription. */
  get(keyHash: string): Caller | undefined {
    if (!this.subscribed) {
      this.subscribe();
      return undefined;
    }
    const entry = this.entries.get(keyHash);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return entry.caller;
  }

  /** Taken before looking a key up in Postgres, and handed to `set` with what was found. */
  lookupStarted(): number {
    return this.generation;
  }

  set(keyHash: string, caller: Caller, startedAt: number): void {
    if (!this.subscribed || startedAt !== this.generation) return;
    if (this.entries.size >= this.options.maxEntries && !this.entries.has(keyHash)) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(keyHash, { caller, expiresAt: Date.now() + this.options.ttlMs });
  }

  private forget(clientId: string | undefined): void {
    this.generation += 1;
    if (clientId === undefined) {
      this.entries.clear();
      return;
    }
    for (const [keyHash, entry] of this.entries) {
      if (entry.caller.client.id === clientId) this.entries.delete(keyHash);
    }
  }

  private subscribe(): void {
    if (this.subscriber !== undefined || this.closed || !this.enabled) return;
    const channel = keyChangesChannel(this.options.queuePrefix);
    const subscriber = new Redis(this.options.redisUrl, {
      // Subscribed again by hand on every connection, so "subscribed" is known exactly, not assumed.
      autoResubscribe: false,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 5000),
    });
    this.subscriber = subscriber;
    let connection = 0;
    subscriber.on('ready', () => {
      connection += 1;
      const current = connection;
      subscriber.subscribe(channel).then(
        () => {
          if (current !== connection || this.subscriber !== subscriber) return;
          this.forget(undefined);
          this.subscribed = true;
        },
        (error: unknown) => {
          this.options.logger.warn({ err: error }, 'API key cache: subscribing failed; keys are not cached');
        },
      );
    });
    subscriber.on('close', () => {
      connection += 1;
      if (this.subscribed) {
        this.options.logger.warn(
          'API key cache: lost its Redis subscription; keys are not cached until it is back',
        );
      }
      this.subscribed = false;
      this.forget(undefined);
    });
    subscriber.on('message', (_channel: string, clientId: string) => {
      this.forget(clientId);
    });
    // Reported by the process's other Redis connection; this one only has to survive it and reconnect.
    subscriber.on('error', () => undefined);
  }

  close(): void {
    this.closed = true;
    this.subscribed = false;
    this.forget(undefined);
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }
}
