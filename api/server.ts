import { once } from 'node:events';

import { loadConfig } from '../lib/config.js';
import { waitForRedis } from '../lib/queues/connection.js';
import { createServices } from '../lib/services.js';
import { createApp } from './app.js';

const config = loadConfig();
const services = createServices(config, 'api');
await waitForRedis(services.redis, 30_000);
const server = createApp(services).listen(config.http.port, config.http.host);
await once(server, 'listening');
services.logger.info({ host: config.http.host, port: config.http.port }, 'api listening');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  services.logger.info({ signal }, 'api draining connections');
  server.close();
  server.closeIdleConnections();
  await once(server, 'close');
  await services.close();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
