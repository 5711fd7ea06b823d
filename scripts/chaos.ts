/**
 * `npm run chaos -- [--short | --full] [--seed N] [--out CHAOS.md] [--keep-logs]`: the real processes (3
 * workers, the outbox relay, the API, and in the full profile the Kafka ingest consumer) against a Redis, a
 * Postgres cluster and a Kafka broker of this run's own, under a steady load of match requests, while
 * faults are injected: kill -9 of a random worker every few seconds
 * (restarted as a supervisor would), one Redis restart without persistence, the broker stopped for a while,
 * one Postgres restart; the full profile also produces ingest events and kills the ingest consumer. Every
 * random choice follows from one seed, printed at the start and in the report, so `--seed` replays a run.
 * Then it waits until nothing is pending or nothing moves any more, and checks that nothing accepted was
 * lost or completed twice, that every accepted request's events reached Kafka, that every ingest event
 * was applied once or dead-lettered, and how webhooks and recovery went. Exits 1 when something accepted
 * was lost, failed, done twice or is missing an event, or an answer was a 5xx other than 503; 64 on a
 * usage error.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rename, rm, writeFile, cp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';

import { createClient } from '../lib/clients.js';
import { childEnvironment, loadConfig } from '../lib/config.js';
import { topicNames } from '../lib/events/kafka.js';
import { createDatabase, migrateToLatest, type Database } from '../lib/db/knex.js';
import { jobCorpus, kubernetesGoCandidate, nurseCandidate } from '../test/fixtures/corpus.js';
import { readToEnd } from '../test/support/kafka.js';
import { freePort } from '../test/support/ports.js';
import { SpareBroker } from '../test/support/spare-broker.js';
import { IngestLoad } from './chaos/ingest.js';
import { EX_USAGE, parseChaosArgs, USAGE } from './chaos/options.js';
import { newSeed, stream } from './chaos/random.js';
import { renderReport, type Fault, type RunData, type Settle } from './chaos/report.js';
import {
  IsolatedPostgres,
  IsolatedRedis,
  alive,
  Supervised,
  waitFor,
  type ExitRecord,
} from './chaos/services.js';
import { WORKER_NODE_OPTIONS } from '../workers/heap.js';

/** How long and how hard a run goes; the report prints it back. */
type Profile = RunData['profile'];

const PROFILES: Record<Profile['mode'], Profile> = {
  short: {
    mode: 'short',
    loadSeconds: 75,
    rate: 10,
    killEverySeconds: 8,
    redisAt: 12,
    redisDownSeconds: 2,
    kafkaAt: 25,
    kafkaDownSeconds: 10,
    postgresAt: 55,
    ingestRate: 0,
    ingestKillEverySeconds: 0,
  },
  full: {
    mode: 'full',
    loadSeconds: 300,
    rate: 15,
    killEverySeconds: 5,
    redisAt: 40,
    redisDownSeconds: 5,
    kafkaAt: 110,
    kafkaDownSeconds: 20,
    postgresAt: 200,
    ingestRate: 4,
    ingestKillEverySeconds: 45,
  },
};

const TOP_K = 5;
const WORKERS = 3;
/** How long the load generator keeps retrying one request before giving up on it (not a loss: never accepted). */
const GIVE_UP_MS = 60_000;
/** Once the load stops, requests still being retried get this much longer (keeps --short within 3 minutes). */
const RETRY_AFTER_LOAD_MS = 15_000;
/** Settling ends when nothing is pending, or when no pending count has gone down for this long... */
const SETTLE_STALL_SECONDS = 60;
/** ...or, whatever moves, after this long. */
const SETTLE_CAP_SECONDS = 900;
/** The queues whose jobs are work still to do (maintenance always holds its next scheduled run). */
const WORK_QUEUES = ['features', 'match', 'notify'] as const;

const parsed = parseChaosArgs(process.argv.slice(2));
if ('error' in parsed) {
  console.error(`chaos: ${parsed.error}\n\n${USAGE}`);
  process.exit(EX_USAGE);
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
const profile = PROFILES[parsed.options.mode];
const outFile = resolve(parsed.options.out);
const keepLogs = parsed.options.keepLogs;
const seed = parsed.options.seed ?? newSeed();
const replay = `npm run chaos -- --${profile.mode} --seed ${seed}`;

const runStarted = Date.now();
let t0 = Date.now();
const now = (): number => (Date.now() - t0) / 1000;
const say = (line: string): void => {
  console.log(`[chaos ${((Date.now() - runStarted) / 1000).toFixed(0).padStart(4)}s] ${line}`);
};

// ---------------------------------------------------------------------------------------------- teardown
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error('chaos: cleanup step failed:', error);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\nchaos: ${signal}: tearing everything down`);
    void cleanup().then(() => process.exit(130));
  });
}

const logs = await mkdtemp(join(tmpdir(), 'lookiy-chaos-logs-'));
let keepLogDirectory = keepLogs;
cleanups.push(async () => {
  if (!keepLogDirectory) {
    await rm(logs, { recursive: true, force: true });
    return;
  }
  const kept = resolve(`chaos-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await rename(logs, kept).catch(async () => {
    await cp(logs, kept, { recursive: true });
    await rm(logs, { recursive: true, force: true });
  });
  console.log(`chaos: process logs kept in ${kept}`);
});

// --------------------------------------------------------------------------------------------- webhooks
interface Delivery {
  webhookId: string;
  type: string;
  requestId: string;
  at: number;
  verified: boolean;
}
const deliveries: Delivery[] = [];
let webhookSecret = '';
const receiver = createServer((request: IncomingMessage, response: ServerResponse) => {
  void (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    let verified = true;
    try {
      new Webhook(webhookSecret).verify(raw, headers);
    } catch {
      verified = false;
    }
    let body: { type?: string; data?: { id?: string } } = {};
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      /* counted with an empty request id */
    }
    deliveries.push({
      webhookId: headers['webhook-id'] ?? '',
      type: body.type ?? '?',
      requestId: body.data?.id ?? '',
      at: now(),
      verified,
    });
    response.statusCode = 204;
    response.end();
  })();
});

// ------------------------------------------------------------------------------------------------- main
const redis = new IsolatedRedis(logs);
const postgres = new IsolatedPostgres(logs);
const broker = new SpareBroker();
const exits: ExitRecord[] = [];
const processes: Supervised[] = [];
const faults: Fault[] = [];
let db: Database | undefined;
let exitCode = 1;

try {
  say(`mode ${profile.mode}, seed ${seed} (replay: ${replay})`);
  say('starting an isolated Postgres, Redis and Kafka broker');
  cleanups.push(() => postgres.destroy());
  cleanups.push(() => redis.destroy());
  cleanups.push(() => broker.destroy());
  await Promise.all([postgres.init().then(() => postgres.start()), redis.start(), broker.start()]);
  const brokers = broker.brokers.join(',');
  say(`postgres ${postgres.url}, redis ${redis.url}, kafka ${brokers}`);

  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  cleanups.push(async () => {
    receiver.closeAllConnections();
    receiver.close();
    await once(receiver, 'close');
  });
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/chaos`;

  const apiPort = await freePort();
  const settings: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: postgres.url,
    DATABASE_SCHEMA: 'public',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{chaos}',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: '',
    START_LOCAL_KAFKA: 'false',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    OPS_PORT: '0',
    // Rate limiting is not under test: one client sends the whole load.
    RATE_LIMIT_REQUESTS: '1000000',
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1',
    WEBHOOK_RATE_LIMIT: '1000',
    WEBHOOK_BACKOFF_MS: '500',
    WEBHOOK_BACKOFF_MAX_MS: '5000',
    WEBHOOK_SECRET_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
    // Scaled down so a killed worker's job and a Redis that lost its jobs are noticed within the run.
    JOB_LOCK_MS: '5000',
    RECONCILE_INTERVAL_MS: '2000',
    RECONCILE_MIN_AGE_MS: '5000',
    SHUTDOWN_GRACE_MS: '5000',
    RELAY_POLL_MS: '500',
  };
  const config = loadConfig(settings);
  const topics = topicNames(config);
  const matchTopic = topics.outbound.match_request;

  db = createDatabase({ ...config, database: { ...config.database, poolMax: 3 } });
  const database = db;
  cleanups.push(() => database.destroy());
  await migrateToLatest(db, 'public');
  const { client, apiKey } = await createClient(db, 'chaos');

  const environment = childEnvironment(settings);
  const supervise = (name: string, entry: string, env = environment): Supervised => {
    const process = new Supervised(name, entry, env, logs, exits, runStarted);
    processes.push(process);
    process.start();
    return process;
  };
  cleanups.push(async () => {
    await Promise.all(processes.map((process) => process.stop()));
  });
  supervise('api', 'api/server.ts');
  const workers = Array.from({ length: WORKERS }, (_, index) =>
    supervise(`worker-${index + 1}`, 'workers/main.ts', {
      ...environment,
      NODE_OPTIONS: WORKER_NODE_OPTIONS,
    }),
  );
  supervise('relay', 'workers/relay.ts');
  const ingest = profile.ingestRate > 0 ? supervise('ingest', 'workers/ingest.ts') : undefined;
  const ingestLoad = new IngestLoad(broker.brokers, topics.ingest, client.id, stream(seed, 'ingest'));
  cleanups.push(() => ingestLoad.close());
  const workQueues = WORK_QUEUES.map(
    (name) =>
      new Queue(name, {
        connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
        prefix: config.redis.queuePrefix,
      }),
  );
  cleanups.push(async () => {
    await Promise.all(workQueues.map((queue) => queue.close()));
  });
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor('the API answers /healthz', async () => (await fetch(`${baseUrl}/healthz`)).ok, 60_000);

  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | undefined }> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };

  // Seed: the fixture job board, a few candidates, the webhook; wait until every profile has features.
  const board = await call('POST', '/v1/jobs/batch', {
    items: jobCorpus.map(({ family: _f, ...job }) => job),
  });
  if (board.status >= 300)
    throw new Error(`seeding jobs answered ${board.status}: ${JSON.stringify(board.body)}`);
  const candidateIds: string[] = [];
  for (const [index, candidate] of [
    kubernetesGoCandidate,
    nurseCandidate,
    kubernetesGoCandidate,
    nurseCandidate,
  ].entries()) {
    const created = await call('POST', '/v1/candidates', {
      ...candidate,
      externalId: `${candidate.externalId}-${index}`,
    });
    if (created.status >= 300) throw new Error(`seeding a candidate answered ${created.status}`);
    candidateIds.push(String(created.body?.id));
  }
  const hook = await call('PUT', '/v1/webhook', { url: receiverUrl });
  if (hook.status !== 201 && hook.status !== 200)
    throw new Error(`registering the webhook answered ${hook.status}`);
  webhookSecret = String(hook.body?.secret);
  await waitFor(
    'every job and candidate has features',
    async () => {
      const [row] = (
        await database.raw<{ rows: { n: string }[] }>(
          `SELECT (SELECT count(*) FROM jobs WHERE features_revision IS DISTINCT FROM revision)
                + (SELECT count(*) FROM candidates WHERE features_revision IS DISTINCT FROM revision) AS n`,
        )
      ).rows;
      return Number(row?.n) === 0;
    },
    60_000,
  );
  if (ingest)
    await waitFor(
      'the ingest consumer has made its topics',
      async () => (await ingestLoad.lag(config.kafka.consumerGroup)) === 0,
      60_000,
    );
  say(`seeded ${jobCorpus.length} jobs and ${candidateIds.length} candidates; webhook ${receiverUrl}`);

  // ------------------------------------------------------------------------------------------- load
  interface Submission {
    key: string;
    candidateId: string;
    firstSentAt: number;
    ids: Set<string>;
    acceptedAt?: number;
    outcome: 'pending' | 'accepted' | 'rejected' | 'gave-up';
    attempts: number;
    problem?: string;
  }
  const submissions: Submission[] = [];
  const answers = new Map<string, number>();
  /** The first body seen for each status, for the report. */
  const samples: Record<string, string> = {};
  const acceptTimes: number[] = [];
  const count = (label: string): void => void answers.set(label, (answers.get(label) ?? 0) + 1);
  let loadStopped = false;
  let retryCutoff: number | undefined;

  async function submit(submission: Submission): Promise<void> {
    const deadline = (): number =>
      Math.min(t0 + submission.firstSentAt * 1000 + GIVE_UP_MS, retryCutoff ?? Number.POSITIVE_INFINITY);
    while (Date.now() < deadline()) {
      submission.attempts += 1;
      let wait = 500;
      try {
        const response = await fetch(`${baseUrl}/v1/match-requests`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': submission.key,
          },
          body: JSON.stringify({ candidateId: submission.candidateId, topK: TOP_K }),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        count(String(response.status));
        if (response.status === 200 || response.status === 202) {
          submission.ids.add((JSON.parse(text) as { id: string }).id);
          submission.acceptedAt ??= now();
          acceptTimes.push(now());
          submission.outcome = 'accepted';
          return;
        }
        samples[String(response.status)] ??= text.slice(0, 300);
        // 409 idempotency-key-in-use: the first attempt with this key is still being handled; ask again.
        const inUse = response.status === 409 && text.includes('idempotency-key-in-use');
        if (response.status === 429 || response.status >= 500 || inUse) {
          const after = Number(response.headers.get('retry-after'));
          if (Number.isFinite(after) && after > 0) wait = Math.min(after * 1000, 2000);
          submission.problem = `${response.status} ${text.slice(0, 200)}`;
        } else {
          submission.outcome = 'rejected';
          submission.problem = `${response.status} ${text.slice(0, 200)}`;
          return;
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        count(`network: ${cause}`);
        submission.problem = `network: ${cause}`;
      }
      await sleep(wait);
    }
    submission.outcome = 'gave-up';
  }

  const inFlight = new Set<Promise<void>>();
  const requestChoices = stream(seed, 'requests');
  async function generateLoad(): Promise<void> {
    const interval = 1000 / profile.rate;
    let next = Date.now();
    while (!loadStopped && now() < profile.loadSeconds) {
      const submission: Submission = {
        key: requestChoices.uuid(),
        candidateId: requestChoices.pick(candidateIds),
        firstSentAt: now(),
        ids: new Set(),
        outcome: 'pending',
        attempts: 0,
      };
      submissions.push(submission);
      const running = submit(submission).finally(() => inFlight.delete(running));
      inFlight.add(running);
      next += interval;
      await sleep(Math.max(0, next - Date.now()));
    }
  }

  // ----------------------------------------------------------------------------------------- faults
  const victims = stream(seed, 'kills');
  async function killWorkers(): Promise<void> {
    while (!loadStopped) {
      await sleep(profile.killEverySeconds * 1000);
      if (now() >= profile.loadSeconds) return;
      const running = workers.filter((worker) => worker.child !== undefined && alive(worker.child));
      if (running.length === 0) continue;
      const victim = victims.pick(running);
      const pid = victim.kill9();
      if (pid !== undefined) {
        faults.push({
          name: `kill -9 ${victim.name} (pid ${pid})`,
          kind: 'worker',
          start: now(),
          end: now(),
        });
      }
    }
  }
  async function killIngest(target: Supervised): Promise<void> {
    while (!loadStopped) {
      await sleep(profile.ingestKillEverySeconds * 1000);
      if (now() >= profile.loadSeconds) return;
      const pid = target.kill9();
      if (pid !== undefined)
        faults.push({ name: `kill -9 ingest (pid ${pid})`, kind: 'ingest', start: now(), end: now() });
    }
  }
  async function at(seconds: number): Promise<void> {
    await sleep(Math.max(0, (seconds - now()) * 1000));
  }
  // The three big faults each keep their own time, so a slow one (a broker taking its time to stop) does not
  // push the next one back.
  async function restartRedis(): Promise<void> {
    await at(profile.redisAt);
    const start = now();
    say(`fault: Redis restart (down ${profile.redisDownSeconds} s, no persistence)`);
    await redis.stop();
    await sleep(profile.redisDownSeconds * 1000);
    await redis.start();
    faults.push({
      name: `Redis restarted (down ${profile.redisDownSeconds} s, all data lost)`,
      kind: 'redis',
      start,
      end: now(),
    });
    say(`fault: Redis back after ${(now() - start).toFixed(1)} s`);
  }
  async function stopKafka(): Promise<void> {
    await at(profile.kafkaAt);
    const start = now();
    say(`fault: Kafka broker stopped for ${profile.kafkaDownSeconds} s`);
    await broker.stop();
    const stopped = now() - start;
    await at(start + Math.max(stopped, profile.kafkaDownSeconds));
    await broker.start();
    const name = `Kafka broker stopped ${profile.kafkaDownSeconds} s (SIGTERM took ${stopped.toFixed(1)} s)`;
    faults.push({ name, kind: 'kafka', start, end: now() });
    say(
      `fault: Kafka broker back after ${(now() - start).toFixed(1)} s (stopping took ${stopped.toFixed(1)} s)`,
    );
  }
  async function restartPostgres(): Promise<void> {
    await at(profile.postgresAt);
    const start = now();
    say('fault: Postgres restart (pg_ctl restart -m fast)');
    await postgres.restart();
    faults.push({ name: 'Postgres restarted (-m fast)', kind: 'postgres', start, end: now() });
    say(`fault: Postgres back after ${(now() - start).toFixed(1)} s`);
  }

  t0 = Date.now();
  say(
    `load: ${profile.rate} match requests/s for ${profile.loadSeconds} s; a worker killed every ${profile.killEverySeconds} s`,
  );
  const progress = setInterval(() => {
    const accepted = submissions.filter((s) => s.outcome === 'accepted').length;
    const answered = [...answers].map(([label, n]) => `${label}:${n}`).join(' ');
    say(
      `t=${now().toFixed(0)}s sent ${submissions.length}, accepted ${accepted}, retrying ${inFlight.size} | ${answered}`,
    );
  }, 10_000);
  cleanups.push(() => {
    clearInterval(progress);
    return Promise.resolve();
  });
  let loadEnded = 0;
  await Promise.all([
    generateLoad().then(() => {
      loadEnded = now();
      loadStopped = true;
      retryCutoff = Date.now() + RETRY_AFTER_LOAD_MS;
    }),
    killWorkers(),
    restartRedis(),
    stopKafka(),
    restartPostgres(),
    ...(ingest
      ? [
          killIngest(ingest),
          ingestLoad.run(
            profile.ingestRate,
            now,
            () => loadStopped,
            () => retryCutoff !== undefined && Date.now() > retryCutoff,
          ),
        ]
      : []),
  ]);
  loadStopped = true;
  say(`load stopped at t=${loadEnded.toFixed(0)}s; waiting for ${inFlight.size} retrying submission(s)`);
  await Promise.all([...inFlight]);
  clearInterval(progress);

  // ----------------------------------------------------------------------------------------- settle
  const accepted = submissions.filter((s) => s.outcome === 'accepted');
  const acceptedIds = [...new Set(accepted.flatMap((s) => [...s.ids]))];
  /** What is still to do: requests to finish, events to publish or ingest, webhooks and jobs to run. */
  const backlog = async (): Promise<Record<string, number>> => {
    const [row] = (
      await database.raw<{ rows: { requests: string; outbox: string; notifications: string }[] }>(
        `SELECT (SELECT count(*) FROM match_requests WHERE id = ANY(?::uuid[]) AND status IN ('queued','running')) AS requests,
                (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS outbox,
                (SELECT count(*) FROM notifications WHERE status = 'pending') AS notifications`,
        [acceptedIds],
      )
    ).rows;
    const counts: Record<string, number> = {
      'match requests queued or running': Number(row?.requests),
      'outbox rows unpublished': Number(row?.outbox),
      'notifications pending': Number(row?.notifications),
    };
    for (const queue of workQueues) {
      const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
      counts[`${queue.name} jobs in Redis`] = Object.values(jobs).reduce((sum, n) => sum + n, 0);
    }
    if (ingest) counts['ingest events not yet consumed'] = await ingestLoad.lag(config.kafka.consumerGroup);
    return counts;
  };
  const settleStart = now();
  const lowest = new Map<string, number>();
  let lastMove = settleStart;
  let lastSaid = settleStart;
  let settle: Settle | undefined;
  while (!settle) {
    const counts = await backlog().catch(() => undefined);
    const waited = now() - settleStart;
    if (counts) {
      for (const [name, n] of Object.entries(counts)) {
        if (n < (lowest.get(name) ?? Number.POSITIVE_INFINITY)) {
          lowest.set(name, n);
          lastMove = now();
        }
      }
      const left = Object.entries(counts).filter(([, n]) => n > 0);
      if (left.length === 0) settle = { outcome: 'settled', seconds: waited, backlog: counts };
      else if (now() - lastMove >= SETTLE_STALL_SECONDS)
        settle = { outcome: 'stalled', seconds: waited, backlog: counts };
      else if (waited >= SETTLE_CAP_SECONDS) settle = { outcome: 'capped', seconds: waited, backlog: counts };
      else if (now() - lastSaid >= 10) {
        lastSaid = now();
        say(`settling ${waited.toFixed(0)} s: ${left.map(([name, n]) => `${name} ${n}`).join(', ')}`);
      }
    } else if (now() - lastMove >= SETTLE_STALL_SECONDS) {
      settle = { outcome: 'stalled', seconds: waited, backlog: {} };
    }
    if (!settle) await sleep(1000);
  }
  say(
    settle.outcome === 'settled'
      ? `settled after ${settle.seconds.toFixed(1)} s`
      : `${settle.outcome === 'stalled' ? `nothing moved for ${SETTLE_STALL_SECONDS} s` : `still moving after ${SETTLE_CAP_SECONDS} s`}; left: ${JSON.stringify(settle.backlog)}`,
  );

  // ----------------------------------------------------------------------------------------- gather
  const requestRows = (
    await database.raw<{
      rows: {
        id: string;
        status: string;
        error: string | null;
        created: number | string;
        finished: number | string | null;
      }[];
    }>(
      `SELECT id, status, error, extract(epoch FROM created_at) * 1000 AS created,
              extract(epoch FROM completed_at) * 1000 AS finished
         FROM match_requests`,
    )
  ).rows;
  const outboxRows = (
    await database.raw<{ rows: { id: string; type: string; n: string }[] }>(
      `SELECT aggregate_id AS id, event_type AS type, count(*) AS n FROM outbox
        WHERE aggregate_type = 'match_request' GROUP BY 1, 2`,
    )
  ).rows;
  const publishedRows = (
    await database.raw<{ rows: { created: number | string; published: number | string | null }[] }>(
      `SELECT extract(epoch FROM created_at) * 1000 AS created, extract(epoch FROM published_at) * 1000 AS published FROM outbox`,
    )
  ).rows;
  const duplicateRanks = (
    await database.raw<{ rows: { id: string; rank: number; n: string }[] }>(
      `SELECT request_id AS id, rank, count(*) AS n FROM match_results GROUP BY 1, 2 HAVING count(*) > 1`,
    )
  ).rows;
  const oversized = (
    await database.raw<{ rows: { id: string; n: string }[] }>(
      `SELECT request_id AS id, count(*) AS n FROM match_results GROUP BY 1 HAVING count(*) > ?`,
      [TOP_K],
    )
  ).rows;
  const pendingNotifications = (
    await database.raw<{
      rows: { id: string; requestId: string | null; attempts: number; created: number | string }[];
    }>(
      `SELECT id, request_id AS "requestId", attempts, extract(epoch FROM created_at) * 1000 AS created
         FROM notifications WHERE status = 'pending' ORDER BY created_at`,
    )
  ).rows;
  const notificationRows = (
    await database.raw<{ rows: { status: string; n: string }[] }>(
      `SELECT status, count(*) AS n FROM notifications GROUP BY 1`,
    )
  ).rows;
  say(`reading ${matchTopic} from the isolated broker`);
  const messages = await readToEnd(broker.brokers, [matchTopic]);
  const ingested = ingest
    ? await ingestLoad.outcome(database, config.kafka.consumerGroup, topics.deadLetter, broker.brokers, t0)
    : undefined;

  const data: RunData = {
    profile,
    seed,
    replay,
    t0,
    runSeconds: 0,
    loadEnded,
    settleStart,
    settle,
    stallSeconds: SETTLE_STALL_SECONDS,
    capSeconds: SETTLE_CAP_SECONDS,
    ingest: ingested,
    submissions: submissions.map((s) => ({
      key: s.key,
      ids: [...s.ids],
      outcome: s.outcome,
      attempts: s.attempts,
      problem: s.problem,
      firstSentAt: s.firstSentAt,
      acceptedAt: s.acceptedAt,
    })),
    answers: Object.fromEntries(answers),
    samples,
    acceptTimes,
    requestRows: requestRows.map((row) => ({
      id: row.id,
      status: row.status,
      error: row.error,
      created: (Number(row.created) - t0) / 1000,
      finished: row.finished === null ? null : (Number(row.finished) - t0) / 1000,
    })),
    outbox: outboxRows.map((row) => ({ id: row.id, type: row.type, n: Number(row.n) })),
    published: publishedRows.map((row) => ({
      created: (Number(row.created) - t0) / 1000,
      published: row.published === null ? null : (Number(row.published) - t0) / 1000,
    })),
    duplicateRanks: duplicateRanks.map((row) => ({ id: row.id, rank: row.rank, n: Number(row.n) })),
    oversized: oversized.map((row) => ({ id: row.id, n: Number(row.n) })),
    pendingNotifications: pendingNotifications.map((row) => ({
      id: row.id,
      requestId: row.requestId,
      attempts: row.attempts,
      created: (Number(row.created) - t0) / 1000,
    })),
    notifications: Object.fromEntries(notificationRows.map((row) => [row.status, Number(row.n)])),
    messages: messages.map((message) => {
      const event = JSON.parse(message.value ?? '{}') as { id?: string; type?: string; subject?: string };
      return { id: event.id ?? '', type: event.type ?? '', subject: event.subject ?? message.key ?? '' };
    }),
    deliveries,
    faults,
    exits: exits.map((exit) => ({ ...exit, at: exit.at - (t0 - runStarted) / 1000 })),
  };
  data.runSeconds = (Date.now() - runStarted) / 1000;
  const { markdown, failed } = renderReport(data);
  await writeFile(outFile, markdown);
  console.log(`\n${markdown}`);
  console.log(`chaos: report written to ${outFile}`);
  exitCode = failed ? 1 : 0;
  if (failed) keepLogDirectory = true;
} catch (error) {
  console.error('chaos: the run itself failed:', error);
  keepLogDirectory = true;
  exitCode = 2;
} finally {
  say('tearing down');
  await cleanup();
  say(`done in ${((Date.now() - runStarted) / 1000).toFixed(0)} s, exit ${exitCode}`);
}
process.exit(exitCode);
