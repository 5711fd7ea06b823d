import { createHash } from 'node:crypto';

import { NeuralNetwork } from 'brain.js';

import type { Features } from '../features.js';
import { FEATURES_VERSION } from '../features.js';
import type { BrainLayers, NetworkModel } from '../network.js';
import { PAIR_FEATURE_COUNT, PAIR_FEATURE_NAMES, pairFeaturesAmong } from '../pair-features.js';
import type { ProfileKind } from '../../queues/registry.js';
import type { EvaluationCorpus, RankingQuery, VacancyQuery } from './corpus.js';
import { ndcgAtK } from './metrics.js';
import { mulberry32, shuffle } from './split.js';

/** A subject with targets judged for it: one ranking to learn from. */
export interface JudgedList {
  subjectKind: ProfileKind;
  subject: Features;
  /** Relevance in [0, 1]; the targets are also the pool their pair features are read against. */
  targets: readonly { features: Features; relevance: number }[];
}

/** A judged list turned into the network's inputs. */
export interface TrainingQuery {
  /** Which data set it comes from: small sets come round more often in training (see balanced). */
  set: string;
  inputs: Float32Array[];
  relevance: number[];
}

export function trainingQuery(set: string, list: JudgedList): TrainingQuery {
  const featuresOf = pairFeaturesAmong(
    list.subjectKind,
    list.subject,
    list.targets.map((target) => target.features),
  );
  return {
    set,
    inputs: list.targets.map((target) => Float32Array.from(featuresOf(target.features))),
    relevance: list.targets.map((target) => target.relevance),
  };
}

/** Share of each set's queries kept aside to choose when to stop training (early stopping). */
const VALIDATION_FRACTION = 0.2;

export interface TrainingData {
  train: TrainingQuery[];
  validation: TrainingQuery[];
}

/**
 * Splits each set's queries into training and validation (a fifth, at least one query where a set has
 * two or more). The development and held-out parts never reach this function.
 */
export function splitForValidation(queries: readonly TrainingQuery[], seed: number): TrainingData {
  const random = mulberry32(seed);
  const bySet = new Map<string, TrainingQuery[]>();
  for (const query of queries) bySet.set(query.set, [...(bySet.get(query.set) ?? []), query]);
  const data: TrainingData = { train: [], validation: [] };
  for (const set of bySet.values()) {
    const shuffled = shuffle(set, random);
    const cut = shuffled.length < 2 ? 0 : Math.max(1, Math.round(shuffled.length * VALIDATION_FRACTION));
    data.validation.push(...shuffled.slice(0, cut));
    data.train.push(...shuffled.slice(cut));
  }
  return data;
}

export interface TrainOptions {
  seed: number;
  hiddenLayers: number[];
  epochs: number;
  learningRate: number;
  /** Steepness of the pairwise logistic loss on score differences (scores are in (0, 1)). */
  sigma?: number;
  /** Called after every epoch with the validation NDCG@10 (set-balanced). */
  onProgress?: (epoch: number, validationNdcg: number) => void;
}

const gain = (relevance: number): number => 2 ** (relevance * 2) - 1;
const discount = (position: number): number => 1 / Math.log2(position + 2);

/**
 * LambdaRank gradients for one query: for every pair the judgement orders, the RankNet gradient of the
 * logistic loss on the score difference, scaled by how much swapping the two would change NDCG.
 */
function lambdas(scores: Float64Array, relevance: readonly number[], sigma: number): Float64Array {
  const count = scores.length;
  const order = Array.from({ length: count }, (_, index) => index).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const position = new Int32Array(count);
  for (const [rank, index] of order.entries()) position[index] = rank;
  const ideal = [...relevance].sort((a, b) => b - a);
  let idealDcg = 0;
  for (const [rank, value] of ideal.entries()) idealDcg += gain(value) * discount(rank);
  const result = new Float64Array(count);
  if (idealDcg === 0) return result;
  let pairs = 0;
  for (let i = 0; i < count; i += 1) {
    for (let j = 0; j < count; j += 1) {
      const better = relevance[i] as number;
      const worse = relevance[j] as number;
      if (better <= worse) continue;
      const swap =
        (Math.abs(gain(better) - gain(worse)) *
          Math.abs(discount(position[i] as number) - discount(position[j] as number))) /
        idealDcg;
      const rho = 1 / (1 + Math.exp(sigma * ((scores[i] as number) - (scores[j] as number))));
      const lambda = sigma * rho * swap;
      (result[i] as number) += lambda;
      (result[j] as number) -= lambda;
      pairs += 1;
    }
  }
  // One scale for the whole query keeps the lambdas summing to zero (a per-target scale would push every
  // score one way and saturate the sigmoid), and keeps a query of hundreds of pairs from drowning one of five.
  const scale = Math.sqrt(count / Math.max(1, pairs));
  for (let index = 0; index < count; index += 1) (result[index] as number) *= scale;
  return result;
}

/**
 * An epoch's queries: a small set's queries come round more than once, the square root of how much larger
 * the largest set is, so small sets are heard without one query's gradient being taken many times in a row.
 */
function balanced(queries: readonly TrainingQuery[]): TrainingQuery[] {
  const sizes = new Map<string, number>();
  for (const query of queries) sizes.set(query.set, (sizes.get(query.set) ?? 0) + 1);
  const largest = Math.max(1, ...sizes.values());
  return queries.flatMap((query) =>
    Array.from({ length: Math.round(Math.sqrt(largest / (sizes.get(query.set) ?? largest))) }, () => query),
  );
}

/** Mean NDCG@10 per set, then over sets: what early stopping watches. */
function validationNdcg(run: (input: Float32Array) => number, queries: readonly TrainingQuery[]): number {
  const bySet = new Map<string, number[]>();
  for (const query of queries) {
    if (!query.relevance.some((value) => value > 0)) continue;
    const scored = query.inputs.map((input, index) => ({
      score: run(input),
      relevance: query.relevance[index],
    }));
    scored.sort((a, b) => b.score - a.score);
    const value = ndcgAtK(
      scored.map((item) => item.relevance ?? 0),
      query.relevance,
      10,
    );
    bySet.set(query.set, [...(bySet.get(query.set) ?? []), value]);
  }
  const means = [...bySet.values()].map(
    (values) => values.reduce((sum, value) => sum + value, 0) / values.length,
  );
  return means.length === 0 ? 0 : means.reduce((sum, value) => sum + value, 0) / means.length;
}

/**
 * Trains a brain.js sigmoid network to order, not to label: LambdaRank. brain.js back-propagates the
 * error between a target and the network's output, so each target of a query is trained towards its
 * current score plus its lambda, which is exactly a step down the pairwise loss's gradient. Small sets'
 * queries come round more often in an epoch (see balanced). The weights of the epoch with the best
 * validation NDCG are kept. brain.js draws its initial weights from Math.random, so Math.random is
 * replaced by a seeded generator for the duration: the same seed and data give the same model.
 */
export function trainNetwork(data: TrainingData, options: TrainOptions): NetworkModel {
  const sigma = options.sigma ?? 10;
  const network = new NeuralNetwork({
    inputSize: PAIR_FEATURE_COUNT,
    hiddenLayers: options.hiddenLayers,
    outputSize: 1,
    activation: 'sigmoid',
    learningRate: options.learningRate,
  });
  const run = (input: Float32Array): number => (network.run(input) as ArrayLike<number>)[0] ?? 0;
  const random = mulberry32(options.seed);
  const originalRandom = Math.random;
  Math.random = random;
  let best: { ndcg: number; json: BrainLayers } | undefined;
  try {
    network.initialize();
    const epochQueries = balanced(data.train);
    const target = new Float32Array(1);
    for (let epoch = 1; epoch <= options.epochs; epoch += 1) {
      for (const query of shuffle(epochQueries, random)) {
        const scores = Float64Array.from(query.inputs, run);
        const steps = lambdas(scores, query.relevance, sigma);
        for (const index of shuffle([...steps.keys()], random)) {
          const step = steps[index] as number;
          if (step === 0) continue;
          target[0] = (scores[index] as number) + step;
          network.trainPattern({ input: query.inputs[index] as Float32Array, output: target });
        }
      }
      const ndcg = validationNdcg(run, data.validation);
      if (!best || ndcg > best.ndcg) best = { ndcg, json: network.toJSON() as unknown as BrainLayers };
      options.onProgress?.(epoch, ndcg);
    }
  } finally {
    Math.random = originalRandom;
  }
  const json = best?.json ?? network.toJSON();
  const layers: BrainLayers = {
    sizes: json.sizes,
    layers: json.layers.map((layer) => ({
      weights: layer.weights.map((row) => row.map(roundWeight)),
      biases: layer.biases.map(roundWeight),
    })),
  };
  const inputs = data.train.flatMap((query) => query.inputs);
  const baseline = PAIR_FEATURE_NAMES.map((_, index) => mean(inputs.map((input) => input[index] ?? 0)));
  const digest = createHash('sha256').update(JSON.stringify(layers)).digest('hex').slice(0, 10);
  return {
    name: `network-f${FEATURES_VERSION}-${digest}`,
    featuresVersion: FEATURES_VERSION,
    featureNames: [...PAIR_FEATURE_NAMES],
    network: layers,
    baseline: baseline.map(roundWeight),
  };
}

function roundWeight(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Each vacancy's relevance is its mean rank over the annotators, mapped so that rank 1 → 1 and the last → 0. */
function vacancyList(query: VacancyQuery): JudgedList {
  const { cv, vacancies, annotatorRanks } = query;
  return {
    subjectKind: 'candidate',
    subject: cv.features,
    targets: vacancies.map((vacancy) => {
      const ranks = annotatorRanks.map(({ ranks: byVacancy }) => byVacancy[vacancy.id] ?? vacancies.length);
      const meanRank = ranks.reduce((sum, value) => sum + value, 0) / Math.max(1, ranks.length);
      return {
        features: vacancy.features,
        relevance: (vacancies.length - meanRank) / (vacancies.length - 1),
      };
    }),
  };
}

function rankingList(query: RankingQuery): JudgedList {
  return {
    subjectKind: query.subjectKind,
    subject: query.query.features,
    targets: query.targets.map((target) => ({ features: target.features, relevance: target.relevance })),
  };
}

/** The training part of every set, as queries to learn from (the development and held-out parts stay out). */
export function corpusTrainingQueries(corpus: EvaluationCorpus): TrainingQuery[] {
  return [
    ...corpus.candidateJobs.train.map((query) => trainingQuery('candidateJobs', rankingList(query))),
    ...corpus.jobCandidates.train.map((query) => trainingQuery('jobCandidates', rankingList(query))),
    trainingQuery('resumeJd', rankingList(corpus.resumeJd.train)),
    ...corpus.vacancies.train.map((query) => trainingQuery('vacancies', vacancyList(query))),
    ...corpus.categories.train.map((query) => trainingQuery('categories', rankingList(query))),
  ];
}
