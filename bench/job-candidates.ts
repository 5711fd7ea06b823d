/**
 * Bench: job → candidates as a client's candidate pool grows. One pool grown in place (1,000 → 100,000 →
 * 1,000,000 candidates in full mode: resumes repeated with their stored features, as the bulk run's pool),
 * and at each size match requests for the client's jobs POSTed to the API (api/server.ts) at a fixed rate,
 * open loop, ranked by compiled worker processes as Dockerfile.worker runs them (WORKER_QUEUES=match):
 * POST → completed latency, CPU a request by part of the system and the workers' peak resident set. Each
 * figure's baseline is the same figure at the smallest size of the same run, so its ratio is how it grows.
 *
 * Writes bench/results/job-candidates.svg (latency and CPU against the pool's size).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { ChildProcess } from 'node:child_process';

import { createQueues } from '../lib/queues/queues.js';
import { WORKER_NODE_FLAGS } from '../workers/heap.js';
import { CompletionWatcher } from './support/completions.js';
import { PROJECT_ROOT, spread, type BenchTexts } from './support/corpus.js';
import { insertCandidatePool, insertJobs } from './support/match-corpus.js';
import {
  buildProduct,
  CpuMeter,
  peakRssMiB,
  spawnBuilt,
  startHttpProcess,
  stopProcess,
} from './support/processes.js';
import { formatNumber, type BenchSection, type Figure } from './support/report.js';
import { buildStack, type ServiceStack } from './support/service-stack.js';
import { lineChartSvg } from './support/svg.js';
import { pidsOf, postStep, queueConfig, RESULTS_DIR, workersReady, type Step } from './e2e.js';

export interface JobCandidatesBenchOptions {
  texts: BenchTexts;
  /** Pool sizes, smallest first: the pool is grown to each in turn. */
  sizes: readonly number[];
  /** Jobs of the client, each asked for candidates in turn. */
  subjects: number;
  workers: number;
  /** Match requests a second, and for how long, at each size. */
  rate: number;
  stepSeconds: number;
  keep: boolean;
  log: (line: string) => void;
}

const TARGET_CANDIDATES = 1_000_000;
const TARGET_P99_MS = 1_000;
const TARGET_RSS_MIB = 512;
const TOP_K = 10;

interface SizePoint {
  candidates: number;
  insertSeconds: number;
  warmup: Step;
  step: Step;
  /** CPU milliseconds a request, by part of the system, over the measured step. */
  cpu: Record<'workers' | 'api' | 'postgres' | 'redis', number>;
  /** The largest VmHWM among the worker processes, MiB. */
  workerPeakRssMiB: number;
}

const label = (candidates: number): string =>
  candidates >= 1_000_000
    ? `${candidates / 1_000_000}M`
    : candidates >= 1000
      ? `${candidates / 1000}k`
      : String(candidates);

async function measureSize(
  stack: ServiceStack,
  watcher: CompletionWatcher,
  jobIds: readonly string[],
  candidates: number,
  options: JobCandidatesBenchOptions,
): Promise<Omit<SizePoint, 'insertSeconds'>> {
  const prefix = stack.prefix(`c${candidates}`);
  const queues = createQueues(queueConfig(stack, prefix), stack.services.redis);
  const workers: ChildProcess[] = Array.from({ length: options.workers }, () =>
    spawnBuilt('workers/main.ts', stack.env(prefix, { OPS_PORT: '0', WORKER_QUEUES: 'match' }), [
      ...WORKER_NODE_FLAGS,
    ]),
  );
  const api = await startHttpProcess('api/server.ts', stack.env(prefix, { RATE_LIMIT_REQUESTS: '1000000' }));
  const target = { baseUrl: api.baseUrl, apiKey: stack.apiKey };
  const body = (index: number): object => ({ jobId: jobIds[index % jobIds.length], topK: TOP_K });
  try {
    await workersReady(queues.get('match'), options.workers);
    // Every job asked once: the workers' caches hold the profiles its pools draw, as in a service that has
    // been running; what a cold pool costs is the warm-up's latency.
    const warmup = await postStep(target, watcher, options.rate, jobIds.length / options.rate, body);
    const meter = await CpuMeter.start(
      { workers: pidsOf(workers), api: pidsOf([api.child]) },
      { postgres: 'postgres', redis: 'redis-server' },
    );
    const step = await postStep(target, watcher, options.rate, options.stepSeconds, body);
    const used = await meter.stop();
    const perRequest = (group: string): number => ((used[group] ?? 0) * 1000) / Math.max(1, step.sent);
    const peaks = await Promise.all(pidsOf(workers).map((pid) => peakRssMiB(pid)));
    return {
      candidates,
      warmup,
      step,
      cpu: {
        workers: perRequest('workers'),
        api: perRequest('api'),
        postgres: perRequest('postgres'),
        redis: perRequest('redis'),
      },
      workerPeakRssMiB: Math.max(...peaks),
    };
  } finally {
    await stopProcess(api.child);
    for (const worker of workers) await stopProcess(worker);
    await queues.close();
  }
}

const cpuTotal = (cpu: SizePoint['cpu']): number => cpu.workers + cpu.api + cpu.postgres + cpu.redis;

export async function runJobCandidatesBench(options: JobCandidatesBenchOptions): Promise<BenchSection> {
  const { log } = options;
  await buildProduct();
  const stack = await buildStack('job-candidates', options.texts, 0, 0, log);
  const { db } = stack.services;
  const points: SizePoint[] = [];
  const watcher = await CompletionWatcher.start(db, stack.config.database.url, stack.schema);
  try {
    await insertJobs(db, stack.clientId, spread(options.texts.postings, options.subjects), options.subjects);
    const jobIds = (
      (await db('jobs').select('id').where({ clientId: stack.clientId, status: 'open' }).orderBy('id')) as {
        id: string;
      }[]
    ).map((row) => row.id);
    let inserted = 0;
    for (const size of options.sizes) {
      log(
        `  job-candidates: growing the pool ${formatNumber(inserted)} → ${formatNumber(size)} candidates ...`,
      );
      const insertStart = performance.now();
      await insertCandidatePool(db, stack.clientId, options.texts.resumes, { from: inserted, to: size });
      await db.raw('VACUUM ANALYZE candidates');
      const insertSeconds = (performance.now() - insertStart) / 1000;
      inserted = size;
      const point = { ...(await measureSize(stack, watcher, jobIds, size, options)), insertSeconds };
      points.push(point);
      log(
        `  job-candidates: ${label(size)} candidates: warm-up p50 ${formatNumber(point.warmup.latency.p50)} ms, max ${formatNumber(point.warmup.latency.max)} ms; at ${options.rate}/s p50 ${formatNumber(point.step.latency.p50)} ms, p99 ${formatNumber(point.step.latency.p99)} ms, ${point.step.completed}/${point.step.sent} completed; CPU ${formatNumber(cpuTotal(point.cpu))} ms a request (workers ${formatNumber(point.cpu.workers)}, API ${formatNumber(point.cpu.api)}, Postgres ${formatNumber(point.cpu.postgres)}, Redis ${formatNumber(point.cpu.redis)}); worker peak RSS ${formatNumber(point.workerPeakRssMiB)} MiB`,
      );
    }
  } finally {
    await watcher.close();
    await stack.close(options.keep);
  }

  const smallest = points[0];
  if (smallest === undefined) throw new Error('job-candidates: no pool size measured');
  const figures: Figure[] = [];
  for (const point of points.slice(1)) {
    const atTarget = point.candidates === TARGET_CANDIDATES;
    const atSmallest = `the same at ${formatNumber(smallest.candidates)} candidates`;
    figures.push(
      {
        name: `POST → completed p99 at ${options.rate}/s, ${formatNumber(point.candidates)} candidates`,
        value: point.step.latency.p99,
        unit: 'ms',
        better: 'lower',
        baseline: { name: atSmallest, value: smallest.step.latency.p99 },
        ...(atTarget
          ? {
              target: {
                text: `p99 ≤ ${formatNumber(TARGET_P99_MS)} ms, all completed`,
                met: point.step.latency.p99 <= TARGET_P99_MS && point.step.lost === 0,
              },
            }
          : {}),
      },
      {
        name: `CPU a request (workers, API, Postgres, Redis), ${formatNumber(point.candidates)} candidates`,
        value: cpuTotal(point.cpu),
        unit: 'ms',
        better: 'lower',
        baseline: { name: atSmallest, value: cpuTotal(smallest.cpu) },
      },
      {
        name: `worker peak RSS, ${formatNumber(point.candidates)} candidates`,
        value: point.workerPeakRssMiB,
        unit: 'MiB',
        better: 'lower',
        baseline: { name: atSmallest, value: smallest.workerPeakRssMiB },
        ...(atTarget
          ? {
              target: {
                text: `≤ ${TARGET_RSS_MIB} MiB`,
                met: point.workerPeakRssMiB <= TARGET_RSS_MIB,
              },
            }
          : {}),
      },
    );
  }

  await mkdir(resolve(PROJECT_ROOT, RESULTS_DIR), { recursive: true });
  const x = (point: SizePoint): number => Math.log10(point.candidates);
  const svg = lineChartSvg({
    title: `Job → candidates at ${options.rate} requests/s as the pool grows`,
    xLabel: 'candidates in the pool (log10: 3 = 1,000, 6 = 1,000,000)',
    yLabel: 'ms',
    series: [
      { name: 'latency p50', points: points.map((p): [number, number] => [x(p), p.step.latency.p50]) },
      { name: 'latency p99', points: points.map((p): [number, number] => [x(p), p.step.latency.p99]) },
      { name: 'CPU a request', points: points.map((p): [number, number] => [x(p), cpuTotal(p.cpu)]) },
      {
        name: 'CPU: workers',
        points: points.map((p): [number, number] => [x(p), p.cpu.workers]),
        dashed: true,
      },
      {
        name: 'CPU: Postgres',
        points: points.map((p): [number, number] => [x(p), p.cpu.postgres]),
        dashed: true,
      },
    ],
    reference: { y: TARGET_P99_MS, label: `target p99 ${formatNumber(TARGET_P99_MS)} ms` },
  });
  await writeFile(resolve(PROJECT_ROOT, RESULTS_DIR, 'job-candidates.svg'), svg);

  return {
    title: 'Job → candidates as the pool grows',
    setup: [
      `Schema \`${stack.schema}\`, one client: ${options.subjects} jobs (bench postings) asked for candidates in turn, topK ${TOP_K}; its candidate pool grown in place to ${options.sizes.map(formatNumber).join(' → ')} candidates (resumes repeated with their stored features, bench/support/match-corpus.ts), VACUUM ANALYZE after each growth.`,
      `At each size: the API (tsx) and ${options.workers} compiled worker processes (node ${WORKER_NODE_FLAGS.join(' ')}, WORKER_QUEUES=match), fresh; every job asked once (warm-up), then POST /v1/match-requests at ${options.rate}/s for ${options.stepSeconds} s, open loop; latency from POST to completed (LISTEN on the outbox), CPU from /proc per part over the measured step, worker peak RSS = VmHWM.`,
      `Baselines: each figure at ${formatNumber(smallest.candidates)} candidates in the same run (ratio = growth). Plot: ${RESULTS_DIR}/job-candidates.svg.`,
    ],
    figures,
    details: [
      '| candidates | insert (s) | warm-up p50 / max (ms) | p50 (ms) | p99 (ms) | completed | CPU a request: workers / API / Postgres / Redis (ms) | worker peak RSS (MiB) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...points.map(
        (p) =>
          `| ${formatNumber(p.candidates)} | ${formatNumber(p.insertSeconds)} | ${formatNumber(p.warmup.latency.p50)} / ${formatNumber(p.warmup.latency.max)} | ${formatNumber(p.step.latency.p50)} | ${formatNumber(p.step.latency.p99)} | ${p.step.completed}/${p.step.sent} | ${formatNumber(p.cpu.workers)} / ${formatNumber(p.cpu.api)} / ${formatNumber(p.cpu.postgres)} / ${formatNumber(p.cpu.redis)} | ${formatNumber(p.workerPeakRssMiB)} |`,
      ),
    ],
  };
}
