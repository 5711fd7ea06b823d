/**
 * `npm start`: one command for a developer machine. Fetches the embedding model when it is missing
 * (scripts/models.sh), migrates, starts (or reuses) a local Kafka broker, creates a demo client on first start,
 * then runs the API, WORKER_REPLICAS worker processes and, with a broker, the outbox relay and the Kafka
 * ingest consumer, restarting any that crash, until SIGINT/SIGTERM, which it passes on so every child shuts
 * down gracefully. A port in use stops it before anything starts, naming the setting; it prints the demo key
 * once the API and the workers are ready.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { createClient } from '../lib/clients.js';
import { childEnvironment, loadConfig } from '../lib/config.js';
import { findClientByName } from '../lib/db/clients.js';
import { createDatabase, migrateToLatest } from '../lib/db/knex.js';
import { EXIT_BAD_SETTING, type PortSetting } from '../lib/listen.js';
import { WORKER_NODE_FLAGS } from '../workers/heap.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfig();
const DEMO_CLIENT = 'demo';
const LOCAL_BROKER = '127.0.0.1:9092';

// Workers embed texts with a model unpacked once from a Maven Central jar; the script returns at once when the
// folder holds it already (or a model of the user's own). First, so that a failure leaves nothing running.
if (config.workers.replicas > 0) {
  const { modelDir } = config.matching.embedding;
  const fetched = spawnSync('bash', ['scripts/models.sh', 'fetch'], {
    cwd: root,
    stdio: 'inherit',
    env: childEnvironment({ EMBEDDING_MODEL_DIR: modelDir }),
  });
  if (fetched.status !== 0) {
    console.error(
      `The embedding model workers need is not in ${modelDir} and could not be fetched (above: why; ` +
        'scripts/models.sh needs Maven and a JDK). Then run npm run models:fetch, or set EMBEDDING_MODEL_DIR ' +
        'to a folder holding model.onnx and tokenizer.json.',
    );
    process.exit(1);
  }
}

/** Whether something answers on `port` already (the address is taken or not ours to take). */
async function portTaken(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => {
      resolve(true);
    });
    probe.listen(port, config.http.host, () => {
      probe.close(() => {
        resolve(false);
      });
    });
  });
}

// One machine, several processes: each serves /healthz, /readyz and /metrics on its own port from OPS_PORT up;
// the relay and the ingest consumer take the two after the workers'.
const opsPorts = (count: number): number[] =>
  config.ops.port === 0 ? [] : Array.from({ length: count }, (_, offset) => config.ops.port + offset);
const wanted: [number, PortSetting][] = [
  [config.http.port, 'PORT'],
  ...opsPorts(config.workers.replicas + 2).map((port): [number, PortSetting] => [port, 'OPS_PORT']),
];
for (const [port, setting] of wanted) {
  if (port !== 0 && (await portTaken(port))) {
    console.error(
      `Port ${port} on ${config.http.host} is in use. ${setting === 'PORT' ? 'Set PORT to a free port' : `Set OPS_PORT to the first of ${config.workers.replicas + 2} free ports in a row (workers, relay, ingest)`}, or stop what holds it.`,
    );
    process.exit(1);
  }
}

const db = createDatabase(config);
let demoKey: string | undefined;
try {
  await migrateToLatest(db, config.database.schema);
  if (!(await findClientByName(db, DEMO_CLIENT))) demoKey = (await createClient(db, DEMO_CLIENT)).apiKey;
} finally {
  await db.destroy();
}

let brokers = config.kafka.brokers.join(',');
if (!brokers && config.kafka.startLocal) {
  console.log('No KAFKA_BROKERS set: starting the local Kafka broker (scripts/kafka.sh start)...');
  const started = spawnSync('bash', ['scripts/kafka.sh', 'start'], { cwd: root, stdio: 'inherit' });
  if (started.status === 0) {
    brokers = LOCAL_BROKER;
  } else {
    console.warn(
      'WARNING: the local Kafka broker did not start. The service runs on; domain events wait in the ' +
        'outbox table and go out once a broker is configured (KAFKA_BROKERS) and reachable.',
    );
  }
}

const environment = childEnvironment(brokers ? { KAFKA_BROKERS: brokers } : {});
const children = new Set<ChildProcess>();
let stopping = false;

function run(
  name: string,
  entry: string,
  overrides: Record<string, string> = {},
  nodeFlags: string[] = [],
): void {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], {
    cwd: root,
    env: { ...environment, ...overrides },
    stdio: 'inherit',
  });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (stopping) return;
    if (code === EXIT_BAD_SETTING) {
      console.error(`${name} cannot start with these settings (above: which one): stopping everything.`);
      void stop('SIGTERM', 1);
      return;
    }
    console.error(`${name} exited (${signal ?? `code ${code}`}); restarting in 1 s`);
    void sleep(1000).then(() => {
      if (!stopping) run(name, entry, overrides, nodeFlags);
    });
  });
}

const opsPortOf = (offset: number): string => String(config.ops.port === 0 ? 0 : config.ops.port + offset);
run('api', 'api/server.ts');
for (let replica = 1; replica <= config.workers.replicas; replica += 1)
  run(`worker ${replica}`, 'workers/main.ts', { OPS_PORT: opsPortOf(replica - 1) }, [...WORKER_NODE_FLAGS]);
// Without a broker there is nothing to relay to or ingest from: events wait in the outbox meanwhile.
if (brokers) {
  run('relay', 'workers/relay.ts', { OPS_PORT: opsPortOf(config.workers.replicas) });
  run('ingest', 'workers/ingest.ts', { OPS_PORT: opsPortOf(config.workers.replicas + 1) });
}

const local = `http://${config.http.host}:${config.http.port}`;
const base = config.http.publicUrl ?? local;
/** How long the API and the workers get to say they are ready (a worker loads the embedding model first). */
const READY_WITHIN_MS = 120_000;
const readinessUrls = [
  `${local}/readyz`,
  ...opsPorts(config.workers.replicas).map((port) => `http://${config.http.host}:${port}/readyz`),
];
const isReady = async (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (response) => response.ok,
    () => false,
  );
const deadline = Date.now() + READY_WITHIN_MS;
let waiting = readinessUrls;
while (waiting.length > 0 && Date.now() < deadline) {
  const answers = await Promise.all(waiting.map(isReady));
  waiting = waiting.filter((_url, i) => !answers[i]);
  if (waiting.length > 0) await sleep(500);
}
if (waiting.length > 0)
  console.warn(
    `WARNING: not ready after ${READY_WITHIN_MS / 1000} s (their logs above say why): ${waiting.join(', ')}`,
  );
console.log(
  `\nLookiy Match: API on ${base}, ${config.workers.replicas} worker process(es) (health and metrics from port ${config.ops.port}).`,
);
if (demoKey) {
  console.log(`Created the demo client. Its API key (shown once): ${demoKey}`);
  console.log(`Try:\n  curl -s ${base}/v1/jobs -H 'Authorization: Bearer ${demoKey}'\n`);
} else {
  console.log(
    'The demo client exists already; make another key with: npm run keys -- create --client demo\n',
  );
}

async function stop(signal: NodeJS.Signals, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill(signal);
  while (children.size > 0) await sleep(100);
  process.exit(exitCode);
}
process.on('SIGINT', () => void stop('SIGTERM'));
process.on('SIGTERM', () => void stop('SIGTERM'));
