import { describe, expect, it } from 'vitest';

import { SemanticVector, semanticCosine } from '../../lib/matching/semantic.js';
import { mulberry32 } from '../../lib/matching/training/split.js';

function unitVector(random: () => number, dimensions: number): Float32Array {
  const vector = Float32Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function floatCosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < a.length; index += 1) dot += (a[index] as number) * (b[index] as number);
  return dot;
}

describe('SemanticVector', () => {
  it('keeps cosines within 0.01 of the float vectors after a round trip through its stored form', () => {
    const random = mulberry32(3);
    for (let trial = 0; trial < 50; trial += 1) {
      const a = unitVector(random, 384);
      // Half the pairs similar, so high cosines are checked as well as near-zero ones.
      const b = trial % 2 === 0 ? unitVector(random, 384) : a.map((value) => value + (random() - 0.5) * 0.05);
      const stored = semanticCosine(
        SemanticVector.decode(SemanticVector.encode(a)),
        SemanticVector.decode(SemanticVector.encode(b)),
      );
      expect(Math.abs(stored - floatCosine(a, b) / Math.hypot(...b))).toBeLessThan(0.01);
    }
  });

  it('stores a vector in a byte per dimension', () => {
    const text = SemanticVector.encode(new Float32Array(384).fill(0.05));
    expect(Buffer.from(text, 'base64')).toHaveLength(384);
  });

  it('answers 0 for a zero vector or vectors of different lengths instead of NaN', () => {
    const zero = SemanticVector.decode(SemanticVector.encode(new Float32Array(8)));
    const some = SemanticVector.decode(SemanticVector.encode(Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0])));
    const longer = SemanticVector.decode(SemanticVector.encode(new Float32Array(16).fill(1)));
    expect(semanticCosine(zero, some)).toBe(0);
    expect(semanticCosine(some, longer)).toBe(0);
    expect(semanticCosine(some, some)).toBeCloseTo(1, 10);
  });
});
