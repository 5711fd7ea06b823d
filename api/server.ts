import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

import { loadConfig } from '../lib/config.js';
import { listenOrExit } from '../lib/listen.js';
import { waitForRedis } from '../lib/queues/connection.js';
import { createServices } from '../lib/services.js';
import { createApp } from './app.js';
import { gazetteer } from '../lib/geo/gazetteer.js';

const config = loadConfig();
const services = createServices(config, 'api');
await waitForRedis(services.redis, 30_000);
// `near: {place}` filters resolve places: read the gazetteer before the first request, not during one.
gazetteer();
const server = createApp(services).listen(config.http.port, config.http.host);
// A client that trickles its request (or never finishes it) is cut off instead of holding a socket.
server.requestTimeout = config.http.requestTimeoutMs;
server.headersTimeout = Math.min(config.http.requestTimeoutMs, 30_000);
await listenOrExit(server, config.http.port, 'PORT', services.logger);
services.logger.info({ host: config.http.host, port: config.http.port }, 'api listening');

let stopping = false;
// Answers given while draining end their connection, so keep-alive clients send their next request to
// another instance instead of to a socket that is about to close.
const unanswered = new Set<ServerResponse>();
server.on('request', (_request, response: ServerResponse) => {
  if (stopping) response.setHeader('Connection', 'close');
  unanswered.add(response);
  response.once('close', () => unanswered.delete(response));
});

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  services.logger.info({ signal, graceMs: config.shutdownGraceMs }, 'api draining connections');
  for (const response of unanswered) if (!response.headersSent) response.setHeader('Connection', 'close');
  const closed = once(server, 'close');
  // Refuses new connections and closes idle ones; in-flight requests get the grace period to finish.
  server.close();
  const deadline = setTimeout(() => {
    services.logger.warn('api grace period over: closing the connections still open');
    server.closeAllConnections();
  }, config.shutdownGraceMs);
  await closed;
  clearTimeout(deadline);
  await services.close();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void shutdown(signal));
}
