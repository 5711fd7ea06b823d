import { describe, expect, it } from 'vitest';

import type { Features } from '../../lib/matching/features.js';
import { rankLexically } from '../../lib/matching/lexical-scorer.js';
import { skillVocabulary } from '../../lib/matching/vocabulary.js';

function features(skills: string[], text: string, title = ''): Features {
  const terms: Record<string, number> = {};
  for (const word of text.split(/\s+/).filter(Boolean)) terms[word] = (terms[word] ?? 0) + 1;
  return { version: 1, skills, terms, titleTerms: title.split(/\s+/).filter(Boolean) };
}

const candidate = features(
  ['go', 'kubernetes', 'postgresql'],
  'backend engineer go kubernetes postgresql service api',
  'backend engineer',
);

describe('rankLexically', () => {
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

  it('orders by skill coverage and text similarity, best first, and honours topK', () => {
    const ranked = rankLexically('candidate', candidate, targets, 3);
    expect(ranked.map((result) => result.targetId)).toEqual(['backend', 'partial', 'nurse']);
    expect(rankLexically('candidate', candidate, targets, 1)).toHaveLength(1);
  });

  it('explains with matched and missing job skills and the factors, largest first', () => {
    const [, partial] = rankLexically('candidate', candidate, targets, 3);
    expect(partial?.explanation.matchedSkills).toEqual(['Go']);
    expect(partial?.explanation.missingSkills).toEqual(
      ['java', 'oracle', 'kafka'].map(skillVocabulary.nameOf),
    );
    const contributions = partial?.explanation.factors.map((factor) => factor.contribution) ?? [];
    expect([...contributions].sort((a, b) => b - a)).toEqual(contributions);
    expect(partial?.score).toBeCloseTo(
      contributions.reduce((sum, value) => sum + value, 0),
      4,
    );
  });

  it('uses the job as the side whose skills must be covered, in both directions', () => {
    const job = features(['go', 'kubernetes'], 'go kubernetes engineer', 'engineer');
    const people = [
      {
        id: 'full',
        externalId: 'full',
        features: features(['go', 'kubernetes', 'rust'], 'go kubernetes rust engineer'),
      },
      { id: 'half', externalId: 'half', features: features(['go'], 'go engineer') },
    ];
    const ranked = rankLexically('job', job, people, 2);
    expect(ranked.map((result) => result.targetId)).toEqual(['full', 'half']);
    expect(ranked[0]?.explanation.missingSkills).toEqual([]);
    expect(ranked[1]?.explanation.missingSkills).toEqual(['Kubernetes']);
  });

  it('returns nothing for an empty pool', () => {
    expect(rankLexically('candidate', candidate, [], 10)).toEqual([]);
  });
});
