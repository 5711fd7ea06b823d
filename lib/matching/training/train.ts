import { createHash } from 'node:crypto';

import { NeuralNetwork } from 'brain.js';

import { FEATURES_VERSION } from '../features.js';
import type { BrainLayers, NetworkModel } from '../network.js';
import { PAIR_FEATURE_NAMES, pairFeaturesAmong } from '../pair-features.js';
import type { EvaluationCorpus, RankingQuery, VacancyQuery } from './corpus.js';
import { mulberry32, shuffle } from './split.js';

export interface LabelledPair {
  input: number[];
  /** Relevance in [0, 1]. */
  output: [number];
}

/** Negatives kept per positive for the category set, where almost every pair is a negative. */
const NEGATIVES_PER_POSITIVE = 3;

function rankingPairs(
  queries: readonly RankingQuery[],
  random: () => number,
  sampleNegatives: boolean,
): LabelledPair[] {
  return queries.flatMap(({ query, targets }) => {
    const featuresOf = pairFeaturesAmong(
      'candidate',
      query.features,
      targets.map((target) => target.features),
    );
    const positives = targets.filter((target) => target.relevance > 0);
    const negatives = targets.filter((target) => target.relevance === 0);
    const kept = sampleNegatives
      ? shuffle(negatives, random).slice(0, Math.max(1, positives.length * NEGATIVES_PER_POSITIVE))
      : negatives;
    return [...positives, ...kept].map((target) => ({
      input: [...featuresOf(target.features)],
      output: [target.relevance],
    }));
  });
}

/** Each vacancy's label is its mean rank over the annotators, mapped so that rank 1 → 1 and the last → 0. */
function vacancyPairs(queries: readonly VacancyQuery[]): LabelledPair[] {
  return queries.flatMap(({ cv, vacancies, annotatorRanks }) => {
    const featuresOf = pairFeaturesAmong(
      'candidate',
      cv.features,
      vacancies.map((vacancy) => vacancy.features),
    );
    return vacancies.map((vacancy): LabelledPair => {
      const ranks = annotatorRanks.map(({ ranks: byVacancy }) => byVacancy[vacancy.id] ?? vacancies.length);
      const meanRank = ranks.reduce((sum, value) => sum + value, 0) / Math.max(1, ranks.length);
      return {
        input: [...featuresOf(vacancy.features)],
        output: [(vacancies.length - meanRank) / (vacancies.length - 1)],
      };
    });
  });
}

/** Repeats a set's pairs so every set weighs about the same in training, whatever its size. */
function balance(sets: LabelledPair[][]): LabelledPair[] {
  const largest = Math.max(...sets.map((set) => set.length));
  return sets.flatMap((set) =>
    set.length === 0 ? [] : Array.from({ length: Math.round(largest / set.length) }, () => set).flat(),
  );
}

/** Share of each set's training pairs kept aside to choose when to stop training (early stopping). */
const VALIDATION_FRACTION = 0.2;

export interface TrainingData {
  train: LabelledPair[];
  validation: LabelledPair[];
}

/**
 * Labelled pairs from the training part of every set, plus client feedback pairs when there are some.
 * A fifth of each set is set aside for validation (early stopping) before the sets are balanced, so no
 * pair (or copy of one) is on both sides. The development and held-out parts are never touched here.
 */
export function trainingPairs(
  corpus: EvaluationCorpus,
  feedback: LabelledPair[],
  seed: number,
): TrainingData {
  const random = mulberry32(seed);
  const sets = [
    rankingPairs([corpus.resumeJd.train], random, false),
    vacancyPairs(corpus.vacancies.train),
    rankingPairs(corpus.categories.train, random, true),
  ].map((set) => shuffle(set, random));
  const cut = (set: LabelledPair[]): number => Math.round(set.length * VALIDATION_FRACTION);
  // Feedback pairs count once each: repeating a handful of them up to the size of a public set would let a
  // few reports steer the whole model.
  return {
    train: shuffle([...balance(sets.map((set) => set.slice(cut(set)))), ...feedback], random),
    validation: sets.flatMap((set) => set.slice(0, cut(set))),
  };
}

export interface TrainOptions {
  seed: number;
  hiddenLayers: number[];
  iterations: number;
  learningRate: number;
  /** Called every `progressEvery` iterations with the training and validation errors. */
  onProgress?: (iteration: number, trainingError: number, validationError: number) => void;
  progressEvery?: number;
}

function validationError(
  run: (input: number[]) => ArrayLike<number>,
  pairs: readonly LabelledPair[],
): number {
  let sum = 0;
  for (const { input, output } of pairs) {
    const predicted = run(input)[0] ?? 0;
    sum += (predicted - output[0]) ** 2;
  }
  return pairs.length === 0 ? 0 : sum / pairs.length;
}

/**
 * Trains a brain.js sigmoid network, keeping the weights from the check with the lowest validation error
 * (early stopping). brain.js draws its initial weights from Math.random, so Math.random is replaced by a
 * seeded generator for the duration: the same seed and pairs give the same model.
 */
export function trainNetwork(data: TrainingData, options: TrainOptions): NetworkModel {
  const network = new NeuralNetwork({ hiddenLayers: options.hiddenLayers, activation: 'sigmoid' });
  let best: { error: number; json: BrainLayers } | undefined;
  const originalRandom = Math.random;
  Math.random = mulberry32(options.seed);
  try {
    network.train(data.train, {
      iterations: options.iterations,
      learningRate: options.learningRate,
      errorThresh: 0.0001,
      callbackPeriod: options.progressEvery ?? 20,
      callback: (status: { iterations: number; error: number }) => {
        const error = validationError((input) => network.run(input) as ArrayLike<number>, data.validation);
        if (!best || error < best.error) best = { error, json: network.toJSON() as unknown as BrainLayers };
        options.onProgress?.(status.iterations, status.error, error);
      },
    });
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
  const baseline = PAIR_FEATURE_NAMES.map((_, index) =>
    mean(data.train.map((labelled) => labelled.input[index] ?? 0)),
  );
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
