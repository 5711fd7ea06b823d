import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../lib/config.js';

describe('loadConfig', () => {
  it('has defaults that run on a developer machine', () => {
    const config = loadConfig({
      PORT: undefined,
      WORKER_QUEUES: undefined,
      KAFKA_BROKERS: undefined,
      QUEUE_PREFIX: undefined,
    });
    expect(config.http.port).toBe(3000);
    // A hash tag, so the queues work on a Redis Cluster too.
    expect(config.redis.queuePrefix).toBe('{lookiy}');
    expect(config.workers.queues).toEqual(['features', 'match', 'match-run', 'notify', 'maintenance']);
    expect(config.webhooks.allowedNetworks).toEqual([]);
    expect(config.kafka.brokers).toEqual([]);
  });

  it('names the ingest consumer group after the topic prefix unless it is set', () => {
    const group = (env: Record<string, string | undefined>): string =>
      loadConfig({ KAFKA_TOPIC_PREFIX: undefined, KAFKA_CONSUMER_GROUP: undefined, ...env }).kafka
        .consumerGroup;
    expect(group({})).toBe('lookiy-match-ingest');
    expect(group({ KAFKA_TOPIC_PREFIX: 'staging.' })).toBe('staging.lookiy-match-ingest');
    expect(group({ KAFKA_TOPIC_PREFIX: 'staging.', KAFKA_CONSUMER_GROUP: 'shared' })).toBe('shared');
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092', WORKER_QUEUES: 'match', PORT: '8080' });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9092']);
    expect(config.workers.queues).toEqual(['match']);
    expect(config.http.port).toBe(8080);
  });

  it('reads the webhook allow-list as CIDR blocks', () => {
    const config = loadConfig({ WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1, 10.8.0.0/16,::1' });
    expect(config.webhooks.allowedNetworks).toEqual(['127.0.0.1/32', '10.8.0.0/16', '::1/128']);
  });

  it('reads the keys webhook secrets are sealed with, and requires them in production', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const keys = loadConfig({ WEBHOOK_SECRET_KEYS: `new:${key}, old:${key}` }).webhooks.secretKeys;
    expect(keys.map(({ id }) => id)).toEqual(['new', 'old']);
    expect(keys[0]?.key).toEqual(Buffer.alloc(32, 1));
    expect(loadConfig({ WEBHOOK_SECRET_KEYS: undefined }).webhooks.secretKeys.map(({ id }) => id)).toEqual([
      'development',
    ]);
    for (const bad of [
      `k1:${Buffer.alloc(16).toString('base64')}`,
      `k 1:${key}`,
      `k1:${key},k1:${key}`,
      'k1',
    ]) {
      expect(() => loadConfig({ WEBHOOK_SECRET_KEYS: bad })).toThrow(/WEBHOOK_SECRET_KEYS/);
    }
    expect(() => loadConfig({ NODE_ENV: 'production', WEBHOOK_SECRET_KEYS: undefined })).toThrow(
      /WEBHOOK_SECRET_KEYS: required in production/,
    );
  });

  it('names every bad setting and what is wrong with it', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        WORKER_QUEUES: 'match,email',
        ADMIN_TOKEN: 'short',
        DATABASE_SCHEMA: 'Bad-Name',
        WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('WORKER_QUEUES: unknown queue(s) email');
    expect(message).toContain('ADMIN_TOKEN: must be at least 16 characters');
    expect(message).toContain('DATABASE_SCHEMA: must be a lowercase SQL identifier');
    expect(message).toContain('WEBHOOK_ALLOWED_NETWORKS: 10.0.0.0/33 is not an IP address or CIDR block');
  });
});
