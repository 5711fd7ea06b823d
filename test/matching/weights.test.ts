import { describe, expect, it } from 'vitest';

import { PAIR_FEATURE_COUNT, PAIR_FEATURE_NAMES } from '../../lib/matching/pair-features.js';
import { lexicalScorer } from '../../lib/matching/scorers.js';
import { CategoryWeighting, effectiveWeights } from '../../lib/matching/weights.js';

function pair(values: Partial<Record<(typeof PAIR_FEATURE_NAMES)[number], number>>): Float64Array {
  const features = new Float64Array(PAIR_FEATURE_COUNT);
  for (const [name, value] of Object.entries(values))
    features[PAIR_FEATURE_NAMES.indexOf(name as (typeof PAIR_FEATURE_NAMES)[number])] = value;
  return features;
}

// The lexical scorer: 0.5 × required skill coverage + 0.35 × text cosine + 0.15 × title coverage.
const features = pair({ requiredSkillCoverage: 0.8, textCosine: 0.4, titleCoverage: 1, locationFit: 1 });

describe('category weights', () => {
  it('leave the scorer alone at the defaults', () => {
    expect(CategoryWeighting.of(lexicalScorer, undefined)).toBeNull();
    expect(CategoryWeighting.of(lexicalScorer, { location: 0.5, skills: 0.5 })).toBeNull();
    expect(effectiveWeights({ location: 1 })).toMatchObject({ location: 1, skills: 0.5, salary: 0.5 });
  });

  it('take a category out at 0 and scale its pull in between', () => {
    const base = lexicalScorer.score(features);
    expect(CategoryWeighting.of(lexicalScorer, { skills: 0 })?.score(features)).toBeCloseTo(base - 0.4, 12);
    expect(CategoryWeighting.of(lexicalScorer, { skills: 0.25 })?.score(features)).toBeCloseTo(
      base - 0.2,
      12,
    );
  });

  it('add the category’s own fit above the default, so a fact the model ignores counts when asked', () => {
    const base = lexicalScorer.score(features);
    // The lexical scorer gives location no pull; at weight 1 it adds FIT_PULL × (fit − 0.5).
    expect(CategoryWeighting.of(lexicalScorer, { location: 1 })?.score(features)).toBeCloseTo(
      base + 0.25,
      12,
    );
    const far = pair({ requiredSkillCoverage: 0.8, textCosine: 0.4, titleCoverage: 1, locationFit: 0 });
    expect(CategoryWeighting.of(lexicalScorer, { location: 1 })?.score(far)).toBeCloseTo(base - 0.25, 12);
    const unknown = pair({ requiredSkillCoverage: 0.8, textCosine: 0.4, titleCoverage: 1, locationFit: 0.5 });
    expect(CategoryWeighting.of(lexicalScorer, { location: 1 })?.score(unknown)).toBeCloseTo(base, 12);
    // Skills at 1: the pull doubles (+0.4) and the fit adds 0.5 × (0.8 − 0.5).
    expect(CategoryWeighting.of(lexicalScorer, { skills: 1 })?.score(features)).toBeCloseTo(
      base + 0.4 + 0.15,
      12,
    );
  });
});
