import { loadConfig } from '../lib/config.js';
import { createServices } from '../lib/services.js';
import { startWorkers } from './runner.js';

const config = loadConfig();
const services = createServices(config, 'worker');
const running = await startWorkers(services, config.workers.queues);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  services.logger.info({ signal }, 'stopping workers: finishing active jobs');
  await running.close();
  await services.close();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
