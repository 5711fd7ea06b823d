import type { ProfileKind } from '../queues/registry.js';
import type { Features } from './features.js';
import { assertCompatible, CompiledNetwork, type NetworkModel } from './network.js';
import {
  buildPairContext,
  PAIR_FEATURE_COUNT,
  PAIR_FEATURE_NAMES,
  pairFeatures,
  type PairFeatureName,
} from './pair-features.js';
import { skillVocabulary } from './vocabulary.js';

export interface ScoringTarget {
  id: string;
  externalId: string;
  features: Features;
}

/** How much one feature moved the score: positive raised it, negative lowered it. */
export interface Factor {
  feature: PairFeatureName;
  value: number;
  effect: number;
}

export interface Explanation {
  matchedSkills: string[];
  /** Required skills of the job the candidate lacks. */
  missingSkills: string[];
  /** Nice-to-have skills of the job the candidate lacks. */
  missingPreferredSkills: string[];
  /** The features that moved the score most, largest effect first. */
  factors: Factor[];
}

export interface ScoredTarget {
  targetId: string;
  targetExternalId: string;
  score: number;
  explanation: Explanation;
}

/** Turns a pair's feature vector into a score in [0, 1] and says which features mattered. */
export interface Scorer {
  /** Stored with each completed request, so a result can be traced to the model that made it. */
  readonly name: string;
  score(features: Float64Array): number;
  effects(features: Float64Array, score: number): Factor[];
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

/** A trained brain.js network; each factor's effect is the score change when that feature takes its training mean. */
export function networkScorer(model: NetworkModel, featuresVersion: number): Scorer {
  assertCompatible(model, featuresVersion);
  const network = new CompiledNetwork(model.network);
  const probe = new Float64Array(PAIR_FEATURE_COUNT);
  return {
    name: model.name,
    score: (features) => network.run(features),
    effects(features, score) {
      return PAIR_FEATURE_NAMES.map((feature, index) => {
        probe.set(features);
        probe[index] = model.baseline[index] ?? 0.5;
        return { feature, value: features[index] as number, effect: score - network.run(probe) };
      });
    },
  };
}

function explain(
  scorer: Scorer,
  job: Features,
  candidate: Features,
  features: Float64Array,
  score: number,
): Explanation {
  const candidateSkills = new Set(candidate.skills);
  const names = (skills: string[]): string[] => skills.map(skillVocabulary.nameOf);
  return {
    matchedSkills: names(job.skills.filter((skill) => candidateSkills.has(skill))),
    missingSkills: names(job.requiredSkills.filter((skill) => !candidateSkills.has(skill))),
    missingPreferredSkills: names(job.preferredSkills.filter((skill) => !candidateSkills.has(skill))),
    factors: scorer
      .effects(features, score)
      .map((factor) => ({
        feature: factor.feature,
        value: round(factor.value),
        effect: round(factor.effect),
      }))
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect)),
  };
}

/** Pairs scored between two yields: about a millisecond of work. */
const SLICE = 500;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Ranks targets for a subject. IDF is taken over the subject and the targets ranked together, so no
 * corpus-wide statistics are needed. Only the top K are explained.
 */
export async function rank(
  scorer: Scorer,
  subjectKind: ProfileKind,
  subject: Features,
  targets: readonly ScoringTarget[],
  topK: number,
): Promise<ScoredTarget[]> {
  const context = buildPairContext([subject, ...targets.map((target) => target.features)]);
  const buffer = new Float64Array(PAIR_FEATURE_COUNT);
  const sides = (target: ScoringTarget): [Features, Features] =>
    subjectKind === 'job' ? [subject, target.features] : [target.features, subject];
  const scored: { target: ScoringTarget; score: number }[] = [];
  for (const [index, target] of targets.entries()) {
    // A long pool is scored in slices, giving the event loop back in between: BullMQ renews the job's
    // lock from a timer, and a worker that never yields would have its job declared stalled.
    if (index > 0 && index % SLICE === 0) await yieldToEventLoop();
    const [job, candidate] = sides(target);
    scored.push({ target, score: scorer.score(pairFeatures(job, candidate, context, buffer)) });
  }
  scored.sort((a, b) => b.score - a.score || a.target.externalId.localeCompare(b.target.externalId));
  return scored.slice(0, topK).map(({ target, score }) => {
    const [job, candidate] = sides(target);
    const features = pairFeatures(job, candidate, context, new Float64Array(PAIR_FEATURE_COUNT));
    return {
      targetId: target.id,
      targetExternalId: target.externalId,
      score: round(score),
      explanation: explain(scorer, job, candidate, features, score),
    };
  });
}
