import type { ProfileKind } from '../queues/registry.js';
import type { Features } from './features.js';
import { skillVocabulary } from './vocabulary.js';

export const LEXICAL_SCORER = 'lexical-v1';

export interface ScoringTarget {
  id: string;
  externalId: string;
  features: Features;
}

export interface Contribution {
  feature: 'skillCoverage' | 'textSimilarity' | 'titleSimilarity';
  value: number;
  weight: number;
  contribution: number;
}

export interface Explanation {
  matchedSkills: string[];
  missingSkills: string[];
  /** Each feature's value and share of the score, largest share first. */
  factors: Contribution[];
}

export interface ScoredTarget {
  targetId: string;
  targetExternalId: string;
  score: number;
  explanation: Explanation;
}

const weights = { skillCoverage: 0.5, textSimilarity: 0.35, titleSimilarity: 0.15 } as const;

/** Smoothed inverse document frequency over the documents being ranked together. */
function idfTable(documents: Iterable<string>[], documentCount: number): Map<string, number> {
  const frequency = new Map<string, number>();
  for (const keys of documents) {
    for (const key of new Set(keys)) frequency.set(key, (frequency.get(key) ?? 0) + 1);
  }
  const idf = new Map<string, number>();
  for (const [key, count] of frequency) idf.set(key, Math.log(1 + (documentCount + 1) / (count + 1)));
  return idf;
}

function tfidfVector(terms: Record<string, number>, idf: Map<string, number>): Map<string, number> {
  const vector = new Map<string, number>();
  let norm = 0;
  for (const [term, count] of Object.entries(terms)) {
    const weight = (1 + Math.log(count)) * (idf.get(term) ?? 0);
    vector.set(term, weight);
    norm += weight * weight;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [term, weight] of vector) vector.set(term, weight / norm);
  return vector;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, weight] of small) dot += weight * (large.get(term) ?? 0);
  return dot;
}

function weightedShare(wanted: string[], has: (key: string) => boolean, idf: Map<string, number>): number {
  let total = 0;
  let covered = 0;
  for (const key of wanted) {
    const weight = idf.get(key) ?? 1;
    total += weight;
    if (has(key)) covered += weight;
  }
  return total === 0 ? 0 : covered / total;
}

/**
 * The baseline scorer: IDF-weighted coverage of the job's skills by the candidate, TF-IDF cosine of the two
 * texts, and how much of the job title the candidate's text covers. IDF is taken over the subject and the
 * targets being ranked, so the scorer needs no corpus-wide statistics.
 */
export function rankLexically(
  subjectKind: ProfileKind,
  subject: Features,
  targets: ScoringTarget[],
  topK: number,
): ScoredTarget[] {
  const documentCount = targets.length + 1;
  const termIdf = idfTable(
    [Object.keys(subject.terms), ...targets.map((target) => Object.keys(target.features.terms))],
    documentCount,
  );
  const skillIdf = idfTable(
    [subject.skills, ...targets.map((target) => target.features.skills)],
    documentCount,
  );
  const subjectVector = tfidfVector(subject.terms, termIdf);

  const scored = targets.map((target): ScoredTarget => {
    const [job, candidate] = subjectKind === 'job' ? [subject, target.features] : [target.features, subject];
    const candidateSkills = new Set(candidate.skills);
    const values = {
      skillCoverage: weightedShare(job.skills, (skill) => candidateSkills.has(skill), skillIdf),
      textSimilarity: cosine(subjectVector, tfidfVector(target.features.terms, termIdf)),
      titleSimilarity: weightedShare(job.titleTerms, (term) => term in candidate.terms, termIdf),
    };
    const factors = (Object.keys(weights) as (keyof typeof weights)[])
      .map((feature) => ({
        feature,
        value: round(values[feature]),
        weight: weights[feature],
        contribution: round(values[feature] * weights[feature]),
      }))
      .sort((a, b) => b.contribution - a.contribution);
    const score = factors.reduce((sum, factor) => sum + values[factor.feature] * factor.weight, 0);
    return {
      targetId: target.id,
      targetExternalId: target.externalId,
      score: round(score),
      explanation: {
        matchedSkills: job.skills.filter((skill) => candidateSkills.has(skill)).map(skillVocabulary.nameOf),
        missingSkills: job.skills.filter((skill) => !candidateSkills.has(skill)).map(skillVocabulary.nameOf),
        factors,
      },
    };
  });

  return scored
    .sort((a, b) => b.score - a.score || a.targetExternalId.localeCompare(b.targetExternalId))
    .slice(0, topK);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
