import { createOpsApp } from '../api/ops-app.js';
import { loadConfig } from '../lib/config.js';
import { listenOrExit } from '../lib/listen.js';
import { createServices } from '../lib/services.js';
import { startWorkers } from './runner.js';

/** How long handing jobs back may take after the grace period; only an unreachable Redis needs more. */
const HAND_BACK_MS = 5000;

const config = loadConfig();
const services = createServices(config, 'worker');
const ops = createOpsApp(services).listen(config.ops.port, config.http.host);
// Jobs run as soon as the workers are up, before startWorkers returns: the shutdown must be in place first.
const starting = startWorkers(services, config.workers.queues);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  services.logger.info(
    { signal, graceMs: config.shutdownGraceMs },
    'stopping workers: finishing active jobs',
  );
  // Jobs that could not be handed back stay locked to this process; exiting lets the lock expire, and
  // another worker retries them (JOB_LOCK_MS).
  setTimeout(() => {
    services.logger.error('shutdown did not finish in time: exiting with jobs still held');
    process.exit(1);
  }, config.shutdownGraceMs + HAND_BACK_MS).unref();
  ops.close();
  await (await starting).close();
  await services.close();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}

await listenOrExit(ops, config.ops.port, 'OPS_PORT', services.logger);
services.logger.info({ port: config.ops.port }, 'health and metrics listening');
await starting;
