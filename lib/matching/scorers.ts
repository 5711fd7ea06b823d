import type { ProfileKind } from '../queues/registry.js';
import { categoryScores, summarize, type CategoryScores } from './categories.js';
import { TermDictionary, type CompiledProfile } from './compiled-profile.js';
import { CategoryWeighting, type CategoryWeights } from './weights.js';
import type { Features } from './features.js';
import { assertCompatible, CompiledNetwork, type NetworkModel } from './network.js';
import {
  FEATURE_GROUPS,
  PAIR_FEATURE_COUNT,
  PAIR_FEATURE_NAMES,
  occupationPair,
  PairRanking,
  type PairFeatureName,
} from './pair-features.js';
import { formatOccupation, occupationByCode } from './occupations.js';
import { semanticCosine } from './semantic.js';
import { skillVocabulary } from './vocabulary.js';

export interface ScoringTarget {
  id: string;
  externalId: string;
  profile: CompiledProfile;
}

/** How much one feature moved the score: positive raised it, negative lowered it. */
export interface Factor {
  feature: PairFeatureName;
  value: number;
  effect: number;
}

/** The job's occupation and the candidate's closest one, as "Title (O*NET-SOC code)". */
export interface OccupationMatch {
  job: string;
  candidate: string;
  relation: 'same occupation' | 'related occupation' | 'same occupation family' | 'different occupation';
}

export interface Explanation {
  matchedSkills: string[];
  /** Required skills of the job the candidate lacks. */
  missingSkills: string[];
  /** Nice-to-have skills of the job the candidate lacks. */
  missingPreferredSkills: string[];
  /** Null when either side's occupation is unknown. */
  occupation: OccupationMatch | null;
  /** Cosine of the two texts' sentence embeddings; null when either has none. */
  semanticSimilarity: number | null;
  /** The features that moved the score most, largest effect first; none whose effect is zero. */
  factors: Factor[];
}

/** A result's explanation as it is stored: with its category scores and summary (absent on older rows). */
export interface StoredExplanation extends Explanation {
  categoryScores?: CategoryScores;
  summary?: string;
}

export interface ScoredTarget {
  targetId: string;
  targetExternalId: string;
  score: number;
  categoryScores: CategoryScores;
  summary: string;
  explanation: Explanation;
}

/** Turns a pair's feature vector into a score in [0, 1] and says which features mattered. */
export interface Scorer {
  /** Stored with each completed request, so a result can be traced to the model that made it. */
  readonly name: string;
  score(features: Float64Array): number;
  effects(features: Float64Array, score: number): Factor[];
  /** The value feature `index` takes when it says nothing: what a request's weights measure a pull from. */
  neutral(index: number): number;
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

const LEXICAL_WEIGHTS: Partial<Record<PairFeatureName, number>> = {
  requiredSkillCoverage: 0.5,
  textCosine: 0.35,
  titleCoverage: 0.15,
};
const lexicalWeights = Float64Array.from(PAIR_FEATURE_NAMES, (name) => LEXICAL_WEIGHTS[name] ?? 0);

/**
 * The baseline the network must beat, and the fallback before any model exists: IDF-weighted coverage of
 * the job's required skills, TF-IDF text similarity and job-title coverage, with fixed weights.
 */
export const lexicalScorer: Scorer = {
  name: 'lexical-v2',
  neutral: () => 0,
  score(features) {
    let score = 0;
    for (let index = 0; index < PAIR_FEATURE_COUNT; index += 1)
      score += (lexicalWeights[index] as number) * (features[index] as number);
    return score;
  },
  effects(features) {
    return PAIR_FEATURE_NAMES.flatMap((feature, index) => {
      const weight = lexicalWeights[index] as number;
      return weight === 0
        ? []
        : [{ feature, value: features[index] as number, effect: weight * (features[index] as number) }];
    });
  },
};

/**
 * A trained brain.js network. Each factor is one absolute feature with its pool-relative twin: its effect is
 * the score change when both take their training means (moved alone, two readings of one signal would
 * split its effect between them, often with opposite signs). Which side asked is no factor of the pair.
 */
export function networkScorer(model: NetworkModel, featuresVersion: number): Scorer {
  assertCompatible(model, featuresVersion);
  const network = new CompiledNetwork(model.network, model.name);
  const probe = new Float64Array(PAIR_FEATURE_COUNT);
  const mean = (index: number): number => model.baseline[index] ?? 0.5;
  return {
    name: model.name,
    score: (features) => network.run(features),
    neutral: mean,
    effects(features, score) {
      return FEATURE_GROUPS.map(({ feature, index, twin }) => {
        probe.set(features);
        probe[index] = mean(index);
        if (twin !== -1) probe[twin] = mean(twin);
        return { feature, value: features[index] as number, effect: score - network.run(probe) };
      });
    },
  };
}

/** Factors an explanation lists at most: the rest moved the score less than these. */
const FACTORS_SHOWN = 8;

function occupationMatch(job: CompiledProfile, candidate: CompiledProfile): OccupationMatch | null {
  const pair = occupationPair(job, candidate);
  if (pair === null) return null;
  const name = (code: string): string => {
    const occupation = occupationByCode(code);
    return occupation ? formatOccupation(occupation) : code;
  };
  return {
    job: name(pair.job),
    candidate: name(pair.candidate),
    relation:
      pair.job === pair.candidate
        ? 'same occupation'
        : pair.relatedness > 0
          ? 'related occupation'
          : pair.sameFamily
            ? 'same occupation family'
            : 'different occupation',
  };
}

function explain(
  scorer: Scorer,
  weighting: CategoryWeighting | null,
  job: CompiledProfile,
  candidate: CompiledProfile,
  features: Float64Array,
): Explanation {
  const candidateSkills = new Set(candidate.skills());
  const names = (skills: Uint32Array, keep: (skill: number) => boolean): string[] =>
    [...skills].filter(keep).map((skill) => skillVocabulary.nameOf(job.dictionary.termOf(skill)));
  const semantic =
    job.semantic && candidate.semantic && job.semanticModel === candidate.semanticModel
      ? round(semanticCosine(job.semantic, candidate.semantic))
      : null;
  return {
    matchedSkills: names(job.skills(), (skill) => candidateSkills.has(skill)),
    missingSkills: names(job.requiredSkills(), (skill) => !candidateSkills.has(skill)),
    missingPreferredSkills: names(job.preferredSkills(), (skill) => !candidateSkills.has(skill)),
    occupation: occupationMatch(job, candidate),
    semanticSimilarity: semantic,
    factors: scorer
      .effects(features, scorer.score(features))
      .map((factor) => ({
        feature: factor.feature,
        value: round(factor.value),
        effect: round(
          factor.effect * (weighting?.multiplierOf(PAIR_FEATURE_NAMES.indexOf(factor.feature)) ?? 1),
        ),
      }))
      .filter((factor) => factor.effect !== 0)
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
      .slice(0, FACTORS_SHOWN),
  };
}

/** Pairs measured or scored between two yields: about a millisecond of work. */
const SLICE = 500;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface ScoredPool {
  ranking: PairRanking;
  weighting: CategoryWeighting | null;
  /** Best first. */
  scored: { index: number; target: ScoringTarget; score: number }[];
}

/** Every target's pair features and score (weighted by the request's weights), best first. */
async function scorePool(
  scorer: Scorer,
  subjectKind: ProfileKind,
  subject: CompiledProfile,
  targets: readonly ScoringTarget[],
  weights: Partial<CategoryWeights> | null,
): Promise<ScoredPool> {
  const weighting = CategoryWeighting.of(scorer, weights);
  const scoring = weighting ?? scorer;
  const ranking = new PairRanking(
    subjectKind,
    subject,
    targets.map((target) => target.profile),
  );
  // A long pool is measured and scored in slices, giving the event loop back in between: BullMQ renews
  // the job's lock from a timer, and a worker that never yields would have its job declared stalled.
  try {
    for (let index = 0; index < targets.length; index += 1) {
      if (index > 0 && index % SLICE === 0) await yieldToEventLoop();
      ranking.measure(index);
    }
  } finally {
    ranking.release();
  }
  ranking.relate();
  const scored: ScoredPool['scored'] = [];
  for (const [index, target] of targets.entries()) {
    if (index > 0 && index % SLICE === 0) await yieldToEventLoop();
    scored.push({ index, target, score: scoring.score(ranking.features(index)) });
  }
  scored.sort((a, b) => b.score - a.score || a.target.externalId.localeCompare(b.target.externalId));
  return { ranking, weighting, scored };
}

/**
 * Ranks targets for a subject (all compiled by one dictionary); see PairRanking for the features. The
 * targets are the pool the relative features are read against. Only the top K are explained.
 */
export async function rank(
  scorer: Scorer,
  subjectKind: ProfileKind,
  subject: CompiledProfile,
  targets: readonly ScoringTarget[],
  topK: number,
  weights: Partial<CategoryWeights> | null = null,
): Promise<ScoredTarget[]> {
  const { ranking, weighting, scored } = await scorePool(scorer, subjectKind, subject, targets, weights);
  return scored.slice(0, topK).map(({ index, target, score }) => {
    const [job, candidate] = subjectKind === 'job' ? [subject, target.profile] : [target.profile, subject];
    const features = ranking.features(index);
    return {
      targetId: target.id,
      targetExternalId: target.externalId,
      score: round(score),
      categoryScores: categoryScores(job, candidate, features),
      summary: summarize(job, candidate),
      explanation: explain(scorer, weighting, job, candidate, features),
    };
  });
}

/** rank() without the explanations (the model's factors), for bulk runs: the same order, scores and categories. */
export async function rankUnexplained(
  scorer: Scorer,
  subjectKind: ProfileKind,
  subject: CompiledProfile,
  targets: readonly ScoringTarget[],
  topK: number,
): Promise<Omit<ScoredTarget, 'explanation'>[]> {
  const { ranking, scored } = await scorePool(scorer, subjectKind, subject, targets, null);
  return scored.slice(0, topK).map(({ index, target, score }) => {
    const [job, candidate] = subjectKind === 'job' ? [subject, target.profile] : [target.profile, subject];
    return {
      targetId: target.id,
      targetExternalId: target.externalId,
      score: round(score),
      categoryScores: categoryScores(job, candidate, ranking.features(index)),
      summary: summarize(job, candidate),
    };
  });
}

/** rank() for callers holding plain Features (evaluation, tests): compiles them with a dictionary of their own. */
export async function rankFeatures(
  scorer: Scorer,
  subjectKind: ProfileKind,
  subject: Features,
  targets: readonly { id: string; externalId: string; features: Features }[],
  topK: number,
): Promise<ScoredTarget[]> {
  const dictionary = new TermDictionary();
  return rank(
    scorer,
    subjectKind,
    dictionary.compile(subject),
    targets.map(({ id, externalId, features }) => ({
      id,
      externalId,
      profile: dictionary.compile(features),
    })),
    topK,
  );
}
