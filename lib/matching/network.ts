import { PAIR_FEATURE_COUNT, PAIR_FEATURE_NAMES } from './pair-features.js';

/** The layers of a brain.js NeuralNetwork as its toJSON() writes them (layer 0, the input, is empty). */
export interface BrainLayers {
  sizes: number[];
  layers: { weights: number[][]; biases: number[] }[];
}

/** A trained scorer as it is stored: brain.js weights plus what is needed to use and explain them. */
export interface NetworkModel {
  name: string;
  featuresVersion: number;
  featureNames: string[];
  network: BrainLayers;
  /** Mean of each feature over the training pairs: the reference an explanation measures effects from. */
  baseline: number[];
}

export class IncompatibleModelError extends Error {
  constructor(model: string, reason: string) {
    super(`model ${model} cannot be used: ${reason}`);
    this.name = 'IncompatibleModelError';
  }
}

/** A number as a JavaScript literal that reads back as the same double. */
function literal(value: unknown, model: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new IncompatibleModelError(model, `a weight or bias is not a finite number: ${String(value)}`);
  }
  return Object.is(value, -0) ? '0' : String(value);
}

/**
 * The forward pass of a brain.js sigmoid network, compiled once per model into straight-line JavaScript
 * with the weights as constants (as brain.js's own toFunction() does): no loops, no array reads but the
 * input's, nothing allocated, so V8 turns it into a few hundred machine instructions. It gives the same
 * numbers as brain.js run() and needs no brain.js (nor gpu.js) at run time: training is offline, scoring
 * is this function. Only numbers that passed `literal` reach the source, so a model row cannot inject code.
 */
export class CompiledNetwork {
  readonly run: (input: Float64Array) => number;

  constructor(network: BrainLayers, name = 'network') {
    const lines: string[] = ['"use strict";'];
    let previous = Array.from({ length: network.sizes[0] ?? 0 }, (_, index) => `input[${index}]`);
    for (let layer = 1; layer < network.sizes.length; layer += 1) {
      const { weights, biases } = network.layers[layer] ?? { weights: [], biases: [] };
      const current: string[] = [];
      for (let node = 0; node < (network.sizes[layer] ?? 0); node += 1) {
        const row = weights[node] ?? [];
        const sum = previous.map((input, index) => `${literal(row[index], name)} * ${input}`);
        const variable = `l${layer}_${node}`;
        lines.push(
          `const ${variable} = 1 / (1 + Math.exp(-(${[literal(biases[node], name), ...sum].join(' + ')})));`,
        );
        current.push(variable);
      }
      previous = current;
    }
    lines.push(`return ${previous[0] ?? 'NaN'};`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from checked numbers only, see above
    this.run = new Function('input', lines.join('\n')) as (input: Float64Array) => number;
  }
}

export function assertCompatible(model: NetworkModel, featuresVersion: number): void {
  if (model.featuresVersion !== featuresVersion) {
    throw new IncompatibleModelError(
      model.name,
      `trained on features v${model.featuresVersion}, workers extract v${featuresVersion}`,
    );
  }
  if (model.featureNames.join(',') !== PAIR_FEATURE_NAMES.join(',')) {
    throw new IncompatibleModelError(model.name, `trained on features [${model.featureNames.join(', ')}]`);
  }
  if (model.network.sizes[0] !== PAIR_FEATURE_COUNT || model.network.sizes.at(-1) !== 1) {
    throw new IncompatibleModelError(model.name, `network shape ${model.network.sizes.join('-')}`);
  }
}
