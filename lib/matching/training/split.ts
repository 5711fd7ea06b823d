/**
 * Deterministic splits and seeded randomness, so that training and evaluation runs are reproducible and
 * the held-out part of each data set never changes between runs or machines.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const TWO_TO_32 = 0x1_0000_0000;

/** 32-bit FNV-1a hash of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * Whether the item `id` of `dataset` belongs to the held-out (evaluation) part: true for about `fraction`
 * of all ids. The decision depends only on `${dataset}:${id}` (FNV-1a, mapped to [0, 1)), so it is stable
 * across runs, does not depend on the other ids, and each id keeps its side when a data set grows. A
 * larger fraction holds out a superset of what a smaller one does.
 */
export function isHeldOut(dataset: string, id: string, fraction: number): boolean {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  return mix32(fnv1a32(`${dataset}:${id}`)) / TWO_TO_32 < fraction;
}

/**
 * MurmurHash3's finaliser. FNV-1a's high bits barely depend on the last characters, so sequential ids
 * ("cv-1" … "cv-30") would otherwise fall into one side in blocks; this spreads every input bit.
 */
export function mix32(hash: number): number {
  let h = hash >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Mulberry32: a small, fast seeded PRNG returning floats in [0, 1). The same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_TO_32;
  };
}

/** A shuffled copy of `items` (Fisher-Yates); `items` itself is left as it is. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = result[i] as T;
    result[i] = result[j] as T;
    result[j] = a;
  }
  return result;
}
