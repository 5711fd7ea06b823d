import { describe, expect, it } from 'vitest';

import { extractCandidateFeatures, extractJobFeatures } from '../../lib/matching/features.js';
import { neutraliseText } from '../../lib/matching/protected.js';

const resume = (pronoun: 'He' | 'She', gender: 'male' | 'female', born: number) => ({
  headline: 'Backend engineer',
  resumeText: `Personal details
Gender: ${gender}
Date of birth: 12.03.${born}
Marital status: married, two children
${pronoun} is a backend engineer born in ${born}, ${2026 - born} years old, with 7 years of experience in Go,
Kubernetes and PostgreSQL. ${pronoun} led the migration to Kubernetes and mentored ${pronoun === 'He' ? 'his' : 'her'} team.`,
  skills: ['Go'],
});

describe('protected attributes', () => {
  it('are taken out of a text, statements and words alike', () => {
    const neutral = neutraliseText(
      'Nationality: German\nAge: 41. She is a 41-year-old mother of two, speaks German, and manages a team.',
    );
    for (const gone of ['Nationality', 'Age', '41', 'She', 'mother']) expect(neutral).not.toContain(gone);
    for (const kept of ['speaks German', 'manages a team']) expect(neutral).toContain(kept);
  });

  it('leave no trace in a resume’s features: gender words and birth years swapped give the same features', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const his = extractCandidateFeatures(resume('He', 'male', 1985), undefined, now);
    const hers = extractCandidateFeatures(resume('She', 'female', 1991), undefined, now);
    expect(hers).toEqual(his);
    expect(his.skills).toEqual(expect.arrayContaining(['go', 'kubernetes', 'postgresql']));
    expect(his.years).toBe(7);
  });

  it('leave no trace in a posting’s features', () => {
    const posting = (who: string) => ({
      title: 'Warehouse Operative',
      description: `We are looking for ${who} candidates aged 25-35 for picking and packing with a forklift licence.`,
      skills: [],
    });
    expect(extractJobFeatures(posting('female'))).toEqual(extractJobFeatures(posting('male')));
    expect(extractJobFeatures(posting('male')).years).toBeNull();
  });
});
