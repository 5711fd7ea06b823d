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

/**
 * The forward pass of a brain.js sigmoid network over typed arrays, compiled once per model. It gives the
 * same numbers as brain.js run() without its per-call allocations and lookups, and needs no brain.js (nor
 * gpu.js) at run time: training is offline, scoring is this loop.
 */
export class CompiledNetwork {
  private readonly weights: Float64Array[];
  private readonly biases: Float64Array[];
  private readonly sizes: number[];
  private readonly activations: Float64Array[];

  constructor(network: BrainLayers) {
    this.sizes = network.sizes;
    this.weights = [];
    this.biases = [];
    this.activations = network.sizes.map((size) => new Float64Array(size));
    for (let layer = 1; layer < network.sizes.length; layer += 1) {
      const { weights, biases } = network.layers[layer] ?? { weights: [], biases: [] };
      const inputs = network.sizes[layer - 1] ?? 0;
      const outputs = network.sizes[layer] ?? 0;
      const flat = new Float64Array(inputs * outputs);
      for (let node = 0; node < outputs; node += 1) {
        const row = weights[node] ?? [];
        for (let input = 0; input < inputs; input += 1) flat[node * inputs + input] = row[input] ?? 0;
      }
      this.weights.push(flat);
      this.biases.push(Float64Array.from(biases));
    }
  }

  /** The network's output for one input vector; not re-entrant (it reuses its activation buffers). */
  run(input: Float64Array): number {
    let previous = input;
    for (let layer = 0; layer < this.weights.length; layer += 1) {
      const weights = this.weights[layer] as Float64Array;
      const biases = this.biases[layer] as Float64Array;
      const output = this.activations[layer + 1] as Float64Array;
      const inputs = this.sizes[layer] as number;
      for (let node = 0; node < output.length; node += 1) {
        let sum = biases[node] as number;
        const offset = node * inputs;
        for (let index = 0; index < inputs; index += 1)
          sum += (weights[offset + index] as number) * (previous[index] as number);
        output[node] = 1 / (1 + Math.exp(-sum));
      }
      previous = output;
    }
    return previous[0] as number;
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
