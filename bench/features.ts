/**
 * Bench 1: feature extraction throughput, in wink tokens per second, of extractJobFeatures and
 * extractCandidateFeatures against raw wink-nlp (readDoc + tokens().out()) over the same texts; then the
 * sentence embedding's cost (lib/matching/embedding.ts) over the same texts, in the same unit, at two word-piece
 * limits, alone and added to extraction; then extraction of worst-case texts at growing sizes, whose time
 * per KB stays flat when extraction is linear.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { loadConfig } from '../lib/config.js';
import { TextEmbedder } from '../lib/matching/embedding.js';
import { extractCandidateFeatures, extractJobFeatures, semanticText } from '../lib/matching/features.js';
import { sharedAnalyzer, type TextAnalyzer } from '../lib/matching/nlp.js';
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
import { formatNumber, type BenchSection, type Figure } from './support/report.js';
import { elapsedMs, median, now, rates, sum, timePasses } from './support/stats.js';

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

/** Sizes, in characters, each worst-case text is read at. */
const WORST_CASE_SIZES = [10_000, 100_000, 200_000] as const;
/** Time per KB may grow this much from the smallest size to the largest and still count as linear. */
const LINEAR_GROWTH = 2;

/** A text made to find superlinear steps in extraction: `text(size)` has `size` characters. */
interface WorstCase {
  name: string;
  text: (size: number) => string;
}

function repeated(unit: string): (size: number) => string {
  return (size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** Letters and digits without a break, each slice different, so no cache can answer for the rest. */
function oneToken(size: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let state = 1;
  let token = '';
  while (token.length < size) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    token += alphabet[state % alphabet.length] ?? 'a';
  }
  return token;
}

/** The inputs of the reported defects and their relatives, with `prose` (real resumes) for comparison. */
export function worstCases(prose: string): WorstCase[] {
  return [
    { name: 'resumes concatenated', text: repeated(`${prose}\n\n`) },
    { name: 'resumes on one line', text: repeated(`${prose.replace(/\s+/g, ' ')} `) },
    { name: 'one token', text: oneToken },
    { name: '"k8s " repeated', text: repeated('k8s ') },
    { name: '"no k8s " repeated', text: repeated('no k8s ') },
    { name: 'short lines ("Java")', text: repeated('Java\n') },
    { name: 'one line, no punctuation', text: repeated('python developer with kubernetes experience ') },
    {
      name: 'URLs and e-mail addresses',
      text: repeated('https://github.com/jdoe/java-app jdoe.github.io java.dev@oracle.com '),
    },
    {
      name: '"Company:" and "worked at" lines',
      text: repeated('Company: Tata Consultancy Services\nworked at Oracle As A Python Developer\n'),
    },
    { name: 'unicode', text: repeated('Разработчик Python 開発者 ✓ — résumé naïve 😀 ') },
    { name: 'figures and dates', text: repeated('2016-2019 $100 5+ years ') },
    {
      name: 'spaces after a range',
      text: (size) => `3-5${' '.repeat(Math.max(0, size - 22))}years of experience`,
    },
    {
      name: 'blank lines of spaces',
      text: (size) => `machine${repeated('\n ')(size - 15)}learning`,
    },
    { name: 'punctuation run', text: repeated('!') },
  ];
}

export interface WorstCaseRun {
  name: string;
  /** Milliseconds to extract the text as a posting and as a resume, per size (the faster of two runs). */
  ms: number[];
}

/** ms per KB (1,000 characters) of each size of a run. */
function msPerKb(run: WorstCaseRun): number[] {
  return run.ms.map((ms, index) => ms / ((WORST_CASE_SIZES[index] ?? 1) / 1000));
}

/** Extracts every worst case at every size, as a posting and as a resume. */
export function timeWorstCases(prose: string, analyzer: TextAnalyzer): WorstCaseRun[] {
  const extract = (text: string): void => {
    extractJobFeatures({ title: 'Engineer', description: text, skills: [] }, analyzer);
    extractCandidateFeatures({ headline: null, resumeText: text, skills: [] }, analyzer, BENCH_DATE);
  };
  return worstCases(prose).map(({ name, text }) => {
    extract(text(1_000));
    const ms = WORST_CASE_SIZES.map((size) => {
      const input = text(size);
      let best = Infinity;
      for (let run = 0; run < 2; run += 1) {
        const start = now();
        extract(input);
        best = Math.min(best, elapsedMs(start));
      }
      return best;
    });
    return { name, ms };
  });
}

/** The run whose time per KB grows most from the smallest size to the largest, as a figure. */
function worstGrowthFigure(runs: readonly WorstCaseRun[]): Figure | undefined {
  const growth = (run: WorstCaseRun): number => {
    const perKb = msPerKb(run);
    return (perKb.at(-1) ?? 0) / (perKb[0] ?? 1);
  };
  const worst = [...runs].sort((a, b) => growth(b) - growth(a))[0];
  if (worst === undefined) return undefined;
  const perKb = msPerKb(worst);
  const smallest = formatNumber(WORST_CASE_SIZES[0] / 1000);
  const largest = formatNumber((WORST_CASE_SIZES.at(-1) ?? 0) / 1000);
  return {
    name: `worst case, the most growing: ${worst.name} at ${largest} KB`,
    value: perKb.at(-1) ?? 0,
    unit: 'ms/KB',
    better: 'lower',
    baseline: { name: `the same at ${smallest} KB`, value: perKb[0] ?? 0 },
    target: {
      text: `linear: ≤ ${LINEAR_GROWTH}× the time per KB at ${smallest} KB`,
      met: growth(worst) <= LINEAR_GROWTH,
    },
  };
}

function worstCaseDetail(run: WorstCaseRun): string {
  const perKb = msPerKb(run);
  const sizes = run.ms.map(
    (ms, index) =>
      `${formatNumber((WORST_CASE_SIZES[index] ?? 0) / 1000)} KB ${formatNumber(ms)} ms (${formatNumber(perKb[index] ?? 0)} ms/KB)`,
  );
  return `Worst case, ${run.name}: ${sizes.join(', ')}.`;
}

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

  const prose = resumes.map((resume) => resume.resumeText).join('\n\n');
  const worstCaseRuns = timeWorstCases(prose, analyzer);
  const worstGrowth = worstGrowthFigure(worstCaseRuns);

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
      `Worst cases: ${worstCaseRuns.length} texts made to find superlinear steps (the resumes above repeated, one token, repeated skills and negators, short and long lines, addresses, company lines, unicode, figures, white space, punctuation) at ${WORST_CASE_SIZES.map((size) => formatNumber(size / 1000)).join(', ')} KB (1 KB = 1,000 characters), each extracted as a posting (title "Engineer") and as a resume; the faster of two runs per size, after one run at 1 KB.`,
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
      ...(worstGrowth === undefined ? [] : [worstGrowth]),
    ],
    details: [
      `Per document (median pass): a posting ${formatNumber((median(jobSeconds) * 1000) / postings.length)} ms (raw ${formatNumber((median(rawPostings.seconds) * 1000) / postings.length)} ms), a resume ${formatNumber((median(candidateSeconds) * 1000) / resumes.length)} ms (raw ${formatNumber((median(rawResumes.seconds) * 1000) / resumes.length)} ms); ${formatNumber(skills / (options.warmup + options.repetitions))} skills found per pass.`,
      ...semantic.map(
        (run) =>
          `Embedding, first ${run.maxTokens} word pieces${run.maxTokens === configuredMaxTokens ? ' (the default)' : ''}: ${formatNumber(documents.length / median(run.seconds))} documents/s (${formatNumber((median(run.seconds) * 1000) / documents.length)} ms a document); resident memory added: ${mib(run.rssAfterLoad)} after loading, ${mib(run.rssPeak)} at most after a pass.`,
      ),
      ...worstCaseRuns.map(worstCaseDetail),
    ],
  };
}
