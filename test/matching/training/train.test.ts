import { describe, expect, it } from 'vitest';

import { CompiledNetwork } from '../../../lib/matching/network.js';
import { PAIR_FEATURE_COUNT, PAIR_FEATURE_NAMES } from '../../../lib/matching/pair-features.js';
import { ndcgAtK } from '../../../lib/matching/training/metrics.js';
import { mulberry32 } from '../../../lib/matching/training/split.js';
import {
  splitForValidation,
  trainNetwork,
  type TrainingQuery,
} from '../../../lib/matching/training/train.js';

const SIGNAL = PAIR_FEATURE_NAMES.indexOf('textCosineInPool');

/**
 * Synthetic queries where one feature orders the targets (with noise) and every other feature is noise;
 * half the queries' targets are all shifted up or down, so only the order within a query carries the signal.
 */
function syntheticQueries(seed: number, count: number, set = 'synthetic'): TrainingQuery[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const shift = random() < 0.5 ? 0.3 : -0.3;
    const relevance = Array.from({ length: 12 }, () => (random() < 0.25 ? 1 : random() < 0.3 ? 0.5 : 0));
    const inputs = relevance.map((value) => {
      const input = Float32Array.from({ length: PAIR_FEATURE_COUNT }, () => random());
      input[SIGNAL] = Math.min(1, Math.max(0, 0.3 + shift / 2 + value * 0.4 + (random() - 0.5) * 0.2));
      return input;
    });
    return { set, inputs, relevance };
  });
}

function meanNdcg(run: (input: Float64Array) => number, queries: readonly TrainingQuery[]): number {
  const values = queries
    .filter((query) => query.relevance.some((value) => value > 0))
    .map((query) => {
      const order = query.inputs
        .map((input, index) => ({
          score: run(Float64Array.from(input)),
          relevance: query.relevance[index] ?? 0,
        }))
        .sort((a, b) => b.score - a.score);
      return ndcgAtK(
        order.map((item) => item.relevance * 2),
        query.relevance.map((value) => value * 2),
        5,
      );
    });
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

describe('trainNetwork (LambdaRank through brain.js)', () => {
  const options = { seed: 7, hiddenLayers: [6], epochs: 15, learningRate: 0.2 };

  it('learns to order targets by the feature that carries the judgement', () => {
    const data = splitForValidation(syntheticQueries(1, 60), 7);
    const model = trainNetwork(data, options);
    const network = new CompiledNetwork(model.network);
    const unseen = syntheticQueries(2, 40);
    expect(meanNdcg(network.run, unseen)).toBeGreaterThan(0.9);
    // Chance on the same queries, for scale: a network that learned nothing sits far below.
    expect(meanNdcg(() => 0.5, unseen)).toBeLessThan(0.75);
  });

  it('gives the same model for the same seed and data', () => {
    const data = splitForValidation(syntheticQueries(3, 20), 7);
    expect(trainNetwork(data, options).name).toBe(trainNetwork(data, options).name);
  });

  it('keeps every set in training and in validation once it has two queries or more', () => {
    const data = splitForValidation([...syntheticQueries(4, 10, 'a'), ...syntheticQueries(5, 2, 'b')], 7);
    expect(new Set(data.validation.map((query) => query.set))).toEqual(new Set(['a', 'b']));
    expect(new Set(data.train.map((query) => query.set))).toEqual(new Set(['a', 'b']));
    expect(data.train.length + data.validation.length).toBe(12);
  });
});
