import type { SkillVocabulary } from '../vocabulary.js';

export interface SkillEvaluationRow {
  sentence: string;
  /** The gold ESCO preferred label, or null when the row names no labelled skill. */
  label: string | null;
}

export interface SkillEvaluation {
  /** Distinct sentences (rows are grouped by their exact sentence text). */
  sentences: number;
  /** Distinct (sentence, gold label) pairs, label not null. */
  gold: number;
  /** Gold pairs whose label is a name or alias in the vocabulary, i.e. that the extractor can get right. */
  goldInVocabulary: number;
  /** Distinct skill ids predicted, summed over sentences. */
  predicted: number;
  /** Predicted ids that are the id of one of their sentence's gold labels, summed over sentences. */
  correct: number;
  precision: number;
  recall: number;
  f1: number;
  recallInVocabulary: number;
}

/**
 * Scores a skill extractor against sentences labelled with ESCO skills, micro-averaged over sentences.
 *
 * Rows are grouped by sentence; `extract` runs once per distinct sentence and its ids are deduplicated.
 * A gold label becomes our id through the vocabulary's alias index (the label trimmed, white space
 * collapsed, lowercased); a label the index does not know has no id and can never be found.
 *
 * - precision = Σ over sentences of |predicted ids ∩ gold ids| / Σ |predicted ids|. A predicted id that
 *   is not among its sentence's gold ids counts as wrong even when the skill is really there but its gold
 *   label is missing ("LABEL NOT PRESENT" rows, which come in as null): on such benchmarks precision is a
 *   lower bound.
 * - recall = gold pairs whose id is among their sentence's predicted ids / all gold pairs, where a gold
 *   pair is a distinct (sentence, label) — a label repeated on several spans of one sentence counts once.
 *   recallInVocabulary divides the same hits by the gold pairs whose label maps to an id.
 * - f1 is the harmonic mean of precision and recall (over all gold pairs). A ratio with nothing to
 *   divide by is 0.
 *
 * Two gold labels of one sentence that map to the same id are two gold pairs but one gold id: one
 * predicted id then counts once for precision and twice for recall.
 */
export function evaluateSkillExtraction(
  rows: readonly SkillEvaluationRow[],
  extract: (sentence: string) => string[],
  vocabulary: SkillVocabulary,
): SkillEvaluation {
  const labelsBySentence = new Map<string, Set<string>>();
  for (const row of rows) {
    const labels = labelsBySentence.get(row.sentence) ?? new Set<string>();
    if (row.label !== null) labels.add(row.label);
    labelsBySentence.set(row.sentence, labels);
  }

  let gold = 0;
  let goldInVocabulary = 0;
  let found = 0;
  let predicted = 0;
  let correct = 0;
  for (const [sentence, labels] of labelsBySentence) {
    const predictedIds = new Set(extract(sentence));
    const goldIds = new Set<string>();
    for (const label of labels) {
      gold += 1;
      const id = vocabulary.byAlias.get(label.trim().replace(/\s+/g, ' ').toLowerCase());
      if (id === undefined) continue;
      goldInVocabulary += 1;
      goldIds.add(id);
      if (predictedIds.has(id)) found += 1;
    }
    predicted += predictedIds.size;
    for (const id of predictedIds) if (goldIds.has(id)) correct += 1;
  }

  const ratio = (numerator: number, denominator: number): number =>
    denominator === 0 ? 0 : numerator / denominator;
  const precision = ratio(correct, predicted);
  const recall = ratio(found, gold);
  return {
    sentences: labelsBySentence.size,
    gold,
    goldInVocabulary,
    predicted,
    correct,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    recallInVocabulary: ratio(found, goldInVocabulary),
  };
}
