import { NeuralNetwork } from 'brain.js';
import { describe, expect, it } from 'vitest';

import type { Features } from '../../lib/matching/features.js';
import {
  CompiledNetwork,
  IncompatibleModelError,
  type BrainLayers,
  type NetworkModel,
} from '../../lib/matching/network.js';
import {
  ABSOLUTE_FEATURE_NAMES,
  PAIR_FEATURE_COUNT,
  PAIR_FEATURE_NAMES,
  pairFeaturesAmong,
} from '../../lib/matching/pair-features.js';
import { lexicalScorer, networkScorer, rankFeatures } from '../../lib/matching/scorers.js';
import { SemanticVector } from '../../lib/matching/semantic.js';
import { mulberry32 } from '../../lib/matching/training/split.js';
import { skillVocabulary } from '../../lib/matching/vocabulary.js';

function features(skills: string[], text: string, title = '', extra: Partial<Features> = {}): Features {
  const terms: Record<string, number> = {};
  const words = text.split(/\s+/).filter(Boolean);
  for (const word of words) terms[word] = (terms[word] ?? 0) + 1;
  return {
    version: 2,
    skills,
    requiredSkills: skills,
    preferredSkills: [],
    terms,
    termCount: words.length,
    titleTerms: title.split(/\s+/).filter(Boolean),
    years: null,
    seniority: null,
    location: null,
    place: null,
    remote: null,
    salary: null,
    occupations: [],
    semantic: null,
    ...extra,
  };
}

const candidate = features(
  ['go', 'kubernetes', 'postgresql'],
  'backend engineer go kubernetes postgresql service api',
  'backend engineer',
);

describe('lexical scorer', () => {
  const targets = [
    {
      id: 'nurse',
      externalId: 'nurse',
      features: features(['patient-care'], 'nurse patient care ward shift', 'nurse'),
    },
    {
      id: 'backend',
      externalId: 'backend',
      features: features(['go', 'kubernetes'], 'backend engineer go kubernetes service', 'backend engineer'),
    },
    {
      id: 'partial',
      externalId: 'partial',
      features: features(['go', 'java', 'oracle', 'kafka'], 'engineer java oracle kafka go', 'java engineer'),
    },
  ];

  it('orders by skill coverage and text similarity, best first, and honours topK', async () => {
    expect(
      (await rankFeatures(lexicalScorer, 'candidate', candidate, targets, 3)).map(
        (result) => result.targetId,
      ),
    ).toEqual(['backend', 'partial', 'nurse']);
    expect(await rankFeatures(lexicalScorer, 'candidate', candidate, targets, 1)).toHaveLength(1);
  });

  it('explains with matched and missing job skills and effects that add up to the score', async () => {
    const [, partial] = await rankFeatures(lexicalScorer, 'candidate', candidate, targets, 3);
    expect(partial?.explanation.matchedSkills).toEqual(['Go']);
    expect(partial?.explanation.missingSkills).toEqual(
      ['java', 'oracle', 'kafka'].map(skillVocabulary.nameOf),
    );
    const effects = partial?.explanation.factors.map((factor) => Math.abs(factor.effect)) ?? [];
    expect([...effects].sort((a, b) => b - a)).toEqual(effects);
    expect(partial?.score).toBeCloseTo(
      partial?.explanation.factors.reduce((sum, factor) => sum + factor.effect, 0) ?? -1,
      4,
    );
  });

  it('treats the job as the side whose skills must be covered, in both directions', async () => {
    const job = features(['go', 'kubernetes'], 'go kubernetes engineer', 'engineer', {
      preferredSkills: ['rust'],
      skills: ['go', 'kubernetes', 'rust'],
    });
    const people = [
      {
        id: 'full',
        externalId: 'full',
        features: features(['go', 'kubernetes', 'rust'], 'go kubernetes rust engineer'),
      },
      { id: 'half', externalId: 'half', features: features(['go'], 'go engineer') },
    ];
    const ranked = await rankFeatures(lexicalScorer, 'job', job, people, 2);
    expect(ranked.map((result) => result.targetId)).toEqual(['full', 'half']);
    expect(ranked[0]?.explanation.missingSkills).toEqual([]);
    expect(ranked[1]?.explanation.missingSkills).toEqual(['Kubernetes']);
    expect(ranked[1]?.explanation.missingPreferredSkills).toEqual(['Rust']);
  });

  it('returns nothing for an empty pool', async () => {
    expect(await rankFeatures(lexicalScorer, 'candidate', candidate, [], 10)).toEqual([]);
  });
});

describe('pair features', () => {
  it('are all in [0, 1], with 0.5 where a side does not say', () => {
    const job = features(['go'], 'go engineer', 'engineer');
    const values = pairFeaturesAmong('job', job, [candidate])(candidate);
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    const byName = Object.fromEntries(PAIR_FEATURE_NAMES.map((name, index) => [name, values[index]]));
    expect(byName).toMatchObject({
      requiredSkillCoverage: 1,
      experienceFit: 0.5,
      seniorityFit: 0.5,
      salaryFit: 0.5,
    });
  });

  it('score experience, seniority, location and salary when both sides say', () => {
    const job = features([], 'x', '', {
      years: 5,
      seniority: 'senior',
      location: 'berlin',
      remote: false,
      salary: { min: 60_000, max: 80_000 },
    });
    const junior = features([], 'x', '', {
      years: 1,
      seniority: 'junior',
      location: 'paris',
      salary: { min: 160_000, max: 160_000 },
    });
    const senior = features([], 'x', '', {
      years: 6,
      seniority: 'senior',
      location: 'berlin',
      salary: { min: 70_000, max: 70_000 },
    });
    const featuresOf = pairFeaturesAmong('job', job, [junior, senior]);
    const get = (person: Features) =>
      Object.fromEntries(PAIR_FEATURE_NAMES.map((name, index) => [name, featuresOf(person)[index]]));
    expect(get(senior)).toMatchObject({
      experienceFit: expect.closeTo(0.98, 2) as unknown,
      seniorityFit: 1,
      locationFit: 1,
      salaryFit: 1,
    });
    expect(get(junior)).toMatchObject({
      experienceFit: 0.2,
      seniorityFit: expect.closeTo(1 / 3, 5) as unknown,
      locationFit: 0,
      salaryFit: 0,
    });
  });
});

describe('pair features read in the request’s direction and relative to its pool', () => {
  const byName = (values: Float64Array): Record<string, number> =>
    Object.fromEntries(PAIR_FEATURE_NAMES.map((name, index) => [name, values[index] ?? Number.NaN]));

  it('do not let a posting of soft skills alone cover a candidate of a trade', () => {
    const person = features(['java', 'communication'], 'java developer communication');
    const soft = features(['communication', 'teamwork'], 'communication teamwork people');
    const java = features(['java', 'spring-boot'], 'java developer spring');
    const featuresOf = pairFeaturesAmong('candidate', person, [soft, java]);
    // The soft posting's one required skill the candidate has counts for little of what the candidate is.
    expect(byName(featuresOf(soft)).candidateSkillCoverage).toBeLessThan(0.3);
    expect(byName(featuresOf(java)).candidateSkillCoverage).toBeGreaterThan(0.7);
    expect(byName(featuresOf(java)).candidateSkillCoverageInPool).toBeGreaterThan(0.5);
    expect(byName(featuresOf(soft)).candidateSkillCoverageInPool).toBeLessThan(0.5);
  });

  it('read BM25 against the target’s own ceiling, so a catch-all target that every query reaches scores low', () => {
    const person = features([], 'selenium testing automation regression engineer');
    const catchAll = features(
      [],
      'selenium java python sql sales nursing accounting marketing design welding driving teaching engineer',
    );
    const testing = features([], 'selenium automation testing regression engineer');
    const featuresOf = pairFeaturesAmong('candidate', person, [catchAll, testing]);
    const hub = (job: Features): number => byName(featuresOf(job)).requestBm25Hub ?? Number.NaN;
    expect(hub(testing)).toBeGreaterThan(hub(catchAll));
    for (const job of [catchAll, testing]) {
      expect(hub(job)).toBeGreaterThan(0);
      expect(hub(job)).toBeLessThanOrEqual(1);
    }
  });

  it('put a pool of one at the middle and know which side asked', () => {
    const job = features(['go'], 'go engineer', 'engineer');
    const asJob = byName(pairFeaturesAmong('job', job, [candidate])(candidate));
    expect(asJob.textCosineInPool).toBe(0.5);
    expect(asJob.subjectIsJob).toBe(1);
    expect(byName(pairFeaturesAmong('candidate', candidate, [job])(job)).subjectIsJob).toBe(0);
  });

  it('compare sentence embeddings of one model only, and occupations by their relatedness', () => {
    const vector = (values: number[]) => SemanticVector.encode(Float32Array.from(values));
    const semantic = (model: string, text: number[]) => ({ model, text: vector(text) });
    const job = features([], 'x', '', {
      occupations: ['15-1253.00'],
      semantic: semantic('m@64', [1, 0, 0]),
    });
    const tester = features([], 'x', '', {
      occupations: ['15-1253.00'],
      semantic: semantic('m@64', [1, 1, 0]),
    });
    const nurse = features([], 'x', '', {
      occupations: ['29-1141.00'],
      semantic: semantic('other@64', [1, 0, 0]),
    });
    const featuresOf = pairFeaturesAmong('job', job, [tester, nurse]);
    expect(byName(featuresOf(tester))).toMatchObject({
      semanticText: expect.closeTo(Math.SQRT1_2, 2) as unknown,
      occupationMatch: 1,
      occupationFamily: 1,
    });
    expect(byName(featuresOf(nurse))).toMatchObject({
      semanticText: 0.5,
      occupationMatch: 0,
      occupationFamily: 0,
    });
  });
});

describe('explanations', () => {
  it('name both occupations and the semantic similarity, and list no factor without effect', async () => {
    const job = features(['selenium'], 'selenium testing automation', 'qa automation engineer', {
      occupations: ['15-1253.00'],
      semantic: { model: 'm', text: SemanticVector.encode(Float32Array.from([1, 0])) },
    });
    const person = features(['selenium'], 'selenium automation testing', '', {
      occupations: ['15-1253.00'],
      semantic: { model: 'm', text: SemanticVector.encode(Float32Array.from([1, 0])) },
    });
    const [result] = await rankFeatures(
      lexicalScorer,
      'job',
      job,
      [{ id: 'p', externalId: 'p', features: person }],
      1,
    );
    expect(result?.explanation.occupation).toEqual({
      job: 'Software Quality Assurance Analysts and Testers (15-1253.00)',
      candidate: 'Software Quality Assurance Analysts and Testers (15-1253.00)',
      relation: 'same occupation',
    });
    expect(result?.explanation.semanticSimilarity).toBeCloseTo(1, 5);
    for (const factor of result?.explanation.factors ?? []) expect(factor.effect).not.toBe(0);
  });

  it('say nothing of occupations when a side has none', async () => {
    const [result] = await rankFeatures(
      lexicalScorer,
      'candidate',
      candidate,
      [{ id: 'j', externalId: 'j', features: features(['go'], 'go') }],
      1,
    );
    expect(result?.explanation.occupation).toBeNull();
    expect(result?.explanation.semanticSimilarity).toBeNull();
  });
});

describe('network scorer', () => {
  function trainTiny(): BrainLayers {
    const network = new NeuralNetwork({ hiddenLayers: [4], activation: 'sigmoid' });
    const random = mulberry32(1);
    const data = Array.from({ length: 50 }, () => {
      const input = Array.from({ length: PAIR_FEATURE_COUNT }, () => random());
      return { input, output: [input[0] ?? 0] };
    });
    network.train(data, { iterations: 200 });
    return network.toJSON();
  }

  it('computes exactly what brain.js run() computes', () => {
    const layers = trainTiny();
    const reference = new NeuralNetwork().fromJSON(layers as never);
    const compiled = new CompiledNetwork(layers);
    const random = mulberry32(2);
    for (let trial = 0; trial < 100; trial += 1) {
      const input = Float64Array.from({ length: PAIR_FEATURE_COUNT }, () => random());
      expect(compiled.run(input)).toBeCloseTo(
        (reference.run([...input]) as number[] | Float32Array)[0] ?? Number.NaN,
        5,
      );
    }
  });

  it('explains with signed effects against the training baseline', () => {
    const model: NetworkModel = {
      name: 'tiny',
      featuresVersion: 2,
      featureNames: [...PAIR_FEATURE_NAMES],
      network: trainTiny(),
      baseline: PAIR_FEATURE_NAMES.map(() => 0.5),
    };
    const scorer = networkScorer(model, 2);
    const input = Float64Array.from(PAIR_FEATURE_NAMES, (_, index) => (index === 0 ? 1 : 0.5));
    const effects = scorer.effects(input, scorer.score(input));
    expect(effects.find((factor) => factor.feature === 'requiredSkillCoverage')?.effect).toBeGreaterThan(0);
    // One factor per signal: a pool-relative reading moves with its absolute twin, and which side asked is
    // not a property of the pair.
    expect(effects.map((factor) => factor.feature)).toEqual([...ABSOLUTE_FEATURE_NAMES]);
  });

  it('refuses a model whose weights are not finite numbers, before any of it is compiled', () => {
    const layers = trainTiny();
    const hidden = layers.layers[1];
    if (!hidden?.weights[0]) throw new Error('no hidden layer');
    (hidden.weights[0] as unknown[])[0] = 'process.exit(1)';
    expect(() => new CompiledNetwork(layers, 'tampered')).toThrow(IncompatibleModelError);
    (hidden.weights[0] as unknown[])[0] = Number.NaN;
    expect(() => new CompiledNetwork(layers, 'tampered')).toThrow(/not a finite number/);
  });

  it('refuses a model trained on other features', () => {
    const model: NetworkModel = {
      name: 'old',
      featuresVersion: 1,
      featureNames: ['a'],
      network: { sizes: [1, 1], layers: [] },
      baseline: [],
    };
    expect(() => networkScorer(model, 2)).toThrow(IncompatibleModelError);
  });
});
