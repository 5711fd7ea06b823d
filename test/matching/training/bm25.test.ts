import { describe, expect, it } from 'vitest';

import { BM25_B, BM25_K1, bm25Scores, bm25Words, rankByBm25 } from '../../../lib/matching/training/bm25.js';

describe('bm25Words', () => {
  it('lower-cases and splits on anything but letters and digits', () => {
    expect(bm25Words('Node.js, C#; SQL-Server 2019 Café')).toEqual([
      'node',
      'js',
      'c',
      'sql',
      'server',
      '2019',
      'café',
    ]);
  });
});

describe('bm25Scores', () => {
  it('matches a hand computation of Okapi BM25', () => {
    const documents = ['java spring java', 'python', 'java python sql sql'];
    // N = 3, lengths 3, 1, 4, avgdl 8/3. df(java) = 2, df(sql) = 1.
    const idf = (df: number): number => Math.log(1 + (3 - df + 0.5) / (df + 0.5));
    const term = (tf: number, length: number, df: number): number =>
      (idf(df) * tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * length) / (8 / 3)));
    const scores = bm25Scores('Java SQL java', documents);
    expect(scores[0]).toBeCloseTo(term(2, 3, 2), 12);
    expect(scores[1]).toBe(0);
    expect(scores[2]).toBeCloseTo(term(1, 4, 2) + term(2, 4, 1), 12);
  });

  it('scores nothing for an empty query or an empty collection', () => {
    expect(bm25Scores('', ['a b'])).toEqual([0]);
    expect(bm25Scores('a', [])).toEqual([]);
    expect(bm25Scores('a', ['', ''])).toEqual([0, 0]);
  });

  it('gives a rarer word more weight than a common one', () => {
    const [common, rare] = bm25Scores('common rare', ['common x', 'rare x', 'common y', 'common z']);
    expect(rare).toBeGreaterThan(common ?? Infinity);
  });
});

describe('rankByBm25', () => {
  it('orders by score and keeps the given order for ties', () => {
    const targets = [
      { id: 'none', text: 'nothing here' },
      { id: 'one', text: 'kafka' },
      { id: 'two', text: 'kafka redis' },
      { id: 'also-none', text: 'still nothing' },
    ];
    expect(rankByBm25('kafka redis', targets)).toEqual(['two', 'one', 'none', 'also-none']);
  });
});
