import { describe, expect, it } from 'vitest';

import { evaluateSkillExtraction } from '../../../lib/matching/training/skill-eval.js';
import type { SkillEntry, SkillVocabulary } from '../../../lib/matching/vocabulary.js';

function vocabularyOf(entries: SkillEntry[]): SkillVocabulary {
  const byAlias = new Map<string, string>();
  for (const entry of entries)
    for (const alias of [entry.name.toLowerCase(), ...entry.aliases]) byAlias.set(alias, entry.id);
  return { version: 0, entries, byAlias, nameOf: (id) => id };
}

const vocabulary = vocabularyOf([
  { id: 'python', name: 'Python', aliases: ['python (computer programming)'], category: 'language' },
  { id: 'java', name: 'Java', aliases: ['java (computer programming)'], category: 'language' },
  { id: 'sql', name: 'SQL', aliases: [], category: 'language' },
  { id: 'teamwork', name: 'Teamwork', aliases: ['work in teams'], category: 'soft' },
  { id: 'statistics', name: 'Statistics', aliases: ['biostatistics'], category: 'data' },
]);

/** A stand-in extractor: a fixed answer per sentence. */
const answers =
  (table: Record<string, string[]>) =>
  (sentence: string): string[] =>
    table[sentence] ?? [];

describe('evaluateSkillExtraction', () => {
  it('counts predicted ids for precision and gold labels for recall, micro-averaged', () => {
    const rows = [
      // Both gold skills found, plus one id with no gold label: 2 of 3 predictions right.
      { sentence: 'S1', label: 'Python (computer programming)' },
      { sentence: 'S1', label: 'SQL' },
      // One of two found; the other gold label is outside the vocabulary.
      { sentence: 'S2', label: 'work in teams' },
      { sentence: 'S2', label: 'think innovatively' },
      // No gold label at all: its prediction is wrong.
      { sentence: 'S3', label: null },
      // Gold label in the vocabulary, nothing predicted.
      { sentence: 'S4', label: 'Java (computer programming)' },
    ];
    const result = evaluateSkillExtraction(
      rows,
      answers({ S1: ['python', 'sql', 'java'], S2: ['teamwork'], S3: ['sql'] }),
      vocabulary,
    );
    expect(result).toMatchObject({
      sentences: 4,
      gold: 5,
      goldInVocabulary: 4,
      predicted: 5,
      correct: 3,
    });
    expect(result.precision).toBeCloseTo(3 / 5, 12);
    expect(result.recall).toBeCloseTo(3 / 5, 12);
    expect(result.recallInVocabulary).toBeCloseTo(3 / 4, 12);
    expect(result.f1).toBeCloseTo(3 / 5, 12);
  });

  it('matches labels case- and space-insensitively, and counts a repeated label or prediction once', () => {
    const rows = [
      { sentence: 'Python and python again', label: '  PYTHON ' },
      { sentence: 'Python and python again', label: 'python' },
      { sentence: 'Python and python again', label: 'Work  in teams' },
    ];
    const result = evaluateSkillExtraction(
      rows,
      answers({ 'Python and python again': ['python', 'python'] }),
      vocabulary,
    );
    // "  PYTHON " and "python" are two distinct raw labels, hence two gold pairs, one gold id.
    expect(result).toMatchObject({ sentences: 1, gold: 3, goldInVocabulary: 3, predicted: 1, correct: 1 });
    expect(result.precision).toBe(1);
    expect(result.recall).toBeCloseTo(2 / 3, 12);
    expect(result.f1).toBeCloseTo((2 * 1 * (2 / 3)) / (1 + 2 / 3), 12);
  });

  it('counts one predicted id once for precision when two gold labels map to it', () => {
    const rows = [
      { sentence: 'Statistics and biostatistics', label: 'statistics' },
      { sentence: 'Statistics and biostatistics', label: 'biostatistics' },
    ];
    const result = evaluateSkillExtraction(
      rows,
      answers({ 'Statistics and biostatistics': ['statistics'] }),
      vocabulary,
    );
    expect(result).toMatchObject({ gold: 2, goldInVocabulary: 2, predicted: 1, correct: 1 });
    expect(result.precision).toBe(1);
    expect(result.recall).toBe(1);
  });

  it('runs the extractor once per distinct sentence', () => {
    const seen: string[] = [];
    evaluateSkillExtraction(
      [
        { sentence: 'A', label: 'SQL' },
        { sentence: 'A', label: 'Java' },
        { sentence: 'B', label: null },
      ],
      (sentence) => {
        seen.push(sentence);
        return [];
      },
      vocabulary,
    );
    expect(seen).toEqual(['A', 'B']);
  });

  it('is all zeros with nothing to divide by', () => {
    expect(evaluateSkillExtraction([], () => [], vocabulary)).toEqual({
      sentences: 0,
      gold: 0,
      goldInVocabulary: 0,
      predicted: 0,
      correct: 0,
      precision: 0,
      recall: 0,
      f1: 0,
      recallInVocabulary: 0,
    });
    const nothingFound = evaluateSkillExtraction([{ sentence: 'A', label: 'SQL' }], () => [], vocabulary);
    expect(nothingFound).toMatchObject({ precision: 0, recall: 0, f1: 0, recallInVocabulary: 0 });
  });
});
