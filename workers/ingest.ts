import { createOpsApp } from '../api/ops-app.js';
import { loadConfig } from '../lib/config.js';
import { listenOrExit } from '../lib/listen.js';
import { startIngest, type RunningIngest } from '../lib/events/ingest.js';
import { createKafka } from '../lib/events/kafka.js';
import { waitForRedis } from '../lib/queues/connection.js';
import { createServices } from '../lib/services.js';

const config = loadConfig();
const services = createServices(config, 'ingest', { requiresKafka: true });
await waitForRedis(services.redis, 30_000);
const ops = createOpsApp(services).listen(config.ops.port, config.http.host);
await listenOrExit(ops, config.ops.port, 'OPS_PORT', services.logger);
// A crash can be reported before startIngest returns, so shutdown closes whatever has started by then.
const running: RunningIngest[] = [];
let stopping = false;
running.push(
  await startIngest(services, createKafka(config, services.logger), {
    onFatal: (error) => {
      services.logger.fatal({ err: error }, 'ingest consumer crashed for good; exiting to be restarted');
      void shutdown('crash', 1);
    },
  }),
);

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  services.logger.info({ reason }, 'stopping ingest: finishing the message in hand');
  ops.close();
  for (const ingest of running) await ingest.close();
  await services.close();
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
