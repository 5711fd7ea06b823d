/**
 * Sentence embeddings as features store them and pair features read them. A vector is kept as signed bytes
 * scaled by its largest component (base64 in the features JSON): a quarter of float32's size in every cached
 * profile, with cosines close to the float ones (the tests bound the difference).
 */
export class SemanticVector {
  readonly norm: number;

  constructor(readonly values: Int8Array) {
    let squares = 0;
    for (const value of values) squares += value * value;
    this.norm = Math.sqrt(squares);
  }

  static encode(vector: Float32Array): string {
    let largest = 0;
    for (const value of vector) largest = Math.max(largest, Math.abs(value));
    const scale = largest === 0 ? 0 : 127 / largest;
    const bytes = new Int8Array(vector.length);
    for (let index = 0; index < vector.length; index += 1)
      bytes[index] = Math.round((vector[index] as number) * scale);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }

  static decode(text: string): SemanticVector {
    const buffer = Buffer.from(text, 'base64');
    return new SemanticVector(
      new Int8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length)),
    );
  }
}

/** Cosine of two vectors of the same model (0 when either is all zeros or their lengths differ). */
export function semanticCosine(a: SemanticVector, b: SemanticVector): number {
  if (a.values.length !== b.values.length || a.norm === 0 || b.norm === 0) return 0;
  let dot = 0;
  const left = a.values;
  const right = b.values;
  for (let index = 0; index < left.length; index += 1)
    dot += (left[index] as number) * (right[index] as number);
  return dot / (a.norm * b.norm);
}
