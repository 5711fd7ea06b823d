/**
 * Container health check: asks the process's own /readyz (Postgres, Redis and, where required, the broker,
 * each with a short timeout). `api`: on PORT. `ops`: on OPS_PORT, where worker, relay and ingest processes
 * serve it. Exits 0 when ready, 1 otherwise.
 */
import { loadConfig } from '../lib/config.js';

const target = process.argv[2];
const config = loadConfig();
const TIMEOUT_MS = 4000;

const ports: Record<string, number> = { api: config.http.port, ops: config.ops.port };
try {
  const port = target === undefined ? undefined : ports[target];
  if (port === undefined) throw new Error('usage: healthcheck api|ops');
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const response = await fetch(`http://${host}:${port}/readyz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`/readyz answered ${response.status}: ${await response.text()}`);
  process.exit(0);
} catch (error) {
  console.error(`not ready: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
