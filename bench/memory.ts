/**
 * Bench: worker memory. The peak resident set (VmHWM in /proc/<pid>/status) of one worker process
 * (workers/main.ts, WORKER_QUEUES=match) after it has ranked enough match requests over the job board to
 * fill its profile cache (MATCH_CACHED_PROFILES, default 100,000: at 100,000 jobs, every job it is asked to
 * score), against the same process's peak once started and idle, before its first job.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { loadConfig } from '../lib/config.js';
import { createQueues } from '../lib/queues/queues.js';
import type { BenchTexts } from './support/corpus.js';
import { buildProduct, peakRssMiB, rssMiB, spawnBuilt, stopProcess, waitUntil } from './support/processes.js';
import { formatNumber, type BenchSection } from './support/report.js';
import { buildStack } from './support/service-stack.js';
import { WORKER_NODE_FLAGS } from '../workers/heap.js';

export interface MemoryBenchOptions {
  texts: BenchTexts;
  jobs: number;
  requests: number;
  subjects: number;
  keep: boolean;
  log: (line: string) => void;
}

const TARGET_MIB = 300;
/** A worker that has just started still loads modules and the model lazily: idle means settled for this long. */
const IDLE_SETTLE_MS = 3000;

export async function runMemoryBench(options: MemoryBenchOptions): Promise<BenchSection> {
  const { log } = options;
  const stack = await buildStack('memory', options.texts, options.jobs, options.subjects, log);
  const prefix = stack.prefix('memory');
  const config = loadConfig(stack.env(prefix));
  const queues = createQueues(config, stack.services.redis);
  const queue = queues.get('match');
  // The compiled worker with the heap limit every launch of it sets (Dockerfile.worker): the product's figure.
  await buildProduct();
  const child = spawnBuilt('workers/main.ts', stack.env(prefix, { OPS_PORT: '0', WORKER_QUEUES: 'match' }), [
    ...WORKER_NODE_FLAGS,
  ]);
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('the worker did not start');
    await waitUntil('the worker is connected', async () => (await queue.getWorkersCount()) >= 1, 120_000);
    await sleep(IDLE_SETTLE_MS);
    const idlePeak = await peakRssMiB(pid);
    const idleRss = await rssMiB(pid);
    log(`  memory: idle worker peak ${formatNumber(idlePeak)} MiB; ${options.requests} match requests ...`);
    const ids = await stack.queueMatches(queues, options.requests);
    const samples: number[] = [];
    await waitUntil(
      'every match request is finished',
      async () => {
        samples.push(await rssMiB(pid));
        const finished = await stack.services
          .db('matchRequests')
          .whereIn('id', ids)
          .whereIn('status', ['completed', 'failed'])
          .count<{ count: string }[]>({ count: '*' });
        return Number(finished[0]?.count ?? 0) >= ids.length;
      },
      1_800_000,
      200,
    );
    const failed = await stack.services
      .db('matchRequests')
      .whereIn('id', ids)
      .where('status', 'failed')
      .count<{ count: string }[]>({ count: '*' });
    const loadedPeak = await peakRssMiB(pid);
    const loadedRss = await rssMiB(pid);
    const targets = await stack.services
      .db('matchResults')
      .whereIn('requestId', ids)
      .countDistinct<{ count: string }[]>({ count: 'targetId' });
    return {
      title: `Worker memory (${formatNumber(options.jobs)} jobs)`,
      setup: [
        `One worker process (\`npm run build\`, then node ${WORKER_NODE_FLAGS.join(' ')} dist/workers/main.js as Dockerfile.worker runs it, WORKER_QUEUES=match, MATCH_CONCURRENCY ${config.workers.matchConcurrency}, MATCH_CACHED_PROFILES ${formatNumber(config.matching.cachedProfiles)}, MATCH_CANDIDATE_LIMIT ${formatNumber(config.matching.candidateLimit)}) over schema \`${stack.schema}\` with ${formatNumber(options.jobs)} jobs (built like the match bench's board).`,
        `${formatNumber(options.requests)} match requests (topK 10, no filters) over ${stack.candidates.length} candidates in turn, written and queued as the API does, so that the pools the worker compiles and caches cover the board.`,
        `Figure: VmHWM (peak resident set) from /proc/<pid>/status after the last request finished. Baseline: the same process's VmHWM once started, connected and idle for ${IDLE_SETTLE_MS / 1000} s, before its first job.`,
      ],
      figures: [
        {
          name: 'worker peak RSS after filling its profile cache',
          value: loadedPeak,
          unit: 'MiB',
          better: 'lower',
          baseline: { name: 'the same worker idle, before its first job', value: idlePeak },
          target: { text: `≤ ${TARGET_MIB} MB`, met: loadedPeak * 1.048576 <= TARGET_MIB },
        },
      ],
      details: [
        `Resident set now (VmRSS): idle ${formatNumber(idleRss)} MiB, after the requests ${formatNumber(loadedRss)} MiB; sampled every 200 ms while they ran: max ${formatNumber(Math.max(...samples))} MiB. Failed requests: ${failed[0]?.count ?? '?'}; distinct jobs in the written top 10s: ${formatNumber(Number(targets[0]?.count ?? 0))}.`,
      ],
    };
  } finally {
    await stopProcess(child);
    await queues.close();
    await stack.close(options.keep);
  }
}
