import { loadConfig } from '../lib/config.js';
import { createKafka } from '../lib/events/kafka.js';
import { OutboxRelay } from '../lib/events/relay.js';
import { createLogger } from '../lib/logger.js';

const config = loadConfig();
const logger = createLogger(config, 'relay');
const relay = new OutboxRelay({ config, logger, kafka: createKafka(config, logger) });
relay.start();
logger.info({ relay: relay.id }, 'outbox relay started');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping outbox relay: finishing the batch in hand');
  await relay.stop();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
