/**
 * Bench 2: pair scoring. The compiled network (networkScorer over defaultModel) against brain.js run() on
 * the same network and the same precomputed pair vectors; then the full path (a PairRanking built per
 * ranking and pair features computed, as rank() does over profiles a worker has compiled and cached) with
 * each of the two.
 */
import { NeuralNetwork } from 'brain.js';

import { TermDictionary, type CompiledProfile } from '../lib/matching/compiled-profile.js';
import { FEATURES_VERSION } from '../lib/matching/features.js';
import { PAIR_FEATURE_COUNT, PairRanking } from '../lib/matching/pair-features.js';
import { defaultModel } from '../lib/matching/scorer-registry.js';
import { networkScorer } from '../lib/matching/scorers.js';
import { spread, type BenchTexts } from './support/corpus.js';
import { postingFeatures, resumeFeatures } from './support/extracted.js';
import { formatNumber, type BenchSection } from './support/report.js';
import { median, rates, timeInterleaved } from './support/stats.js';

export interface ScoringBenchOptions {
  texts: BenchTexts;
  /** Jobs and candidates whose cross product gives the pairs. */
  postings: number;
  resumes: number;
  /** Pair evaluations per timed pass of the precomputed-vector bench (the vectors are cycled). */
  evaluationsPerPass: number;
  warmup: number;
  repetitions: number;
}

const TARGET_PAIRS_PER_SECOND = 1_000_000;
const TARGET_VS_BRAIN = 2;

export function runScoringBench(options: ScoringBenchOptions): BenchSection {
  const dictionary = new TermDictionary();
  const compile = (features: Parameters<TermDictionary['compile']>[0]): CompiledProfile =>
    dictionary.compile(features);
  const jobs = spread(options.texts.postings, options.postings).map(postingFeatures).map(compile);
  const candidates = spread(options.texts.resumes, options.resumes).map(resumeFeatures).map(compile);

  // Every (job, candidate) pair, as rank() computes it for a candidate subject: IDF over the subject and
  // the jobs ranked together.
  const pairCount = jobs.length * candidates.length;
  const vectors = new Float64Array(pairCount * PAIR_FEATURE_COUNT);
  candidates.forEach((candidate, c) => {
    const ranking = new PairRanking('candidate', candidate, jobs).measureAll();
    vectors.set(ranking.matrix, c * jobs.length * PAIR_FEATURE_COUNT);
  });
  const views = Array.from({ length: pairCount }, (_, index) =>
    vectors.subarray(index * PAIR_FEATURE_COUNT, (index + 1) * PAIR_FEATURE_COUNT),
  );

  const scorer = networkScorer(defaultModel, FEATURES_VERSION);
  const brain = new NeuralNetwork().fromJSON(defaultModel.network as never);
  const brainScore = (vector: Float64Array): number =>
    (brain.run(vector as never) as unknown as ArrayLike<number>)[0] ?? Number.NaN;

  // Same network, same numbers (brain.js keeps its weights in Float32Array, hence the tolerance).
  let largestDifference = 0;
  for (const vector of views.slice(0, 1000)) {
    largestDifference = Math.max(largestDifference, Math.abs(scorer.score(vector) - brainScore(vector)));
  }
  if (largestDifference > 1e-4) {
    throw new Error(`the compiled network and brain.js disagree by ${largestDifference}`);
  }

  let sink = 0;
  const evaluations = Math.max(pairCount, options.evaluationsPerPass);
  // Separate loops (not one factory's closures) so each call site keeps its own type feedback.
  const precomputed = timeInterleaved(
    {
      compiled: () => {
        for (let index = 0; index < evaluations; index += 1)
          sink += scorer.score(views[index % pairCount] as Float64Array);
      },
      brain: () => {
        for (let index = 0; index < evaluations; index += 1)
          sink += brainScore(views[index % pairCount] as Float64Array);
      },
    },
    options.warmup,
    options.repetitions,
  );
  const compiledRate = median(rates(evaluations, precomputed.compiled));
  const brainRate = median(rates(evaluations, precomputed.brain));

  // The full path: a fresh PairRanking per ranking (IDF over the subject and its targets, as in a
  // request), then pair features (absolute, then relative to the pool) and the score for every pair.
  const full = timeInterleaved(
    {
      compiled: () => {
        for (const candidate of candidates) {
          const ranking = new PairRanking('candidate', candidate, jobs).measureAll();
          for (let index = 0; index < jobs.length; index += 1) sink += scorer.score(ranking.features(index));
        }
      },
      brain: () => {
        for (const candidate of candidates) {
          const ranking = new PairRanking('candidate', candidate, jobs).measureAll();
          for (let index = 0; index < jobs.length; index += 1) sink += brainScore(ranking.features(index));
        }
      },
      context: () => {
        for (const candidate of candidates) {
          sink += new PairRanking('candidate', candidate, jobs).matrix.length;
        }
      },
    },
    options.warmup,
    options.repetitions,
  );
  const fullRate = median(rates(pairCount, full.compiled));
  const fullBrainRate = median(rates(pairCount, full.brain));
  const contextSeconds = median(full.context);
  const perCoreMet = compiledRate >= TARGET_PAIRS_PER_SECOND;
  const versusBrainMet = compiledRate >= TARGET_VS_BRAIN * brainRate;
  if (Number.isNaN(sink)) throw new Error('a score was NaN');

  return {
    title: 'Pair scoring',
    setup: [
      `Pairs: ${formatNumber(jobs.length)} postings × ${candidates.length} resumes = ${formatNumber(pairCount)} real (job, candidate) pairs; features extracted once, pair vectors (Float64Array, ${PAIR_FEATURE_COUNT} features) computed once with IDF over each candidate and the jobs, as rank() does.`,
      `Model: defaultModel \`${defaultModel.name}\` (sizes ${defaultModel.network.sizes.join('-')}); baseline: brain.js \`new NeuralNetwork().fromJSON(network).run(vector)\` on the same network and the same vectors (largest score difference ${largestDifference.toExponential(1)}).`,
      `Precomputed vectors: ${formatNumber(evaluations)} scores per pass, ${options.warmup} warm-up pass(es), median of ${options.repetitions} passes, contenders interleaved, one thread (= per core). Full path: per pass, for each resume a fresh PairRanking over it and the ${jobs.length} jobs (compiled once, as a worker's profile cache holds them), then features + score for each pair.`,
    ],
    figures: [
      {
        name: 'networkScorer.score, precomputed vectors',
        value: compiledRate,
        unit: 'pairs/s',
        better: 'higher',
        baseline: { name: 'brain.js run()', value: brainRate },
        target: {
          text: `≥ ${formatNumber(TARGET_PAIRS_PER_SECOND)} pairs/s per core (${perCoreMet ? 'met' : 'missed'}) and ≥ ${TARGET_VS_BRAIN}× brain.js (${versusBrainMet ? 'met' : 'missed'})`,
          met: perCoreMet && versusBrainMet,
        },
      },
      {
        name: 'full path: PairRanking features + score',
        value: fullRate,
        unit: 'pairs/s',
        better: 'higher',
        baseline: { name: 'PairRanking features + brain.js run()', value: fullBrainRate },
      },
    ],
    details: [
      `Per pair: score ${formatNumber(1e9 / compiledRate)} ns (brain.js ${formatNumber(1e9 / brainRate)} ns); full path ${formatNumber(1e6 / fullRate)} µs, of which building the PairRanking (IDF over ${jobs.length + 1} documents, amortised over the ${jobs.length} pairs of a ranking) ${formatNumber((contextSeconds * 1e6) / pairCount)} µs and the network ${formatNumber(1e6 / compiledRate)} µs.`,
    ],
  };
}
