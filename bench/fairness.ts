/**
 * Bench: fairness between clients. Two clients of one service (API and 2 worker processes, match queue),
 * each with its own job board: a light client sends match requests at a steady rate, first alone (the
 * baseline), then while a busy client submits thousands at once through the same API. The figure is the
 * light client's POST → completed p99 under that load, against its own p99 alone, in the same run.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { createClient } from '../lib/clients.js';
import { WORKER_NODE_OPTIONS } from '../workers/heap.js';
import { CompletionWatcher } from './support/completions.js';
import { spread, type BenchTexts } from './support/corpus.js';
import { insertCandidates, insertJobs } from './support/match-corpus.js';
import { spawnScript, startHttpProcess, stopProcess } from './support/processes.js';
import { formatNumber, type BenchSection } from './support/report.js';
import { buildStack } from './support/service-stack.js';
import { distribution, type Distribution } from './support/stats.js';

export interface FairnessBenchOptions {
  texts: BenchTexts;
  /** Jobs on each client's board. */
  jobs: number;
  /** Match requests the busy client submits at once. */
  busyRequests: number;
  /** The light client's requests per second, and for how long each step sends them. */
  lightRate: number;
  lightSeconds: number;
  keep: boolean;
  log: (line: string) => void;
}

const WORKERS = 2;
/** The light client's p99 under load may be at most this many times its p99 alone (issue 13). */
const TARGET_RATIO = 2;
/** Requests the busy client keeps in flight while it submits its batch. */
const BUSY_CONNECTIONS = 16;

interface Client {
  key: string;
  candidateIds: string[];
}

async function post(baseUrl: string, client: Client, index: number): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/match-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ candidateId: client.candidateIds[index % client.candidateIds.length], topK: 10 }),
  });
  if (response.status !== 202) throw new Error(`POST /v1/match-requests answered ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** The light client's requests at `rate` for `seconds` (open loop), POST → completed of each. */
async function lightStep(
  baseUrl: string,
  light: Client,
  watcher: CompletionWatcher,
  rate: number,
  seconds: number,
): Promise<Distribution> {
  watcher.finished.clear();
  const sends: Promise<void>[] = [];
  const start = performance.now();
  for (let index = 0; index < rate * seconds; index += 1) {
    const due = start + (index * 1000) / rate;
    await sleep(Math.max(0, due - performance.now()));
    const sentAt = performance.now();
    sends.push(
      post(baseUrl, light, index).then((id) => {
        watcher.expect(id, sentAt);
      }),
    );
  }
  await Promise.all(sends);
  const lost = await watcher.settle(120_000);
  if (lost > 0) throw new Error(`${lost} light request(s) did not finish`);
  return distribution([...watcher.finished.values()].map((entry) => entry.doneAt - entry.sentAt));
}

/** The busy client's whole batch, BUSY_CONNECTIONS requests at a time; resolves with the seconds it took. */
async function busyBatch(
  baseUrl: string,
  busy: Client,
  count: number,
  progress: { sent: number },
): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: BUSY_CONNECTIONS }, async () => {
      while (progress.sent < count) {
        const index = progress.sent;
        progress.sent += 1;
        await post(baseUrl, busy, index);
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

export async function runFairnessBench(options: FairnessBenchOptions): Promise<BenchSection> {
  const { log } = options;
  const stack = await buildStack('fairness', options.texts, options.jobs, 8, log);
  const lightTenant = await createClient(stack.services.db, 'bench-fairness-light');
  await insertJobs(stack.services.db, lightTenant.client.id, options.texts.postings, options.jobs);
  const lightCandidates = await insertCandidates(
    stack.services.db,
    lightTenant.client.id,
    spread(options.texts.resumes, 8),
  );
  await stack.services.db.raw('VACUUM ANALYZE jobs, candidates');
  const busy: Client = { key: stack.apiKey, candidateIds: stack.candidates.map(({ id }) => id) };
  const light: Client = { key: lightTenant.apiKey, candidateIds: lightCandidates.map(({ id }) => id) };

  const prefix = stack.prefix('fairness');
  const workers = Array.from({ length: WORKERS }, () =>
    spawnScript(
      'workers/main.ts',
      stack.env(prefix, { OPS_PORT: '0', WORKER_QUEUES: 'match', NODE_OPTIONS: WORKER_NODE_OPTIONS }),
    ),
  );
  const api = await startHttpProcess('api/server.ts', stack.env(prefix, { RATE_LIMIT_REQUESTS: '1000000' }));
  const watcher = await CompletionWatcher.start(stack.services.db, stack.config.database.url, stack.schema);
  const queuedCount = async (): Promise<number> => {
    const row = (await stack.services
      .db('matchRequests')
      .where({ status: 'queued' })
      .count({ n: '*' })
      .first()) as {
      n: string;
    };
    return Number(row.n);
  };
  try {
    log('  fairness: warm-up ...');
    await lightStep(api.baseUrl, light, watcher, options.lightRate, 5);
    const alone = await lightStep(api.baseUrl, light, watcher, options.lightRate, options.lightSeconds);
    log(
      `  fairness: light client alone: p50 ${formatNumber(alone.p50)} ms, p99 ${formatNumber(alone.p99)} ms`,
    );

    const progress = { sent: 0 };
    const batch = busyBatch(api.baseUrl, busy, options.busyRequests, progress);
    // While the busy client's POSTs arrive: the API and Postgres are shared with them.
    while (progress.sent < Math.min(options.busyRequests, 200)) await sleep(50);
    const submitting = await lightStep(api.baseUrl, light, watcher, options.lightRate, options.lightSeconds);
    const submitSeconds = await batch;
    const backlogBefore = await queuedCount();
    // Then while its backlog drains: without fairness the light client would wait for all of it.
    const loaded = await lightStep(api.baseUrl, light, watcher, options.lightRate, options.lightSeconds);
    const backlogAfter = await queuedCount();
    log(
      `  fairness: light client while ${options.busyRequests} busy requests are POSTed: p50 ${formatNumber(submitting.p50)} ms, p99 ${formatNumber(submitting.p99)} ms`,
    );
    log(
      `  fairness: light client while the busy backlog drains (${backlogBefore} → ${backlogAfter} queued): p50 ${formatNumber(loaded.p50)} ms, p99 ${formatNumber(loaded.p99)} ms`,
    );
    const ratio = loaded.p99 / alone.p99;
    return {
      title: `Fairness between clients (${formatNumber(options.jobs)} jobs each, ${WORKERS} workers)`,
      setup: [
        `Two clients, each with its own board of ${formatNumber(options.jobs)} jobs built like the match bench's (bench/support/match-corpus.ts) and 8 candidates; the API and ${WORKERS} worker processes (match queue only) in their own processes.`,
        `The light client sends ${options.lightRate} match requests/s (open loop, topK 10) for ${options.lightSeconds} s at a time: alone; while the busy client POSTs ${formatNumber(options.busyRequests)} requests (${BUSY_CONNECTIONS} at a time) through the same API; and while the busy client's backlog drains. POST → completed is seen through the outbox's notifications (bench/support/completions.ts).`,
      ],
      figures: [
        {
          name: `light client's POST → completed p99 while another client's ${formatNumber(options.busyRequests)} requests drain`,
          value: loaded.p99,
          unit: 'ms',
          better: 'lower',
          baseline: { name: 'the light client alone, p99', value: alone.p99 },
          target: { text: `≤ ${TARGET_RATIO}× its p99 alone`, met: ratio <= TARGET_RATIO },
        },
      ],
      details: [
        `Light client alone: p50 ${formatNumber(alone.p50)} ms, p99 ${formatNumber(alone.p99)} ms, max ${formatNumber(alone.max)} ms (${alone.count} requests).`,
        `While the busy client POSTs its ${formatNumber(options.busyRequests)} requests (${formatNumber(submitSeconds)} s; the API, Postgres and the cores are shared with those POSTs): p50 ${formatNumber(submitting.p50)} ms, p99 ${formatNumber(submitting.p99)} ms, max ${formatNumber(submitting.max)} ms (${submitting.count} requests).`,
        `While the busy client's backlog drains (${formatNumber(backlogBefore)} queued at the start of the step, ${formatNumber(backlogAfter)} at its end): p50 ${formatNumber(loaded.p50)} ms, p99 ${formatNumber(loaded.p99)} ms, max ${formatNumber(loaded.max)} ms (${loaded.count} requests). Served in arrival order instead, each of these would have waited for the whole backlog.`,
      ],
    };
  } finally {
    await watcher.close();
    await stopProcess(api.child);
    for (const worker of workers) await stopProcess(worker);
    await stack.close(options.keep);
  }
}
