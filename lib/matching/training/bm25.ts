/**
 * Plain Okapi BM25, the textbook baseline the network must beat before it is activated. Deliberately
 * independent of our pipeline (no lemmas, stop words or skills): if the network cannot beat word counting,
 * its features are not earning their keep.
 *
 *     score(q, d) = Σ_{t ∈ q} IDF(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 − b + b · |d| / avgdl))
 *     IDF(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
 *
 * N, df and avgdl are taken over the documents being ranked (the query's targets): there is no other
 * collection. Each distinct query word counts once, however often the query repeats it.
 */

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** Lower-cased runs of letters and digits; everything else separates words. */
export function bm25Words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** The BM25 score of each document for the query, in the documents' order. */
export function bm25Scores(query: string, documents: readonly string[]): number[] {
  const termCounts = documents.map((document) => {
    const counts = new Map<string, number>();
    for (const word of bm25Words(document)) counts.set(word, (counts.get(word) ?? 0) + 1);
    return counts;
  });
  const lengths = documents.map((_, i) => {
    let length = 0;
    for (const count of termCounts[i]?.values() ?? []) length += count;
    return length;
  });
  const n = documents.length;
  const averageLength = n === 0 ? 0 : lengths.reduce((sum, length) => sum + length, 0) / n;
  const queryWords = [...new Set(bm25Words(query))];
  const idf = new Map(
    queryWords.map((word) => {
      const df = termCounts.filter((counts) => counts.has(word)).length;
      return [word, Math.log(1 + (n - df + 0.5) / (df + 0.5))];
    }),
  );
  return termCounts.map((counts, i) => {
    // An empty collection (average length 0) has no words to score; avoid 0 / 0.
    const lengthNorm = averageLength === 0 ? 1 : (lengths[i] ?? 0) / averageLength;
    let score = 0;
    for (const word of queryWords) {
      const tf = counts.get(word) ?? 0;
      if (tf === 0) continue;
      score +=
        ((idf.get(word) ?? 0) * tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * lengthNorm));
    }
    return score;
  });
}

/** Target ids, best BM25 score first; equal scores keep the targets' given order. */
export function rankByBm25(query: string, targets: readonly { id: string; text: string }[]): string[] {
  const scores = bm25Scores(
    query,
    targets.map((target) => target.text),
  );
  return targets
    .map((target, index) => ({ id: target.id, index, score: scores[index] ?? 0 }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ id }) => id);
}
