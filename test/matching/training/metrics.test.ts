import { describe, expect, it } from 'vitest';

import {
  averagePrecision,
  averageRanks,
  mean,
  ndcgAtK,
  reciprocalRank,
  spearman,
  topOneConcentration,
} from '../../../lib/matching/training/metrics.js';

const LOG2_3 = Math.log2(3);
const LOG2_5 = Math.log2(5);

describe('ndcgAtK', () => {
  it('is 1 for a perfect ranking', () => {
    expect(ndcgAtK([3, 2, 1, 0], [0, 1, 2, 3], 4)).toBeCloseTo(1, 12);
    expect(ndcgAtK([1, 1, 0], [1, 0, 1], 3)).toBeCloseTo(1, 12);
  });

  it('matches a hand computation for a reversed graded ranking', () => {
    // DCG = 0/1 + 1/log2 3 + 3/2 + 7/log2 5; ideal = 7/1 + 3/log2 3 + 1/2 + 0/log2 5.
    const dcg = 0 + 1 / LOG2_3 + 3 / 2 + 7 / LOG2_5;
    const ideal = 7 + 3 / LOG2_3 + 1 / 2;
    expect(ndcgAtK([0, 1, 2, 3], [3, 2, 1, 0], 4)).toBeCloseTo(dcg / ideal, 12);
    expect(dcg / ideal).toBeCloseTo(0.54783, 5);
  });

  it('matches a hand computation for binary relevance', () => {
    // DCG = 1 + 0 + 1/2 = 1.5; ideal = 1 + 1/log2 3 ≈ 1.63093.
    expect(ndcgAtK([1, 0, 1], [1, 1, 0, 0], 3)).toBeCloseTo(1.5 / (1 + 1 / LOG2_3), 12);
    expect(ndcgAtK([1, 0, 1], [1, 1, 0, 0], 3)).toBeCloseTo(0.91972, 5);
  });

  it('cuts both lists at k', () => {
    expect(ndcgAtK([0, 1], [1, 1], 1)).toBe(0);
    expect(ndcgAtK([0, 1], [1, 1], 2)).toBeCloseTo(1 / LOG2_3 / (1 + 1 / LOG2_3), 12);
    // A relevant item below the cut-off does not count; one missing from the list lowers the ideal ratio.
    expect(ndcgAtK([1, 0, 0, 1], [1, 1], 3)).toBeCloseTo(1 / (1 + 1 / LOG2_3), 12);
    expect(ndcgAtK([1, 0], [1, 1], Infinity)).toBeCloseTo(1 / (1 + 1 / LOG2_3), 12);
    // k beyond the list's length is the same as the whole list.
    expect(ndcgAtK([1], [1, 1], 10)).toBeCloseTo(0.61315, 5);
  });

  it('is 1 when tied gains are ranked in either order', () => {
    expect(ndcgAtK([2, 2, 0], [0, 2, 2], 3)).toBeCloseTo(1, 12);
  });

  it('is 0 when nothing is relevant or the list is empty', () => {
    expect(ndcgAtK([0, 0], [0, 0], 2)).toBe(0);
    expect(ndcgAtK([], [], 5)).toBe(0);
    expect(ndcgAtK([], [1, 2], 5)).toBe(0);
  });

  it('rejects a k that is not a positive integer', () => {
    expect(() => ndcgAtK([1], [1], 0)).toThrow(RangeError);
    expect(() => ndcgAtK([1], [1], 1.5)).toThrow(RangeError);
    expect(() => ndcgAtK([1], [1], NaN)).toThrow(RangeError);
  });
});

describe('averagePrecision', () => {
  it('is 1 for a perfect ranking', () => {
    expect(averagePrecision([true, true, false, false])).toBe(1);
  });

  it('matches hand computations', () => {
    // (1/1 + 2/3) / 2
    expect(averagePrecision([true, false, true, false])).toBeCloseTo(5 / 6, 12);
    // reversed: (1/3 + 2/4) / 2
    expect(averagePrecision([false, false, true, true])).toBeCloseTo(5 / 12, 12);
  });

  it('counts relevant items missing from the list when totalRelevant is given', () => {
    expect(averagePrecision([true, false, true, false], 4)).toBeCloseTo(5 / 12, 12);
    expect(averagePrecision([false, false], 3)).toBe(0);
    expect(() => averagePrecision([true, true], 1)).toThrow(RangeError);
  });

  it('is 0 with nothing relevant or an empty list', () => {
    expect(averagePrecision([false, false])).toBe(0);
    expect(averagePrecision([])).toBe(0);
    expect(averagePrecision([], 0)).toBe(0);
  });
});

describe('spearman', () => {
  it('is 1 for the same order and −1 for the reverse', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [0.4, 0.3, 0.2, 0.1])).toBeCloseTo(-1, 12);
  });

  it('matches 1 − 6Σd²/(n(n²−1)) without ties', () => {
    // d² = 1 + 1 + 1 + 1 + 0 = 4 → 1 − 24/120 = 0.8
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  });

  it('gives tied values their average rank', () => {
    // ranks [1, 2.5, 2.5, 4] vs [1, 2, 3, 4]: cov 4.5, var 4.5 and 5 → 4.5 / √22.5 = 3/√10
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(3 / Math.sqrt(10), 12);
    // an annotation row with a repeated rank: ranks [1.5, 5, 3, 1.5, 4] → 1.5 / √95
    expect(spearman([1, 5, 2, 1, 4], [1, 2, 3, 4, 5])).toBeCloseTo(1.5 / Math.sqrt(95), 12);
  });

  it('is NaN when undefined and rejects unequal lengths', () => {
    expect(spearman([], [])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
    expect(spearman([3, 3, 3], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(RangeError);
  });
});

describe('averageRanks', () => {
  it('ranks ascending with averaged ties', () => {
    expect(averageRanks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
    expect(averageRanks([5, 5, 5])).toEqual([2, 2, 2]);
    expect(averageRanks([])).toEqual([]);
    expect(() => averageRanks([1, NaN])).toThrow(RangeError);
  });
});

describe('mean', () => {
  it('averages, and is NaN for no values', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([-1])).toBe(-1);
    expect(mean([])).toBeNaN();
  });
});

describe('reciprocalRank', () => {
  it('is one over the rank of the first relevant item, 0 without one', () => {
    expect(reciprocalRank([false, false, true, true])).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank([true])).toBe(1);
    expect(reciprocalRank([false, false])).toBe(0);
    expect(reciprocalRank([])).toBe(0);
  });
});

describe('topOneConcentration', () => {
  it('is the top share over the fair share 1 / targets per query', () => {
    // 'a' first for 3 of 4 queries of 10 targets each: 0.75 / 0.1.
    expect(topOneConcentration(['a', 'a', 'b', 'a'], [10, 10, 10, 10])).toBeCloseTo(7.5, 12);
    // Spread evenly over as many targets as queries: 1.
    expect(topOneConcentration(['a', 'b', 'c'], [3, 3, 3])).toBeCloseTo(1, 12);
  });

  it('is NaN for fewer than two queries', () => {
    expect(topOneConcentration(['a'], [100])).toBeNaN();
    expect(topOneConcentration([], [])).toBeNaN();
  });
});
