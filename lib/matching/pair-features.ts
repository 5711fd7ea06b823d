import type { Features } from './features.js';

/**
 * The features of one (job, candidate) pair, in the order the network reads them. Every value is in [0, 1];
 * 0.5 means "unknown" where one side does not say (no stated years, no location, ...).
 *
 * - requiredSkillCoverage: IDF-weighted share of the job's required skills the candidate has.
 * - preferredSkillCoverage: the same for the job's nice-to-have skills (0 when it lists none).
 * - skillJaccard: shared skills over all skills of either side.
 * - textCosine: cosine of the two TF-IDF vectors (sublinear tf) over content-word lemmas.
 * - bm25: BM25 of the job's terms against the candidate text, divided by its upper bound.
 * - titleCoverage: IDF-weighted share of the job title's words found in the candidate's text.
 * - experienceFit: 1 when the candidate has the years the job asks for (slightly less when far over),
 *   falling linearly to 0 at no experience.
 * - seniorityFit: 1 − |level gap| / 3 over junior < mid < senior < lead.
 * - locationFit: 1 for a remote job or matching locations, 0 for different cities, 0.2 when only the
 *   candidate wants remote work.
 * - salaryFit: 1 when the expectation is within the job's maximum, falling to 0 at twice the maximum.
 */
export const PAIR_FEATURE_NAMES = [
  'requiredSkillCoverage',
  'preferredSkillCoverage',
  'skillJaccard',
  'textCosine',
  'bm25',
  'titleCoverage',
  'experienceFit',
  'seniorityFit',
  'locationFit',
  'salaryFit',
] as const;

export type PairFeatureName = (typeof PAIR_FEATURE_NAMES)[number];

export const PAIR_FEATURE_COUNT = PAIR_FEATURE_NAMES.length;

const UNKNOWN = 0.5;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const SENIORITY_LEVEL = { junior: 0, mid: 1, senior: 2, lead: 3 } as const;

/** Corpus statistics for one ranking: IDF over the documents ranked together, as the scorers use them. */
export interface PairContext {
  termIdf: ReadonlyMap<string, number>;
  skillIdf: ReadonlyMap<string, number>;
  averageTermCount: number;
}

function idf(documents: Iterable<Iterable<string>>): { table: Map<string, number>; count: number } {
  const frequency = new Map<string, number>();
  let count = 0;
  for (const keys of documents) {
    count += 1;
    for (const key of new Set(keys)) frequency.set(key, (frequency.get(key) ?? 0) + 1);
  }
  const table = new Map<string, number>();
  for (const [key, df] of frequency) table.set(key, Math.log(1 + (count + 1) / (df + 1)));
  return { table, count };
}

export function buildPairContext(documents: readonly Features[]): PairContext {
  const termCounts = documents.map((document) => document.termCount);
  return {
    termIdf: idf(documents.map((document) => Object.keys(document.terms))).table,
    skillIdf: idf(documents.map((document) => document.skills)).table,
    averageTermCount:
      termCounts.length === 0 ? 1 : Math.max(1, termCounts.reduce((a, b) => a + b, 0) / termCounts.length),
  };
}

function weightedShare(
  wanted: readonly string[],
  has: (key: string) => boolean,
  weights: ReadonlyMap<string, number>,
): number {
  let total = 0;
  let covered = 0;
  for (const key of wanted) {
    const weight = weights.get(key) ?? 1;
    total += weight;
    if (has(key)) covered += weight;
  }
  return total === 0 ? 0 : covered / total;
}

/** A document's TF-IDF vector, normalised to length 1; cached per ranking, as IDF differs between them. */
const vectorCache = new WeakMap<PairContext, WeakMap<Features, Map<string, number>>>();
function tfidf(features: Features, context: PairContext): Map<string, number> {
  let vectors = vectorCache.get(context);
  if (!vectors) {
    vectors = new WeakMap();
    vectorCache.set(context, vectors);
  }
  const cached = vectors.get(features);
  if (cached) return cached;
  const vector = new Map<string, number>();
  let norm = 0;
  for (const [term, count] of Object.entries(features.terms)) {
    const weight = (1 + Math.log(count)) * (context.termIdf.get(term) ?? 0);
    vector.set(term, weight);
    norm += weight * weight;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [term, weight] of vector) vector.set(term, weight / norm);
  vectors.set(features, vector);
  return vector;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, weight] of small) dot += weight * (large.get(term) ?? 0);
  return Math.min(1, dot);
}

/** Term counts come from JSON, so only own properties count ("constructor" is not a count). */
function countOf(terms: Record<string, number>, term: string): number {
  return Object.hasOwn(terms, term) ? (terms[term] ?? 0) : 0;
}

function bm25(job: Features, candidate: Features, context: PairContext): number {
  let score = 0;
  let bound = 0;
  const lengthNorm = BM25_K1 * (1 - BM25_B + (BM25_B * candidate.termCount) / context.averageTermCount);
  for (const term of Object.keys(job.terms)) {
    const weight = context.termIdf.get(term) ?? 0;
    bound += weight * (BM25_K1 + 1);
    const tf = countOf(candidate.terms, term);
    if (tf > 0) score += (weight * tf * (BM25_K1 + 1)) / (tf + lengthNorm);
  }
  return bound === 0 ? 0 : score / bound;
}

function experienceFit(required: number | null, has: number | null): number {
  if (required === null || has === null) return UNKNOWN;
  if (required <= 0) return 1;
  if (has >= required) return Math.max(0.8, 1 - (has - required) / 50);
  return Math.max(0, has / required);
}

function seniorityFit(job: Features['seniority'], candidate: Features['seniority']): number {
  if (job === null || candidate === null) return UNKNOWN;
  return 1 - Math.abs(SENIORITY_LEVEL[job] - SENIORITY_LEVEL[candidate]) / 3;
}

function locationFit(job: Features, candidate: Features): number {
  if (job.remote === true) return 1;
  if (job.location !== null && candidate.location !== null) {
    return job.location.includes(candidate.location) || candidate.location.includes(job.location) ? 1 : 0;
  }
  if (job.remote === false && candidate.remote === true) return 0.2;
  return UNKNOWN;
}

function salaryFit(job: Features['salary'], candidate: Features['salary']): number {
  if (job === null || candidate === null || job.max <= 0) return UNKNOWN;
  if (candidate.min <= job.max) return 1;
  return Math.max(0, 1 - (candidate.min - job.max) / job.max);
}

/** Writes the pair's features into `out` (length PAIR_FEATURE_COUNT), so hot loops allocate nothing. */
export function pairFeatures(
  job: Features,
  candidate: Features,
  context: PairContext,
  out: Float64Array,
): Float64Array {
  const candidateSkills = new Set(candidate.skills);
  const has = (skill: string): boolean => candidateSkills.has(skill);
  let shared = 0;
  for (const skill of job.skills) if (candidateSkills.has(skill)) shared += 1;
  const union = job.skills.length + candidate.skills.length - shared;
  out[0] = weightedShare(job.requiredSkills, has, context.skillIdf);
  out[1] = weightedShare(job.preferredSkills, has, context.skillIdf);
  out[2] = union === 0 ? 0 : shared / union;
  out[3] = cosine(tfidf(job, context), tfidf(candidate, context));
  out[4] = bm25(job, candidate, context);
  out[5] = weightedShare(job.titleTerms, (term) => countOf(candidate.terms, term) > 0, context.termIdf);
  out[6] = experienceFit(job.years, candidate.years);
  out[7] = seniorityFit(job.seniority, candidate.seniority);
  out[8] = locationFit(job, candidate);
  out[9] = salaryFit(job.salary, candidate.salary);
  return out;
}
