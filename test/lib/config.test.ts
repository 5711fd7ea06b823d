import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../lib/config.js';

describe('loadConfig', () => {
  it('has defaults that run on a developer machine', () => {
    const config = loadConfig({ PORT: undefined, WORKER_QUEUES: undefined, KAFKA_BROKERS: undefined });
    expect(config.http.port).toBe(3000);
    expect(config.workers.queues).toEqual(['features', 'match']);
    expect(config.kafka.brokers).toEqual([]);
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092', WORKER_QUEUES: 'match', PORT: '8080' });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9092']);
    expect(config.workers.queues).toEqual(['match']);
    expect(config.http.port).toBe(8080);
  });

  it('names every bad setting and what is wrong with it', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        WORKER_QUEUES: 'match,email',
        ADMIN_TOKEN: 'short',
        DATABASE_SCHEMA: 'Bad-Name',
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
  });
});
