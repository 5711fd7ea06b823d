/**
 * Bulk match runs: one run over a client's candidate pool against its job board, ranked by worker processes
 * through the real queue and worker path (workers/main.ts, WORKER_QUEUES=match-run), started as
 * POST /v1/match-runs starts it (submitMatchRun: the row and its queued job). Measures subjects per second
 * from submit to completed and the CPU each part of the system spent per subject; optionally kills the
 * worker holding the run with SIGKILL mid-run and checks that every subject's results and event were
 * written exactly once. Baseline: the same workers draining single match requests over the same board.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { findMatchRun } from '../lib/db/match-runs.js';
import { submitMatchRun } from '../lib/match-runs.js';
import { createQueues } from '../lib/queues/queues.js';
import { WORKER_NODE_OPTIONS } from '../workers/heap.js';
import type { BenchTexts } from './support/corpus.js';
import { cpuTotal, drain, finishedCount, pidsOf, queueConfig, workersReady, type CpuPerJob } from './e2e.js';
import { insertCandidatePool } from './support/match-corpus.js';
import { CpuMeter, spawnScript, stopProcess } from './support/processes.js';
import { formatNumber, type BenchSection } from './support/report.js';
import { buildStack, type ServiceStack } from './support/service-stack.js';

export interface MatchRunBenchOptions {
  texts: BenchTexts;
  jobs: number;
  candidates: number;
  workers: number;
  /** Lanes the run is split into. */
  lanes: number;
  /** Match requests drained for the baseline. */
  baselineRequests: number;
  /** Kill the worker holding the run once this share of its subjects is done; 0: no kill. */
  killAt: number;
  keep: boolean;
  log: (line: string) => void;
}

const TARGET_RATE = 500;
const TARGET_JOBS = 1_000;
/** A short lock, so the run held by a killed worker is taken over within seconds. */
const LOCK_MS = 5_000;

interface RunPhase {
  seconds: number;
  subjects: number;
  cpu: CpuPerJob;
  killedAfter: number | null;
  resultRows: number;
  distinctEvents: number;
  events: number;
}

function workerProcesses(stack: ServiceStack, prefix: string, queue: string, count: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawnScript(
      'workers/main.ts',
      stack.env(prefix, {
        OPS_PORT: '0',
        WORKER_QUEUES: queue,
        NODE_OPTIONS: WORKER_NODE_OPTIONS,
        JOB_LOCK_MS: String(LOCK_MS),
      }),
    ),
  );
}

async function runPhase(
  stack: ServiceStack,
  options: MatchRunBenchOptions,
  killAt: number,
): Promise<RunPhase> {
  const prefix = stack.prefix(killAt > 0 ? 'killed-run' : 'run');
  const queues = createQueues(queueConfig(stack, prefix), stack.services.redis);
  const children = workerProcesses(stack, prefix, 'match-run', options.workers);
  try {
    await workersReady(queues.get('match-run'), options.workers);
    const meter = await CpuMeter.start(
      { workers: pidsOf(children), bench: [process.pid] },
      { postgres: 'postgres', redis: 'redis-server' },
    );
    const start = performance.now();
    const run = await submitMatchRun(
      { db: stack.services.db, queues },
      stack.clientId,
      {
        subject: 'candidates',
        topK: 10,
        filter: {},
        targetFilters: {},
      },
      options.lanes,
    );
    let killedAfter: number | null = null;
    for (;;) {
      const now = await findMatchRun(stack.services.db, run.id);
      if (!now || now.status === 'failed') throw new Error(`match run ${run.id}: ${now?.error ?? 'gone'}`);
      if (now.status === 'completed') break;
      if (killAt > 0 && killedAfter === null && now.done >= killAt * (now.total ?? Infinity)) {
        const [job] = (await queues.get('match-run').getActive()).filter(
          (active) => (active.data as { runId?: string }).runId === run.id,
        );
        const pid = Number(/:(\d+)$/.exec(job?.processedBy ?? '')?.[1]);
        const victim = children.find((child) => child.pid === pid);
        if (victim) {
          victim.kill('SIGKILL');
          killedAfter = now.done;
          options.log(`  match-run: killed worker ${pid} (SIGKILL) after ${formatNumber(now.done)} subjects`);
          children.push(...workerProcesses(stack, prefix, 'match-run', 1));
        }
      }
      await sleep(250);
    }
    const seconds = (performance.now() - start) / 1000;
    const used = await meter.stop();
    const finished = await findMatchRun(stack.services.db, run.id);
    const subjects = finished?.done ?? 0;
    const perSubject = (group: string): number => ((used[group] ?? 0) * 1000) / Math.max(1, subjects);
    const { rows } = await stack.services.db.raw<{
      rows: { resultRows: number; events: number; distinctEvents: number }[];
    }>(
      `SELECT (SELECT count(*) FROM match_run_results WHERE run_id = :run)::integer AS "resultRows",
              count(*)::integer AS events,
              count(DISTINCT payload->'subject'->>'id')::integer AS "distinctEvents"
         FROM outbox WHERE aggregate_id = :run AND event_type = 'match-run.results.v1'`,
      { run: run.id },
    );
    const written = rows[0] ?? { resultRows: 0, events: 0, distinctEvents: 0 };
    return {
      seconds,
      subjects,
      cpu: {
        workers: perSubject('workers'),
        postgres: perSubject('postgres'),
        redis: perSubject('redis'),
        bench: perSubject('bench'),
      },
      killedAfter,
      ...written,
    };
  } finally {
    for (const child of children) await stopProcess(child);
    await queues.close();
  }
}

/** The same workers draining single match requests (topK 10) over the same board. */
async function baselinePhase(
  stack: ServiceStack,
  options: MatchRunBenchOptions,
): Promise<{ rate: number; cpu: CpuPerJob }> {
  const prefix = stack.prefix('requests');
  const queues = createQueues(queueConfig(stack, prefix), stack.services.redis);
  const queue = queues.get('match');
  const children = workerProcesses(stack, prefix, 'match', options.workers);
  try {
    await workersReady(queue, options.workers);
    await queue.pause();
    let before = await finishedCount(queue);
    await stack.queueMatches(queues, 10 * options.workers);
    await drain(queue, 10 * options.workers, before);
    await queue.pause();
    before = await finishedCount(queue);
    await stack.queueMatches(queues, options.baselineRequests);
    const drained = await drain(queue, options.baselineRequests, before, pidsOf(children));
    return { rate: options.baselineRequests / drained.seconds, cpu: drained.cpu };
  } finally {
    for (const child of children) await stopProcess(child);
    await queues.close();
  }
}

export async function runMatchRunBench(options: MatchRunBenchOptions): Promise<BenchSection> {
  const { log } = options;
  const stack = await buildStack('match-run', options.texts, options.jobs, 8, log);
  try {
    log(`  match-run: inserting ${formatNumber(options.candidates)} candidates ...`);
    await insertCandidatePool(stack.services.db, stack.clientId, options.texts.resumes, {
      from: 0,
      to: options.candidates,
    });
    await stack.services.db.raw('VACUUM ANALYZE candidates');
    const report = (label: string, phase: RunPhase): void => {
      log(
        `  match-run: ${label}: ${formatNumber(phase.subjects)} subjects in ${formatNumber(phase.seconds)} s: ${formatNumber(phase.subjects / phase.seconds)}/s, CPU ${formatNumber(cpuTotal(phase.cpu))} ms a subject`,
      );
    };
    log(
      `  match-run: one run over ${formatNumber(options.candidates)} candidates, ${options.workers} workers ...`,
    );
    const run = await runPhase(stack, options, 0);
    const rate = run.subjects / run.seconds;
    report('clean run', run);
    const killed = options.killAt > 0 ? await runPhase(stack, options, options.killAt) : undefined;
    if (killed) report('run with a worker killed', killed);
    log(`  match-run: baseline, ${formatNumber(options.baselineRequests)} match requests ...`);
    const baseline = await baselinePhase(stack, options);
    const onceLine = (label: string, phase: RunPhase): string => {
      const once =
        phase.resultRows === phase.subjects &&
        phase.events === phase.subjects &&
        phase.distinctEvents === phase.subjects;
      return `${label}: ${formatNumber(phase.resultRows)} result rows, ${formatNumber(phase.events)} match-run.results.v1 events (${formatNumber(phase.distinctEvents)} distinct subjects) for ${formatNumber(phase.subjects)} subjects: ${once ? 'every subject once' : 'MISMATCH'}.`;
    };
    const cpuRow = (name: string, cpu: CpuPerJob): string =>
      `| ${name} | ${formatNumber(cpu.workers)} | ${formatNumber(cpu.postgres)} | ${formatNumber(cpu.redis)} | ${formatNumber(cpu.bench)} | ${formatNumber(cpuTotal(cpu))} |`;
    return {
      title: 'Bulk match run',
      setup: [
        `Schema \`${stack.schema}\`: ${formatNumber(options.jobs)} jobs built like the match bench's board and ${formatNumber(options.candidates)} candidates made from the bench resumes with their stored features (bench/support/match-corpus.ts).`,
        `One run (\`subject: candidates\`, topK 10, no filters) submitted as POST /v1/match-runs does, split into ${options.lanes} lanes, ranked by ${options.workers} worker processes (workers/main.ts, node ${WORKER_NODE_OPTIONS}, WORKER_QUEUES=match-run, JOB_LOCK_MS ${LOCK_MS}); from submit until the run is completed.`,
        killed
          ? `Then a second run, during which a worker holding one of the run's lanes is killed with SIGKILL once ${options.killAt * 100}% of the subjects are done, and a new one started: ${killed.killedAfter === null ? 'the run ended before the kill' : `killed after ${formatNumber(killed.killedAfter)} subjects; ${formatNumber(killed.subjects / killed.seconds)} subjects/s over that run`}. CPU figures are the clean run's (a killed process's CPU cannot be read).`
          : 'No worker is killed.',
        `Baseline: the same number of workers (WORKER_QUEUES=match) draining ${formatNumber(options.baselineRequests)} single match requests over the same board (topK 10, 8 subjects in turn).`,
      ],
      figures: [
        {
          name: `subjects ranked, ${formatNumber(options.jobs)} jobs × ${formatNumber(options.candidates)} candidates, ${options.workers} workers`,
          value: rate,
          unit: 'subjects/s',
          better: 'higher',
          baseline: { name: 'single match requests drained, same workers', value: baseline.rate },
          ...(options.jobs === TARGET_JOBS
            ? { target: { text: `≥ ${TARGET_RATE} subjects/s at 1,000 jobs`, met: rate >= TARGET_RATE } }
            : {}),
        },
      ],
      details: [
        onceLine('Exactly once, clean run', run),
        ...(killed ? ['', onceLine('Exactly once, run with a worker killed', killed)] : []),
        '',
        'CPU per subject (ms; user + system from /proc of the worker processes, every Postgres and Redis process, and the bench process):',
        '',
        '| work | workers | Postgres | Redis | bench | total |',
        '| --- | --- | --- | --- | --- | --- |',
        cpuRow('bulk run, per subject', run.cpu),
        cpuRow('single match request', baseline.cpu),
      ],
    };
  } finally {
    await stack.close(options.keep);
  }
}
