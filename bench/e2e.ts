/**
 * Bench: end to end. Match requests POSTed to the API (api/server.ts, its own process) and ranked by 1, 2 and
 * 4 worker processes (workers/main.ts, WORKER_QUEUES=match), over job boards of 1,000 and (full mode)
 * 100,000 jobs built like the match bench's. Two measurements per worker count:
 *
 * - queue throughput: N match requests written and queued (as the API does) while the queue is paused, then
 *   the time for the workers to drain them; the baseline is N no-op BullMQ jobs drained the same way by the
 *   same number of processes running a processor that does nothing, with the same concurrency;
 * - latency from POST to completed, at offered loads (open loop: requests sent on a fixed schedule, not
 *   waiting for each other), seen by subscribing to completions (LISTEN on the outbox trigger, see
 *   support/completions.ts); the baseline is a no-op BullMQ job's add → finished at the same rate.
 *
 * Writes bench/results/e2e-latency.svg (p50/p99 against offered load) and e2e-throughput.svg.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { Queue } from 'bullmq';
import type { ChildProcess } from 'node:child_process';

import { loadConfig } from '../lib/config.js';
import { createQueues, type Queues } from '../lib/queues/queues.js';
import { CompletionWatcher } from './support/completions.js';
import { PROJECT_ROOT, type BenchTexts } from './support/corpus.js';
import { CpuMeter, spawnScript, startHttpProcess, stopProcess, waitUntil } from './support/processes.js';
import { formatNumber, type BenchSection, type Figure } from './support/report.js';
import { buildStack, type ServiceStack } from './support/service-stack.js';
import { distribution, type Distribution } from './support/stats.js';
import { lineChartSvg } from './support/svg.js';
import { WORKER_NODE_OPTIONS } from '../workers/heap.js';

export interface E2eBenchOptions {
  texts: BenchTexts;
  corpora: readonly number[];
  workerCounts: readonly number[];
  /** Match requests (and no-op jobs) per drain. */
  drainJobs: number;
  /** Seconds of each offered-load step. */
  stepSeconds: number;
  /** The offered load for the largest corpus (target: p99 ≤ 250 ms at 50 requests/s). */
  slowRate: number;
  keep: boolean;
  log: (line: string) => void;
}

const TARGET_RATE = 500;
/** Drained with TARGET_WORKERS at the large corpus (100,000 jobs). */
const TARGET_RATE_LARGE = 100;
const TARGET_P99_SMALL_MS = 100;
const TARGET_P99_LARGE_MS = 250;
const TARGET_WORKERS = 2;
const LOAD_FRACTIONS = [0.25, 0.5, 0.75, 1];
const WARMUP_PER_WORKER = 20;
const NOOP_QUEUE = 'noop';
export const RESULTS_DIR = 'bench/results';

export interface Step {
  offered: number;
  sent: number;
  completed: number;
  lost: number;
  latency: Distribution;
}

export function queueConfig(stack: ServiceStack, prefix: string): ReturnType<typeof loadConfig> {
  return loadConfig(stack.env(prefix));
}

/** Waits until `count` workers (Redis connections named by BullMQ for the queue) are connected. */
export async function workersReady(queue: Queue, count: number): Promise<void> {
  await waitUntil(
    `${count} workers on ${queue.name}`,
    async () => (await queue.getWorkersCount()) >= count,
    120_000,
  );
}

export async function finishedCount(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('completed', 'failed');
  return (counts.completed ?? 0) + (counts.failed ?? 0);
}

/** CPU milliseconds per drained job, by part of the system. */
export type CpuPerJob = Record<'workers' | 'postgres' | 'redis' | 'bench', number>;

/**
 * Seconds from resuming the paused queue until `count` more jobs have finished, and the CPU each part of
 * the system spent per job meanwhile (with `workerPids`).
 */
export async function drain(
  queue: Queue,
  count: number,
  before: number,
  workerPids: readonly number[] = [],
): Promise<{ seconds: number; cpu: CpuPerJob }> {
  const meter = await CpuMeter.start(
    { workers: workerPids, bench: [process.pid] },
    { postgres: 'postgres', redis: 'redis-server' },
  );
  const start = performance.now();
  await queue.resume();
  await waitUntil(
    `${count} jobs drained`,
    async () => (await finishedCount(queue)) >= before + count,
    600_000,
    5,
  );
  const seconds = (performance.now() - start) / 1000;
  const used = await meter.stop();
  const perJob = (group: string): number => ((used[group] ?? 0) * 1000) / count;
  return {
    seconds,
    cpu: {
      workers: perJob('workers'),
      postgres: perJob('postgres'),
      redis: perJob('redis'),
      bench: perJob('bench'),
    },
  };
}

export const cpuTotal = (cpu: CpuPerJob): number => cpu.workers + cpu.postgres + cpu.redis + cpu.bench;

export const pidsOf = (children: readonly ChildProcess[]): number[] =>
  children.flatMap((child) => (child.pid === undefined ? [] : [child.pid]));

/** Calls `send` `rate` times a second for `seconds`, on a fixed schedule (open loop); returns the calls made. */
async function openLoop(rate: number, seconds: number, send: () => void): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let sent = 0;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate) + 1;
    while (sent < due) {
      send();
      sent += 1;
    }
    await sleep(1);
  }
  return sent;
}

/**
 * Match requests POSTed at `rate` for `seconds` (open loop), the n-th with `body(n)`; their latency from
 * POST to completed as the watcher sees it.
 */
export async function postStep(
  api: { baseUrl: string; apiKey: string },
  watcher: CompletionWatcher,
  rate: number,
  seconds: number,
  body: (index: number) => object,
): Promise<Step> {
  watcher.finished.clear();
  let failures = 0;
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const sent = await openLoop(rate, seconds, () => {
    const sentAt = performance.now();
    const request = fetch(`${api.baseUrl}/v1/match-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body(next++)),
    })
      .then(async (response) => {
        if (response.status !== 202) throw new Error(`POST ${response.status}`);
        const { id } = (await response.json()) as { id: string };
        watcher.expect(id, sentAt);
      })
      .catch(() => {
        failures += 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  });
  await Promise.all(inFlight);
  const lost = await watcher.settle(60_000);
  watcher.forget();
  const finished = [...watcher.finished.values()];
  return {
    offered: rate,
    sent,
    completed: finished.filter((entry) => entry.status === 'completed').length,
    lost: lost + failures + finished.filter((entry) => entry.status !== 'completed').length,
    latency: distribution(finished.map((entry) => entry.doneAt - entry.sentAt)),
  };
}

/** No-op jobs added at `rate` for `seconds`; latency = finishedOn − timestamp of each job. */
async function noopStep(queue: Queue, rate: number, seconds: number): Promise<Distribution> {
  const before = await finishedCount(queue);
  const adds: Promise<unknown>[] = [];
  let index = 0;
  const sent = await openLoop(rate, seconds, () => {
    adds.push(queue.add(NOOP_QUEUE, { index: (index += 1) }, { jobId: `step-${rate}-${index}` }));
  });
  await Promise.all(adds);
  await waitUntil(
    'no-op step finished',
    async () => (await finishedCount(queue)) >= before + sent,
    60_000,
    10,
  );
  const jobs = await queue.getJobs(['completed'], 0, -1);
  const latencies = jobs
    .filter((job) => job.id?.startsWith(`step-${rate}-`) && job.finishedOn !== undefined)
    .map((job) => (job.finishedOn ?? 0) - job.timestamp);
  return distribution(latencies);
}

interface Phase {
  jobs: number;
  workers: number;
  drainRate: number;
  noopRate: number;
  /** CPU per match request while draining, and per no-op job while draining those. */
  matchCpu: CpuPerJob;
  noopCpu: CpuPerJob;
  steps: Step[];
  noopLatency: Map<number, Distribution>;
}

async function runPhase(
  stack: ServiceStack,
  watcher: CompletionWatcher,
  options: E2eBenchOptions,
  jobs: number,
  workers: number,
  rates: (drainRate: number) => number[],
): Promise<Phase> {
  const { log } = options;
  const label = `${jobs >= 1000 ? `${jobs / 1000}k` : jobs} jobs, ${workers} worker process(es)`;
  const drainJobs = jobs > 10_000 ? Math.min(options.drainJobs, 300) : options.drainJobs;
  // ----- match workers and the API on a queue prefix of their own
  const prefix = stack.prefix(`m${jobs}_${workers}`);
  const config = queueConfig(stack, prefix);
  const queues: Queues = createQueues(config, stack.services.redis);
  const matchQueue = queues.get('match');
  const children = Array.from({ length: workers }, () =>
    spawnScript(
      'workers/main.ts',
      stack.env(prefix, { OPS_PORT: '0', WORKER_QUEUES: 'match', NODE_OPTIONS: WORKER_NODE_OPTIONS }),
    ),
  );
  const api = await startHttpProcess('api/server.ts', stack.env(prefix, { RATE_LIMIT_REQUESTS: '1000000' }));
  let drainRate: number;
  let matchCpu: CpuPerJob;
  let steps: Step[] = [];
  try {
    await workersReady(matchQueue, workers);
    log(`  e2e: ${label}: warm-up ...`);
    await matchQueue.pause();
    let before = await finishedCount(matchQueue);
    await stack.queueMatches(queues, WARMUP_PER_WORKER * workers);
    await drain(matchQueue, WARMUP_PER_WORKER * workers, before);
    await matchQueue.pause();
    before = await finishedCount(matchQueue);
    await stack.queueMatches(queues, drainJobs);
    const drained = await drain(matchQueue, drainJobs, before, pidsOf(children));
    drainRate = drainJobs / drained.seconds;
    matchCpu = drained.cpu;
    log(
      `  e2e: ${label}: drained ${drainJobs} match requests at ${formatNumber(drainRate)}/s, CPU ${formatNumber(cpuTotal(matchCpu))} ms a request (workers ${formatNumber(matchCpu.workers)}, Postgres ${formatNumber(matchCpu.postgres)}, Redis ${formatNumber(matchCpu.redis)})`,
    );
    for (const rate of rates(drainRate)) {
      const step = await postStep(
        { baseUrl: api.baseUrl, apiKey: stack.apiKey },
        watcher,
        rate,
        options.stepSeconds,
        (index) => ({ candidateId: stack.candidates[index % stack.candidates.length]?.id, topK: 10 }),
      );
      steps.push(step);
      log(
        `  e2e: ${label}: offered ${formatNumber(rate)}/s: p50 ${formatNumber(step.latency.p50)} ms, p99 ${formatNumber(step.latency.p99)} ms, ${step.completed}/${step.sent} completed`,
      );
    }
  } finally {
    await stopProcess(api.child);
    for (const child of children) await stopProcess(child);
    await queues.close();
  }
  steps = steps.sort((a, b) => a.offered - b.offered);

  // ----- the baseline: no-op workers, same count and concurrency, their own prefix
  const noopPrefix = stack.prefix(`n${jobs}_${workers}`);
  const noopQueue = new Queue(NOOP_QUEUE, {
    connection: stack.services.redis,
    prefix: noopPrefix,
    defaultJobOptions: { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 3600 } },
  });
  const noops = Array.from({ length: workers }, () =>
    spawnScript('bench/support/noop-worker.ts', stack.env(noopPrefix, { NOOP_QUEUE })),
  );
  const noopLatency = new Map<number, Distribution>();
  let noopRate: number;
  let noopCpu: CpuPerJob;
  try {
    await workersReady(noopQueue, workers);
    await noopQueue.pause();
    const before = await finishedCount(noopQueue);
    await noopQueue.addBulk(
      Array.from({ length: drainJobs }, (_, index) => ({ name: NOOP_QUEUE, data: { index } })),
    );
    const drained = await drain(noopQueue, drainJobs, before, pidsOf(noops));
    noopRate = drainJobs / drained.seconds;
    noopCpu = drained.cpu;
    for (const step of steps)
      noopLatency.set(
        step.offered,
        await noopStep(noopQueue, step.offered, Math.min(2, options.stepSeconds)),
      );
    log(`  e2e: ${label}: no-op baseline drained at ${formatNumber(noopRate)}/s`);
  } finally {
    for (const child of noops) await stopProcess(child);
    await noopQueue.close();
  }
  return { jobs, workers, drainRate, noopRate, matchCpu, noopCpu, steps, noopLatency };
}

function stepAt(phase: Phase | undefined, rate: number): Step | undefined {
  return phase?.steps.find((step) => step.offered === rate);
}

export async function runE2eBench(options: E2eBenchOptions): Promise<BenchSection> {
  const { log } = options;
  const phases: Phase[] = [];
  const setup: string[] = [];
  for (const jobs of options.corpora) {
    const large = jobs > 10_000;
    const stack = await buildStack('e2e', options.texts, jobs, 8, log);
    const watcher = await CompletionWatcher.start(stack.services.db, stack.config.database.url, stack.schema);
    try {
      const counts = large ? [TARGET_WORKERS] : options.workerCounts;
      for (const workers of counts) {
        const rates = large
          ? () => [options.slowRate]
          : (drainRate: number) => {
              const offered = LOAD_FRACTIONS.map((fraction) => Math.max(1, Math.round(fraction * drainRate)));
              if (workers === TARGET_WORKERS) offered.push(TARGET_RATE / 2);
              return [...new Set(offered)];
            };
        phases.push(await runPhase(stack, watcher, options, jobs, workers, rates));
      }
      setup.push(
        `${formatNumber(jobs)} jobs: schema \`${stack.schema}\`, built like the match bench's board (bench/support/match-corpus.ts), ${stack.candidates.length} candidates as subjects in turn, topK 10, no filters.`,
      );
    } finally {
      await watcher.close();
      await stack.close(options.keep);
    }
  }

  // ----- figures
  const figures: Figure[] = [];
  const small = options.corpora[0] ?? 1000;
  for (const phase of phases) {
    const targetRate = phase.jobs === small ? TARGET_RATE : TARGET_RATE_LARGE;
    figures.push({
      name: `match requests drained, ${phase.workers} worker process(es), ${formatNumber(phase.jobs)} jobs`,
      value: phase.drainRate,
      unit: 'requests/s',
      better: 'higher',
      baseline: { name: `no-op BullMQ jobs, ${phase.workers} process(es)`, value: phase.noopRate },
      ...(phase.workers === TARGET_WORKERS
        ? { target: { text: `≥ ${targetRate}/s`, met: phase.drainRate >= targetRate } }
        : {}),
    });
  }
  const latencyFigure = (phase: Phase | undefined, rate: number, targetMs: number): void => {
    const step = stepAt(phase, rate);
    if (!phase || !step) return;
    figures.push({
      name: `POST → completed p99 at ${formatNumber(rate)} requests/s, ${phase.workers} workers, ${formatNumber(phase.jobs)} jobs`,
      value: step.latency.p99,
      unit: 'ms',
      better: 'lower',
      baseline: {
        name: 'no-op BullMQ job add → finished p99, same rate',
        value: phase.noopLatency.get(rate)?.p99 ?? Number.NaN,
      },
      target: {
        text: `p99 ≤ ${targetMs} ms, all completed`,
        met: step.latency.p99 <= targetMs && step.lost === 0,
      },
    });
  };
  latencyFigure(
    phases.find((phase) => phase.jobs === small && phase.workers === TARGET_WORKERS),
    TARGET_RATE / 2,
    TARGET_P99_SMALL_MS,
  );
  const largePhase = phases.find((phase) => phase.jobs > 10_000);
  latencyFigure(largePhase, options.slowRate, TARGET_P99_LARGE_MS);

  // ----- plots
  await mkdir(resolve(PROJECT_ROOT, RESULTS_DIR), { recursive: true });
  const latencySvg = lineChartSvg({
    title: `POST → completed latency against offered load (${formatNumber(small)} jobs)`,
    xLabel: 'offered match requests/s',
    yLabel: 'latency (ms)',
    series: phases
      .filter((phase) => phase.jobs === small)
      .flatMap((phase) => [
        {
          name: `p50, ${phase.workers} workers`,
          points: phase.steps.map((s): [number, number] => [s.offered, s.latency.p50]),
        },
        {
          name: `p99, ${phase.workers} workers`,
          points: phase.steps.map((s): [number, number] => [s.offered, s.latency.p99]),
          dashed: true,
        },
      ]),
    reference: { y: TARGET_P99_SMALL_MS, label: `target p99 ${TARGET_P99_SMALL_MS} ms` },
  });
  const throughputSvg = lineChartSvg({
    title: 'Queue throughput against worker processes',
    xLabel: 'worker processes',
    yLabel: 'jobs/s',
    series: [...new Set(phases.map((phase) => phase.jobs))].flatMap((jobs) => {
      const ofCorpus = phases.filter((phase) => phase.jobs === jobs);
      return [
        {
          name: `match, ${formatNumber(jobs)} jobs`,
          points: ofCorpus.map((p): [number, number] => [p.workers, p.drainRate]),
        },
        {
          name: `no-op (${formatNumber(jobs)} run)`,
          points: ofCorpus.map((p): [number, number] => [p.workers, p.noopRate]),
          dashed: true,
        },
      ];
    }),
  });
  const latencyPath = `${RESULTS_DIR}/e2e-latency.svg`;
  const throughputPath = `${RESULTS_DIR}/e2e-throughput.svg`;
  await writeFile(resolve(PROJECT_ROOT, latencyPath), latencySvg);
  await writeFile(resolve(PROJECT_ROOT, throughputPath), throughputSvg);

  const stepRows = phases.flatMap((phase) =>
    phase.steps.map((step) => {
      const noop = phase.noopLatency.get(step.offered);
      return `| ${formatNumber(phase.jobs)} | ${phase.workers} | ${formatNumber(step.offered)} | ${step.completed}/${step.sent} | ${formatNumber(step.latency.p50)} | ${formatNumber(step.latency.p95)} | ${formatNumber(step.latency.p99)} | ${formatNumber(step.latency.max)} | ${noop ? `${formatNumber(noop.p50)} / ${formatNumber(noop.p99)}` : '—'} |`;
    }),
  );
  return {
    title: 'End to end (API → queue → workers → Postgres)',
    setup: [
      ...setup,
      `Processes: api/server.ts (RATE_LIMIT_REQUESTS 1,000,000) and N × workers/main.ts (node ${WORKER_NODE_OPTIONS}, WORKER_QUEUES=match, MATCH_CONCURRENCY ${loadConfig().workers.matchConcurrency}, OPS_PORT=0), each phase on a queue prefix of its own; Postgres and Redis shared with the bench process, all on this machine.`,
      `Queue throughput: ${formatNumber(options.drainJobs)} match requests (300 at 100,000 jobs) written and queued exactly as the API does, with the queue paused, after ${WARMUP_PER_WORKER} per worker to warm up (JIT, scorer, profile cache); the figure is requests ÷ seconds from resume until BullMQ counts them all finished. Baseline: as many no-op BullMQ jobs drained by as many processes running a processor that does nothing (bench/support/noop-worker.ts, same concurrency, lock settings and job options).`,
      `Latency: POST /v1/match-requests on a fixed schedule (open loop) for ${options.stepSeconds} s per step, at ${LOAD_FRACTIONS.map((f) => `${f * 100}%`).join(', ')} of the drain rate (and ${TARGET_RATE / 2}/s with ${TARGET_WORKERS} workers; ${options.slowRate}/s at 100,000 jobs); from sending the POST until the bench sees the request completed, by LISTENing on the outbox trigger's channel and reading the pending requests' status on each notification (bench/support/completions.ts). Baseline: no-op jobs added at the same rate for ${Math.min(2, options.stepSeconds)} s, finishedOn − timestamp.`,
      `Plots: [latency against offered load](${latencyPath}), [throughput against worker processes](${throughputPath}).`,
    ],
    figures,
    details: [
      `![latency against offered load](${latencyPath})`,
      `![throughput against worker processes](${throughputPath})`,
      '',
      '| jobs | workers | drained match requests/s | no-op jobs/s | ratio |',
      '| --- | --- | --- | --- | --- |',
      ...phases.map(
        (phase) =>
          `| ${formatNumber(phase.jobs)} | ${phase.workers} | ${formatNumber(phase.drainRate)} | ${formatNumber(phase.noopRate)} | ${(phase.drainRate / phase.noopRate).toFixed(3)} |`,
      ),
      '',
      `CPU per request while draining (ms; user + system from /proc/<pid>/stat, of the worker processes, every Postgres and Redis process, and the bench process, which polls BullMQ's counts): what each part of the system spends on one match request, however the ${availableParallelism()} cores were shared. The ceiling is cores × 1,000 ÷ total: the rate this machine could drain if every core were busy with nothing else.`,
      '',
      '| jobs | workers | workers ms | Postgres ms | Redis ms | bench ms | total ms | ceiling/s | no-op job total ms |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...phases.map(
        (phase) =>
          `| ${formatNumber(phase.jobs)} | ${phase.workers} | ${formatNumber(phase.matchCpu.workers)} | ${formatNumber(phase.matchCpu.postgres)} | ${formatNumber(phase.matchCpu.redis)} | ${formatNumber(phase.matchCpu.bench)} | ${formatNumber(cpuTotal(phase.matchCpu))} | ${formatNumber((availableParallelism() * 1000) / cpuTotal(phase.matchCpu))} | ${formatNumber(cpuTotal(phase.noopCpu))} |`,
      ),
      '',
      'POST → completed, by offered load (ms):',
      '',
      '| jobs | workers | offered/s | completed/sent | p50 | p95 | p99 | max | no-op p50 / p99 |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...stepRows,
    ],
  };
}
