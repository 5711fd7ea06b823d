/**
 * Container health check. `api`: the API answers /healthz. `worker`: the worker's dependencies (Postgres and
 * Redis) answer, since a worker has no HTTP port. Exits 0 when healthy, 1 otherwise.
 */
import { loadConfig } from '../lib/config.js';
import { createDatabase } from '../lib/db/knex.js';
import { createRedis, waitForRedis } from '../lib/queues/connection.js';

const target = process.argv[2];
const config = loadConfig();
const TIMEOUT_MS = 3000;

async function checkApi(): Promise<void> {
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const response = await fetch(`http://${host}:${config.http.port}/healthz`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
}

async function checkWorker(): Promise<void> {
  const db = createDatabase(config);
  const redis = createRedis(config.redis.url, 'producer');
  try {
    await waitForRedis(redis, TIMEOUT_MS);
    await Promise.all([db.raw('SELECT 1'), redis.ping()]);
  } finally {
    redis.disconnect();
    await db.destroy();
  }
}

try {
  if (target === 'api') await checkApi();
  else if (target === 'worker') await checkWorker();
  else throw new Error('usage: healthcheck api|worker');
  process.exit(0);
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
