/**
 * Ranking-quality metrics for evaluating the matcher against the reference data sets. All are pure
 * functions of plain arrays; ranks and positions are 1-based in the formulas below.
 */

/**
 * Normalised discounted cumulative gain at cut-off k, with exponential gain and log2 discount:
 *
 *     DCG@k  = Σ_{i=1}^{min(k, n)} (2^{rel_i} − 1) / log2(i + 1)
 *     NDCG@k = DCG@k(gains) / DCG@k(idealGains sorted in descending order)
 *
 * `gains` are the relevances of the ranked list in rank order; `idealGains` are all the relevances
 * available for the query (ranked or not), from which the best possible list is built. The result is 0
 * when the ideal DCG is 0 (nothing relevant exists), and for an empty list. `k` is a positive integer, or
 * `Infinity` for the whole list.
 */
export function ndcgAtK(gains: readonly number[], idealGains: readonly number[], k: number): number {
  if (!(k >= 1 && (Number.isInteger(k) || k === Infinity))) {
    throw new RangeError(`k must be a positive integer or Infinity, got ${k}`);
  }
  const ideal = dcg(
    [...idealGains].sort((a, b) => b - a),
    k,
  );
  return ideal === 0 ? 0 : dcg(gains, k) / ideal;
}

function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  const n = Math.min(k, gains.length);
  for (let i = 0; i < n; i += 1) {
    const gain = gains[i] ?? 0;
    if (!Number.isFinite(gain)) throw new RangeError(`gains must be finite numbers, got ${gain}`);
    sum += (2 ** gain - 1) / Math.log2(i + 2);
  }
  return sum;
}

/**
 * Average precision of a ranked list:
 *
 *     AP = (1 / R) · Σ_{i : relevant_i} P@i,   P@i = (number of relevant items in ranks 1..i) / i
 *
 * where R = `totalRelevant` when given (the number of relevant items that exist, including any the list
 * missed, which then count as precision 0), else the number of relevant items in the list. 0 when R is 0.
 */
export function averagePrecision(relevant: readonly boolean[], totalRelevant?: number): number {
  const found = relevant.filter(Boolean).length;
  const total = totalRelevant ?? found;
  if (!Number.isInteger(total) || total < found) {
    throw new RangeError(
      `totalRelevant (${total}) must be an integer ≥ the relevant items listed (${found})`,
    );
  }
  if (total === 0) return 0;
  let hits = 0;
  let sum = 0;
  relevant.forEach((isRelevant, index) => {
    if (!isRelevant) return;
    hits += 1;
    sum += hits / (index + 1);
  });
  return sum / total;
}

/**
 * Spearman's rank correlation ρ, computed as the Pearson correlation of the two rank vectors, where tied
 * values share the average of the ranks they span (so it stays correct with ties, unlike
 * 1 − 6 Σ d² / (n (n² − 1))):
 *
 *     ρ = Σ (r_i − r̄)(s_i − s̄) / √(Σ (r_i − r̄)² · Σ (s_i − s̄)²)
 *
 * The direction of ranking does not matter as long as both vectors use the same one (higher = better in
 * both, or rank 1 = best in both). NaN when it is undefined: fewer than two items, or a vector whose
 * values are all equal.
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length)
    throw new RangeError(`spearman needs equal lengths, got ${a.length} and ${b.length}`);
  return pearson(averageRanks(a), averageRanks(b));
}

/** 1-based ranks of `values` in ascending order; tied values get the mean of the ranks they occupy. */
export function averageRanks(values: readonly number[]): number[] {
  if (values.some(Number.isNaN)) throw new RangeError('cannot rank NaN');
  const order = values.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const ranks = new Array<number>(values.length).fill(0);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && order[end]?.value === order[start]?.value) end += 1;
    // Positions start..end-1 (0-based) are tied: ranks start+1..end, whose mean is (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i += 1) ranks[order[i]?.index ?? 0] = rank;
    start = end;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return NaN;
  const meanX = mean(x);
  const meanY = mean(y);
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = (x[i] ?? 0) - meanX;
    const dy = (y[i] ?? 0) - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  if (varianceX === 0 || varianceY === 0) return NaN;
  return covariance / Math.sqrt(varianceX * varianceY);
}

/** Arithmetic mean, Σ v_i / n; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** 1 / (rank of the first relevant item); 0 when the list has none. Its mean over queries is the MRR. */
export function reciprocalRank(relevant: readonly boolean[]): number {
  const first = relevant.indexOf(true);
  return first === -1 ? 0 : 1 / (first + 1);
}

/**
 * How far one target dominates the first places: the share of queries whose first-ranked target is the
 * most frequent first-ranked target, divided by its fair share 1 / (mean number of targets per query).
 * 1 when the first places are spread as evenly as they can be, the number of targets when one target
 * comes first for every query. NaN for fewer than two queries, where it says nothing.
 */
export function topOneConcentration(firstIds: readonly string[], targetsPerQuery: readonly number[]): number {
  if (firstIds.length < 2) return NaN;
  const counts = new Map<string, number>();
  for (const id of firstIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const share = Math.max(...counts.values()) / firstIds.length;
  return share * mean(targetsPerQuery);
}
