import { CATEGORIES, CATEGORY_FEATURES, type Category } from './categories.js';
import {
  FEATURE_GROUPS,
  PAIR_FEATURE_COUNT,
  PAIR_FEATURE_NAMES,
  type AbsoluteFeatureName,
} from './pair-features.js';

/** A request's weights: how hard each category pulls, 0 (not at all) to 1 (twice the trained pull). */
export type CategoryWeights = Record<Category, number>;

/** The trained model's balance: every category pulls as the model learned. */
export const DEFAULT_WEIGHT = 0.5;

export const DEFAULT_WEIGHTS: Readonly<CategoryWeights> = Object.fromEntries(
  CATEGORIES.map((category) => [category, DEFAULT_WEIGHT]),
) as Record<Category, number>;

/** The request's weights with the defaults filled in, as answers echo them. */
export function effectiveWeights(weights: Partial<CategoryWeights> | null | undefined): CategoryWeights {
  return { ...DEFAULT_WEIGHTS, ...weights };
}

/** The pair-feature indexes each category holds: its absolute features and their pool-relative twins. */
const CATEGORY_INDEXES: Readonly<Record<Category, readonly number[]>> = Object.fromEntries(
  CATEGORIES.map((category) => [
    category,
    FEATURE_GROUPS.filter((group) => CATEGORY_FEATURES[category].includes(group.feature)).flatMap((group) =>
      group.twin === -1 ? [group.index] : [group.index, group.twin],
    ),
  ]),
) as Record<Category, number[]>;

/** What scoring needs of a scorer to weigh categories: its score, and the value a feature has when it says nothing. */
export interface WeighableScorer {
  score(features: Float64Array): number;
  neutral(index: number): number;
}

/**
 * The feature each category's fit is read from when a weight asks for more than the model's pull: 0 to 1,
 * 0.5 where a side does not say (so an unknown fact moves nothing).
 */
const FIT_FEATURE: Readonly<Record<Category, AbsoluteFeatureName>> = {
  skills: 'requiredSkillCoverage',
  occupation: 'occupationMatch',
  text: 'semanticText',
  experience: 'experienceFit',
  seniority: 'seniorityFit',
  location: 'locationFit',
  salary: 'salaryFit',
};

/** What a category's fit adds, per unit of fit above one half, at the highest weight (1). */
const FIT_PULL = 0.5;

/**
 * Applies a request's weights inside scoring, to every target of the pool before anything is ranked:
 * weights change scores, not the order of a finished list.
 *
 * A category's pull on one pair is the score less the score with the category's features at their neutral
 * values (the training means: what the model expects when it is told nothing). A weight w scales that pull
 * by w ÷ 0.5, so 0.5 leaves the model's score as it is and 0 takes the category out. Above 0.5 the
 * category also pulls by its own fit, (w ÷ 0.5 − 1) × FIT_PULL × (fit − 0.5): a model learns little of a
 * fact its training data seldom stated (locations, pay), and a client who raises its weight asks for it to
 * count whatever the model learned. A weighted score may leave [0, 1].
 */
export class CategoryWeighting {
  private readonly moved: { multiplier: number; indexes: readonly number[]; fit: number }[];
  private readonly probe = new Float64Array(PAIR_FEATURE_COUNT);

  private constructor(
    private readonly scorer: WeighableScorer,
    weights: CategoryWeights,
  ) {
    this.moved = CATEGORIES.filter((category) => weights[category] !== DEFAULT_WEIGHT).map((category) => ({
      multiplier: weights[category] / DEFAULT_WEIGHT,
      indexes: CATEGORY_INDEXES[category],
      fit: PAIR_FEATURE_NAMES.indexOf(FIT_FEATURE[category]),
    }));
  }

  /** Null when every weight is the default: the scorer's own score is the weighted one. */
  static of(
    scorer: WeighableScorer,
    weights: Partial<CategoryWeights> | null | undefined,
  ): CategoryWeighting | null {
    const weighting = new CategoryWeighting(scorer, effectiveWeights(weights));
    return weighting.moved.length === 0 ? null : weighting;
  }

  score(features: Float64Array): number {
    const base = this.scorer.score(features);
    let score = base;
    for (const { multiplier, indexes, fit } of this.moved) {
      this.probe.set(features);
      for (const index of indexes) this.probe[index] = this.scorer.neutral(index);
      score += (multiplier - 1) * (base - this.scorer.score(this.probe));
      if (multiplier > 1) score += (multiplier - 1) * FIT_PULL * ((features[fit] as number) - 0.5);
    }
    return score;
  }

  /** How much a weight scales what the feature at `index` does to the score. */
  multiplierOf(index: number): number {
    return this.moved.find((each) => each.indexes.includes(index))?.multiplier ?? 1;
  }
}
