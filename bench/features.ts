/**
 * Bench 1: feature extraction throughput, in wink tokens per second, of extractJobFeatures and
 * extractCandidateFeatures against raw wink-nlp (readDoc + tokens().out()) over the same texts; then the
 * sentence embedding's cost (lib/matching/embedding.ts) over the same texts, in the same unit, at two word-piece
 * limits, alone and added to extraction.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { loadConfig } from '../lib/config.js';
import { TextEmbedder } from '../lib/matching/embedding.js';
import { extractCandidateFeatures, extractJobFeatures, semanticText } from '../lib/matching/features.js';
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
import { median, now, rates, sum, timePasses } from './support/stats.js';

export interface FeatureBenchOptions {
  texts: BenchTexts;
  /** How many postings and resumes to read (spread over the whole set); all when larger. */
  postings: number;
  resumes: number;
  warmup: number;
  repetitions: number;
}

const TARGET_SHARE = 0.5;
/** Extraction with the semantic part: its share of raw readDoc's tokens/s (the target). */
const SEMANTIC_TARGET_SHARE = 0.1;
/** Word-piece limits measured: the model's usual 256, the cheaper 128, and 64 (what the target would take). */
const SEMANTIC_MAX_TOKENS = [256, 128, 64] as const;
const configuredMaxTokens = loadConfig().matching.embedding.maxTokens;
/** The model runs are slow next to wink: at most this many timed passes each, after a short warm-up. */
const SEMANTIC_MAX_REPETITIONS = 3;

interface SemanticRun {
  maxTokens: number;
  seconds: number[];
  /** Resident memory the model added to this process: after loading, and the largest after a pass. */
  rssAfterLoad: number;
  rssPeak: number;
}

/**
 * Embeds what embedFeatures reads of every document (the title, skills and body) `repetitions` times, each
 * limit with its own embedder loaded, measured and released.
 */
async function timeEmbedding(
  documents: readonly (readonly string[])[],
  repetitions: number,
): Promise<SemanticRun[]> {
  const { modelDir } = loadConfig().matching.embedding;
  const runs: SemanticRun[] = [];
  for (const maxTokens of SEMANTIC_MAX_TOKENS) {
    const rssBefore = process.memoryUsage().rss;
    const embedder = await TextEmbedder.load(modelDir, { maxTokens });
    const rssAfterLoad = process.memoryUsage().rss - rssBefore;
    for (const texts of documents.slice(0, 16)) await embedder.embed(texts);
    const seconds: number[] = [];
    let rssPeak = rssAfterLoad;
    for (let index = 0; index < repetitions; index += 1) {
      const start = now();
      for (const texts of documents) await embedder.embed(texts);
      seconds.push(Number(now() - start) / 1e9);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss - rssBefore);
    }
    await embedder.release();
    runs.push({ maxTokens, seconds, rssAfterLoad, rssPeak });
  }
  return runs;
}

const mib = (bytes: number): string => `${formatNumber(bytes / 2 ** 20)} MiB`;

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

  // The semantic part, over the same texts, after the wink passes (never beside them).
  const semanticRepetitions = Math.min(options.repetitions, SEMANTIC_MAX_REPETITIONS);
  const documents = [
    ...postings.map((posting) => [
      semanticText({ kind: 'job', text: posting }, extractJobFeatures(posting, analyzer)),
    ]),
    ...resumes.map((resume) => [
      semanticText(
        { kind: 'candidate', text: resume },
        extractCandidateFeatures(resume, analyzer, BENCH_DATE),
      ),
    ]),
  ];
  const semantic = await timeEmbedding(documents, semanticRepetitions);
  const extractionSeconds = median(jobSeconds) + median(candidateSeconds);
  const semanticFigures = semantic.flatMap((run) => {
    const embedSeconds = median(run.seconds);
    const withSemantic = allTokens / (extractionSeconds + embedSeconds);
    return [
      {
        name: `embedding alone, first ${run.maxTokens} word pieces`,
        value: allTokens / embedSeconds,
        unit: 'tokens/s',
        better: 'higher' as const,
        baseline: { name: baselineName, value: rawAllRate },
      },
      {
        name: `both, all texts, with embedding (${run.maxTokens} word pieces)`,
        value: withSemantic,
        unit: 'tokens/s',
        better: 'higher' as const,
        baseline: { name: baselineName, value: rawAllRate },
        target: {
          text: `≥ ${SEMANTIC_TARGET_SHARE * 100}% of raw readDoc`,
          met: withSemantic >= SEMANTIC_TARGET_SHARE * rawAllRate,
        },
      },
    ];
  });

  return {
    title: 'Feature extraction',
    setup: [
      `Texts: ${postings.length} postings (${formatNumber(postingTokens)} tokens) and ${resumes.length} resumes (${formatNumber(resumeTokens)} tokens) from ${options.texts.source}.`,
      'Tokens are counted once, by raw wink (`readDoc(text).tokens().out().length`) over the same text each side reads (title or headline, a line break, then the body); both rates divide that count by the time.',
      `Baseline: its own \`winkNLP(model)\` instance without custom entities, in a child process (a second wink instance beside the project's analyzer is fragile); it runs first, alone.`,
      `${options.warmup} warm-up pass(es), then the median of ${options.repetitions} timed passes over the whole set, single-threaded.`,
      `Embedding (all-MiniLM-L6-v2 int8, onnxruntime-node, one thread): what the features worker embeds of every posting and resume (the title, the skills found and the body, first ${SEMANTIC_MAX_TOKENS.join(', ')} word pieces), one text per model run; 16 documents to warm up, then the median of ${semanticRepetitions} timed passes. Its tokens/s divides the same wink token count by the embedding time; "with embedding" by extraction's time plus the embedding's.`,
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
      ...semanticFigures,
    ],
    details: [
      `Per document (median pass): a posting ${formatNumber((median(jobSeconds) * 1000) / postings.length)} ms (raw ${formatNumber((median(rawPostings.seconds) * 1000) / postings.length)} ms), a resume ${formatNumber((median(candidateSeconds) * 1000) / resumes.length)} ms (raw ${formatNumber((median(rawResumes.seconds) * 1000) / resumes.length)} ms); ${formatNumber(skills / (options.warmup + options.repetitions))} skills found per pass.`,
      ...semantic.map(
        (run) =>
          `Embedding, first ${run.maxTokens} word pieces${run.maxTokens === configuredMaxTokens ? ' (the default)' : ''}: ${formatNumber(documents.length / median(run.seconds))} documents/s (${formatNumber((median(run.seconds) * 1000) / documents.length)} ms a document); resident memory added: ${mib(run.rssAfterLoad)} after loading, ${mib(run.rssPeak)} at most after a pass.`,
      ),
    ],
  };
}
