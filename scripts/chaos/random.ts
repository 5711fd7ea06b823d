/**
 * The run's randomness: one seed, from which each kind of choice (which candidate a request asks for, which
 * worker is killed, what an ingest event holds) draws from a stream of its own, so a replay makes the same
 * choices in the same order even when the processes run at another pace.
 */
import { randomInt } from 'node:crypto';

import { fnv1a32, mix32, mulberry32 } from '../../lib/matching/training/split.js';

export interface Stream {
  /** A float in [0, 1). */
  next(): number;
  /** One of the items (which must not be empty). */
  pick<T>(items: readonly T[]): T;
  /** A version-4-shaped UUID made of the stream's numbers. */
  uuid(): string;
}

export function newSeed(): number {
  return randomInt(2 ** 32);
}

export function stream(seed: number, name: string): Stream {
  const next = mulberry32(mix32(seed ^ fnv1a32(name)));
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => Math.floor(next() * 16).toString(16)).join('');
  return {
    next,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`,
  };
}
