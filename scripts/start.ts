/**
 * `npm start`: one command for a developer machine. Fetches the embedding model when it is missing
 * (scripts/models.sh), migrates, starts (or reuses) a local Kafka broker, creates a demo client on first start,
 * then runs the API, WORKER_REPLICAS worker processes and, with a broker, the outbox relay and the Kafka
 * ingest consumer, restarting any that crash, until SIGINT/SIGTERM, which it passes on so every child shuts
 * down gracefully.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { createClient } from '../lib/clients.js';
import { childEnvironment, loadConfig } from '../lib/config.js';
import { findClientByName } from '../lib/db/clients.js';
import { createDatabase, migrateToLatest } from '../lib/db/knex.js';
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
    console.error(`${name} exited (${signal ?? `code ${code}`}); restarting in 1 s`);
    void sleep(1000).then(() => {
      if (!stopping) run(name, entry, overrides, nodeFlags);
    });
  });
}

run('api', 'api/server.ts');
// One machine, several processes: each serves /healthz, /readyz and /metrics on its own port from OPS_PORT up.
for (let replica = 1; replica <= config.workers.replicas; replica += 1)
  run(
    `worker ${replica}`,
    'workers/main.ts',
    { OPS_PORT: String(config.ops.port === 0 ? 0 : config.ops.port + replica - 1) },
    [...WORKER_NODE_FLAGS],
  );
// Without a broker there is nothing to relay to or ingest from: events wait in the outbox meanwhile.
if (brokers) {
  const after = (offset: number) =>
    String(config.ops.port === 0 ? 0 : config.ops.port + config.workers.replicas + offset);
  run('relay', 'workers/relay.ts', { OPS_PORT: after(0) });
  run('ingest', 'workers/ingest.ts', { OPS_PORT: after(1) });
}

const base = config.http.publicUrl ?? `http://${config.http.host}:${config.http.port}`;
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

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill(signal);
  while (children.size > 0) await sleep(100);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGTERM'));
process.on('SIGTERM', () => void stop('SIGTERM'));
