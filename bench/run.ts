/**
 * npm run bench -- [--short | --full] [--only features,scoring,match,relay,api,e2e,match-run,job-candidates,fairness,memory]
 *                   [--keep] [--explain] [--out FILE] [--data DIR] [--candidate-limit N]
 *
 * Benchmarks, each against a baseline measured in the same run: feature extraction (vs raw wink-nlp),
 * pair scoring (vs brain.js), match latency over a large job board (vs Postgres full-text search), outbox
 * relay throughput (vs a bare kafkajs producer; needs the broker of KAFKA_BROKERS or 127.0.0.1:9092).
 * Prints a table and writes BENCHMARKS.md (or --out FILE). Needs Postgres as configured (lib/config.ts); the
 * match bench works in a schema of its own, `bench_<random>`, dropped at the end unless --keep.
 *
 *   --short    (default) a few minutes: subsets of the texts, 10,000 jobs, 50 match requests
 *   --full     all texts, 100,000 jobs, 200 match requests
 *   --only     run some benches only (comma-separated); BENCHMARKS.md is then left alone unless --out
 *   --keep     keep the match bench's schema for inspection
 *   --explain  print the full EXPLAIN ANALYZE plans of the pool and stale-features queries
 *   --data     the reference data folder (default ../shared/data); fixtures are used when it is missing
 *   --candidate-limit N   MATCH_CANDIDATE_LIMIT for the match bench (default: the configured 2,000)
 *   --short-for a,b       in a full run, run these benches at their short sizes
 *   --cpu-prof DIR        the service processes (API, workers) write V8 CPU profiles into DIR when they stop
 *
 * Never part of `npm test`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_DATA_DIR } from '../lib/matching/training/datasets.js';
import { runApiBench } from './api.js';
import { runE2eBench } from './e2e.js';
import { runMatchRunBench } from './match-run.js';
import { runJobCandidatesBench } from './job-candidates.js';
import { runDocumentsBench } from './documents.js';
import { runFairnessBench } from './fairness.js';
import { runFeatureBench } from './features.js';
import { runMemoryBench } from './memory.js';
import { runMatchBench } from './match.js';
import { runRelayBench } from './relay.js';
import { runScoringBench } from './scoring.js';
import { loadBenchTexts, PROJECT_ROOT } from './support/corpus.js';
import { extractBenchFeatures } from './support/extracted.js';
import { profileChildrenInto } from './support/processes.js';
import { describeMachine } from './support/machine.js';
import { formatNumber, markdownTable, textTable, type BenchSection } from './support/report.js';
import { elapsedMs, now } from './support/stats.js';

const BENCHES = [
  'features',
  'scoring',
  'match',
  'relay',
  'api',
  'e2e',
  'match-run',
  'job-candidates',
  'fairness',
  'memory',
  'documents',
] as const;
type BenchName = (typeof BENCHES)[number];

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    out: { type: 'string' },
    data: { type: 'string', default: DEFAULT_DATA_DIR },
    'candidate-limit': { type: 'string' },
    'short-for': { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
if (values.short && values.full) throw new Error('--short and --full exclude each other');
if (values['cpu-prof'] !== undefined) profileChildrenInto(resolve(values['cpu-prof']));
const mode = values.full ? 'full' : 'short';
const selected: BenchName[] =
  values.only === undefined
    ? [...BENCHES]
    : values.only.split(',').map((name) => {
        const bench = BENCHES.find((known) => known === name.trim());
        if (!bench) throw new Error(`--only: unknown bench ${name}; known: ${BENCHES.join(', ')}`);
        return bench;
      });

/** Sizes per mode. Short stays within a few minutes on a 2-core machine; full is the issue's setting. */
const SIZES = {
  short: {
    features: { postings: 200, resumes: 100, warmup: 1, repetitions: 3 },
    scoring: { postings: 200, resumes: 15, evaluationsPerPass: 500_000, warmup: 2, repetitions: 7 },
    match: { jobs: 10_000, requests: 50, warmupRequests: 5, subjects: 8, baselineBudgetSeconds: 120 },
    relay: { events: 5_000, batchSize: 500, warmup: 1, repetitions: 3 },
    api: { jobs: 1_000, connections: 16, durationSeconds: 5, warmupSeconds: 2, repetitions: 1 },
    e2e: { corpora: [1_000], workerCounts: [1, 2, 4], drainJobs: 200, stepSeconds: 4, slowRate: 20 },
    'match-run': {
      jobs: 1_000,
      candidates: 5_000,
      workers: 2,
      lanes: 8,
      baselineRequests: 300,
      killAt: 0.3,
    },
    'job-candidates': { sizes: [1_000, 20_000], subjects: 20, workers: 2, rate: 5, stepSeconds: 20 },
    fairness: { jobs: 1_000, busyRequests: 5_000, lightRate: 5, lightSeconds: 20 },
    memory: { jobs: 1_000, requests: 40, subjects: 20 },
    documents: { pages: 50, repetitions: 3 },
  },
  full: {
    features: { postings: Infinity, resumes: Infinity, warmup: 1, repetitions: 5 },
    scoring: { postings: Infinity, resumes: 20, evaluationsPerPass: 2_000_000, warmup: 2, repetitions: 7 },
    match: { jobs: 100_000, requests: 200, warmupRequests: 10, subjects: 8, baselineBudgetSeconds: 150 },
    relay: { events: 20_000, batchSize: 500, warmup: 1, repetitions: 5 },
    api: { jobs: 1_000, connections: 16, durationSeconds: 10, warmupSeconds: 3, repetitions: 3 },
    e2e: {
      corpora: [1_000, 100_000],
      workerCounts: [1, 2, 4],
      drainJobs: 3_000,
      stepSeconds: 10,
      slowRate: 50,
    },
    'match-run': {
      jobs: 1_000,
      candidates: 100_000,
      workers: 2,
      lanes: 8,
      baselineRequests: 1_000,
      killAt: 0.3,
    },
    'job-candidates': {
      sizes: [1_000, 100_000, 1_000_000],
      subjects: 20,
      workers: 2,
      rate: 5,
      stepSeconds: 30,
    },
    fairness: { jobs: 1_000, busyRequests: 5_000, lightRate: 5, lightSeconds: 30 },
    memory: { jobs: 100_000, requests: 400, subjects: 200 },
    documents: { pages: 200, repetitions: 5 },
  },
} as const;

const NOTES_START = '<!-- notes: kept as written when the file is regenerated -->';
const NOTES_END = '<!-- /notes -->';

async function keptNotes(path: string): Promise<string> {
  const previous = await readFile(path, 'utf8').catch(() => '');
  const start = previous.indexOf(NOTES_START);
  const end = previous.indexOf(NOTES_END);
  if (start === -1 || end < start) return `${NOTES_START}\n${NOTES_END}`;
  return previous.slice(start, end + NOTES_END.length);
}

const log = (line: string): void => {
  console.log(line);
};

const startedAt = new Date();
const started = now();
const machine = describeMachine();
const texts = await loadBenchTexts(resolve(PROJECT_ROOT, values.data));
if (selected.some((bench) => bench !== 'features')) {
  log(`Extracting and embedding ${texts.postings.length + texts.resumes.length} bench texts ...`);
  await extractBenchFeatures(texts);
}
/** Benches run at their short size in a full run (--short-for e2e,memory), when time does not allow all. */
const shortFor = new Set(
  (values['short-for'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0),
);
for (const name of shortFor) {
  if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`--short-for: unknown bench ${name}`);
}
const sizes = Object.fromEntries(
  BENCHES.map((bench) => [bench, SIZES[shortFor.has(bench) ? 'short' : mode][bench]]),
) as unknown as (typeof SIZES)[typeof mode];
const candidateLimit =
  values['candidate-limit'] === undefined ? undefined : Number.parseInt(values['candidate-limit'], 10);
if (candidateLimit !== undefined && !(candidateLimit >= 10))
  throw new Error('--candidate-limit: at least 10');
log(
  `Lookiy Match benchmarks, ${mode} mode: ${selected.join(', ')}\n${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB.toFixed(0)} GiB, Node ${machine.node}, commit ${machine.commit}\n`,
);

const sections: BenchSection[] = [];
const durations: string[] = [];
for (const bench of selected) {
  log(`${bench} ...`);
  const benchStart = now();
  if (bench === 'features') sections.push(await runFeatureBench({ texts, ...sizes.features }));
  if (bench === 'scoring') sections.push(runScoringBench({ texts, ...sizes.scoring }));
  if (bench === 'match') {
    sections.push(
      await runMatchBench({
        texts,
        ...sizes.match,
        candidateLimit,
        keep: values.keep,
        explain: values.explain,
        log,
      }),
    );
  }
  if (bench === 'relay') sections.push(await runRelayBench({ ...sizes.relay, keep: values.keep, log }));
  if (bench === 'api') sections.push(await runApiBench({ texts, ...sizes.api, keep: values.keep, log }));
  if (bench === 'e2e') sections.push(await runE2eBench({ texts, ...sizes.e2e, keep: values.keep, log }));
  if (bench === 'match-run')
    sections.push(await runMatchRunBench({ texts, ...sizes['match-run'], keep: values.keep, log }));
  if (bench === 'job-candidates')
    sections.push(await runJobCandidatesBench({ texts, ...sizes['job-candidates'], keep: values.keep, log }));
  if (bench === 'fairness')
    sections.push(await runFairnessBench({ texts, ...sizes.fairness, keep: values.keep, log }));
  if (bench === 'memory')
    sections.push(await runMemoryBench({ texts, ...sizes.memory, keep: values.keep, log }));
  if (bench === 'documents') sections.push(await runDocumentsBench({ ...sizes.documents, log }));
  const seconds = elapsedMs(benchStart) / 1000;
  durations.push(`${bench} ${seconds.toFixed(0)} s`);
  log(`${bench} done in ${seconds.toFixed(0)} s`);
}
const totalSeconds = elapsedMs(started) / 1000;

log(`\n${textTable(sections)}\n`);
for (const section of sections) {
  log(`${section.title}:`);
  for (const line of [...section.setup, ...section.details]) log(`  ${line}`);
  log('');
}

const missed = sections.flatMap((section) =>
  section.figures
    .filter((figure) => figure.target && !figure.target.met)
    .map(
      (figure) =>
        `- ${section.title}, ${figure.name}: ${formatNumber(figure.value)} ${figure.unit} (target ${figure.target?.text ?? ''})`,
    ),
);
const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
const outFile = values.out ?? (values.only === undefined ? 'BENCHMARKS.md' : undefined);
const outPath = outFile === undefined ? undefined : resolve(PROJECT_ROOT, outFile);
const markdown = [
  '# Benchmarks',
  '',
  `Written by \`${command}\` (\`bench/run.ts\`); regenerate rather than edit, except the notes block, which is kept.`,
  'Every figure is measured together with its baseline in the same run; ratio = figure ÷ baseline',
  '(for throughput higher is better, for latency lower is better).',
  '',
  `- Date: ${startedAt.toISOString()}`,
  `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB.toFixed(1)} GiB RAM, ${machine.os}`,
  `- Node: ${machine.node}`,
  `- Commit: ${machine.commit}`,
  `- Mode: ${mode}${shortFor.size > 0 ? ` (short sizes for ${[...shortFor].join(', ')})` : ''} (${selected.join(', ')}); took ${(totalSeconds / 60).toFixed(1)} min (${durations.join(', ')})`,
  '',
  '## Summary',
  '',
  markdownTable(sections),
  '',
  missed.length === 0 ? 'Every target was met.' : `Targets missed:\n\n${missed.join('\n')}`,
  '',
  '## Notes',
  '',
  outPath === undefined ? '' : await keptNotes(outPath),
  '',
  ...sections.flatMap((section) => [
    `## ${section.title}`,
    '',
    ...section.setup.map((line) => `- ${line}`),
    '',
    ...section.details,
    '',
  ]),
].join('\n');
if (outPath === undefined) {
  log(`Not written (--only without --out); total ${(totalSeconds / 60).toFixed(1)} min.`);
} else {
  await writeFile(outPath, markdown);
  log(`Wrote ${outPath}; total ${(totalSeconds / 60).toFixed(1)} min.`);
}
