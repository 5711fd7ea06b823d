import { once } from 'node:events';

import { createOpsApp } from '../api/ops-app.js';
import { loadConfig } from '../lib/config.js';
import { createServices } from '../lib/services.js';
import { startWorkers } from './runner.js';

const config = loadConfig();
const services = createServices(config, 'worker');
const running = await startWorkers(services, config.workers.queues);
const ops = createOpsApp(services).listen(config.ops.port, config.http.host);
await once(ops, 'listening');
services.logger.info({ port: config.ops.port }, 'health and metrics listening');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  services.logger.info({ signal }, 'stopping workers: finishing active jobs');
  ops.close();
  await running.close();
  await services.close();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
