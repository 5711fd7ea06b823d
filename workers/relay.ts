import { createOpsApp } from '../api/ops-app.js';
import { loadConfig } from '../lib/config.js';
import { listenOrExit } from '../lib/listen.js';
import { createDatabase } from '../lib/db/knex.js';
import { ReadinessProbe } from '../lib/health.js';
import { trackOutboxLag } from '../lib/metrics.js';
import { createKafka } from '../lib/events/kafka.js';
import { OutboxRelay } from '../lib/events/relay.js';
import { createLogger } from '../lib/logger.js';

const config = loadConfig();
const logger = createLogger(config, 'relay');
const relay = new OutboxRelay({ config, logger, kafka: createKafka(config, logger) });
relay.start();
logger.info({ relay: relay.id }, 'outbox relay started');

// Health and metrics (outbox lag included) on OPS_PORT; the relay needs Postgres and the broker, not Redis.
const db = createDatabase({ ...config, database: { ...config.database, poolMax: 2 } });
const untrackOutbox = trackOutboxLag(db);
const readiness = new ReadinessProbe({
  db,
  kafka: { brokers: config.kafka.brokers, clientId: config.kafka.clientId, required: true },
  timeoutMs: config.ops.readinessTimeoutMs,
});
const ops = createOpsApp({ config, logger, readiness }).listen(config.ops.port, config.http.host);
await listenOrExit(ops, config.ops.port, 'OPS_PORT', logger);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping outbox relay: finishing the batch in hand');
  ops.close();
  await relay.stop();
  untrackOutbox();
  await readiness.close();
  await db.destroy();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
