/**
 * Bench 1: feature extraction throughput, in wink tokens per second, of extractJobFeatures and
 * extractCandidateFeatures against raw wink-nlp (readDoc + tokens().out()) over the same texts.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { extractCandidateFeatures, extractJobFeatures } from '../lib/matching/features.js';
import { sharedAnalyzer } from '../lib/matching/nlp.js';
import {
  BENCH_DATE,
  postingText,
  resumeText,
  spread,
  type BenchPosting,
  type BenchResume,
  type BenchTexts,
} from './support/corpus.js';
import type { RawWinkRequest, RawWinkResponse } from './support/raw-wink-child.js';
import { formatNumber, type BenchSection } from './support/report.js';
import { median, rates, sum, timePasses } from './support/stats.js';

export interface FeatureBenchOptions {
  texts: BenchTexts;
  /** How many postings and resumes to read (spread over the whole set); all when larger. */
  postings: number;
  resumes: number;
  warmup: number;
  repetitions: number;
}

const TARGET_SHARE = 0.5;

async function rawWink(request: RawWinkRequest): Promise<RawWinkResponse> {
  const child = fork(fileURLToPath(new URL('./support/raw-wink-child.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const response = new Promise<RawWinkResponse>((resolve, reject) => {
    child.once('message', (message) => {
      resolve(message as RawWinkResponse);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`raw wink child exited with code ${String(code)} before answering`));
    });
  });
  child.send(request);
  return response;
}

export async function runFeatureBench(options: FeatureBenchOptions): Promise<BenchSection> {
  const postings: BenchPosting[] = spread(options.texts.postings, options.postings);
  const resumes: BenchResume[] = spread(options.texts.resumes, options.resumes);

  // The baseline runs first, alone (this process waits idle), so the two never share a core.
  const raw = await rawWink({
    sets: [
      { name: 'postings', texts: postings.map(postingText) },
      { name: 'resumes', texts: resumes.map(resumeText) },
    ],
    warmup: options.warmup,
    repetitions: options.repetitions,
  });
  const rawSet = (name: string): RawWinkResponse['sets'][number] => {
    const set = raw.sets.find((candidate) => candidate.name === name);
    if (!set) throw new Error(`raw wink answered without the ${name} set`);
    return set;
  };
  const rawPostings = rawSet('postings');
  const rawResumes = rawSet('resumes');
  const postingTokens = sum(rawPostings.tokens);
  const resumeTokens = sum(rawResumes.tokens);

  const analyzer = sharedAnalyzer(); // built (model load + skill patterns) before the clock starts
  let skills = 0;
  const jobSeconds = timePasses(
    () => {
      for (const posting of postings) skills += extractJobFeatures(posting, analyzer).skills.length;
    },
    options.warmup,
    options.repetitions,
  );
  const candidateSeconds = timePasses(
    () => {
      for (const resume of resumes)
        skills += extractCandidateFeatures(resume, analyzer, BENCH_DATE).skills.length;
    },
    options.warmup,
    options.repetitions,
  );

  const jobRate = median(rates(postingTokens, jobSeconds));
  const rawJobRate = median(rates(postingTokens, rawPostings.seconds));
  const candidateRate = median(rates(resumeTokens, candidateSeconds));
  const rawCandidateRate = median(rates(resumeTokens, rawResumes.seconds));
  const allTokens = postingTokens + resumeTokens;
  const allRate = allTokens / (median(jobSeconds) + median(candidateSeconds));
  const rawAllRate = allTokens / (median(rawPostings.seconds) + median(rawResumes.seconds));
  const target = (value: number, baseline: number): { text: string; met: boolean } => ({
    text: `≥ ${TARGET_SHARE * 100}% of raw readDoc`,
    met: value >= TARGET_SHARE * baseline,
  });
  const baselineName = 'raw wink readDoc + tokens().out()';

  return {
    title: 'Feature extraction',
    setup: [
      `Texts: ${postings.length} postings (${formatNumber(postingTokens)} tokens) and ${resumes.length} resumes (${formatNumber(resumeTokens)} tokens) from ${options.texts.source}.`,
      'Tokens are counted once, by raw wink (`readDoc(text).tokens().out().length`) over the same text each side reads (title or headline, a line break, then the body); both rates divide that count by the time.',
      `Baseline: its own \`winkNLP(model)\` instance without custom entities, in a child process (a second wink instance beside the project's analyzer is fragile); it runs first, alone.`,
      `${options.warmup} warm-up pass(es), then the median of ${options.repetitions} timed passes over the whole set, single-threaded.`,
    ],
    figures: [
      {
        name: 'extractJobFeatures',
        value: jobRate,
        unit: 'tokens/s',
        better: 'higher',
        baseline: { name: baselineName, value: rawJobRate },
        target: target(jobRate, rawJobRate),
      },
      {
        name: 'extractCandidateFeatures',
        value: candidateRate,
        unit: 'tokens/s',
        better: 'higher',
        baseline: { name: baselineName, value: rawCandidateRate },
        target: target(candidateRate, rawCandidateRate),
      },
      {
        name: 'both, all texts',
        value: allRate,
        unit: 'tokens/s',
        better: 'higher',
        baseline: { name: baselineName, value: rawAllRate },
        target: target(allRate, rawAllRate),
      },
    ],
    details: [
      `Per document (median pass): a posting ${formatNumber((median(jobSeconds) * 1000) / postings.length)} ms (raw ${formatNumber((median(rawPostings.seconds) * 1000) / postings.length)} ms), a resume ${formatNumber((median(candidateSeconds) * 1000) / resumes.length)} ms (raw ${formatNumber((median(rawResumes.seconds) * 1000) / resumes.length)} ms); ${formatNumber(skills / (options.warmup + options.repetitions))} skills found per pass.`,
    ],
  };
}
