import { afterAll, afterEach } from 'vitest';

import type { Config } from '../../lib/config.js';
import { outboxStatus } from '../../lib/db/outbox.js';
import { createKafka } from '../../lib/events/kafka.js';
import { OutboxRelay } from '../../lib/events/relay.js';
import type { TestContext } from './context.js';
import { deleteTopics } from './kafka.js';
import { until } from './until.js';

export interface Relays {
  /** A relay on the test's schema, running; `config` replaces parts of the stack's configuration. */
  start(config?: Partial<Config>): OutboxRelay;
  /** Resolves once every outbox row of the schema is published. */
  drained(): Promise<void>;
}

/** Relays for a test file: stopped after each test; the file's topics are deleted at the end. */
export function useRelays(stack: TestContext): Relays {
  const running: OutboxRelay[] = [];
  afterEach(async () => {
    for (const relay of running.splice(0)) await relay.stop();
  });
  afterAll(() => deleteTopics(stack.config.kafka.brokers, stack.config.kafka.topicPrefix));
  return {
    start(overrides = {}) {
      const config = { ...stack.config, ...overrides };
      const logger = stack.services.logger;
      const relay = new OutboxRelay({ config, logger, kafka: createKafka(config, logger) });
      running.push(relay);
      relay.start();
      return relay;
    },
    async drained() {
      await until('the outbox is drained', async () => (await outboxStatus(stack.services.db)).unsent === 0);
    },
  };
}
