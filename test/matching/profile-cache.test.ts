import { describe, expect, it } from 'vitest';

import { TermDictionary } from '../../lib/matching/compiled-profile.js';
import type { Features } from '../../lib/matching/features.js';
import { PairRanking, pairFeaturesAmong } from '../../lib/matching/pair-features.js';
import { ProfileCache } from '../../lib/matching/profile-cache.js';

function features(text: string, skills: string[] = []): Features {
  const terms: Record<string, number> = {};
  const words = text.split(/\s+/).filter(Boolean);
  for (const word of words) terms[word] = (terms[word] ?? 0) + 1;
  return {
    version: 3,
    skills,
    requiredSkills: skills,
    preferredSkills: [],
    terms,
    termCount: words.length,
    titleTerms: [],
    years: null,
    seniority: null,
    location: null,
    remote: null,
    salary: null,
  };
}

describe('TermDictionary', () => {
  it('numbers terms and skills once each and compiles counts alongside their ids', () => {
    const dictionary = new TermDictionary();
    const profile = dictionary.compile(features('go go kubernetes', ['go']));
    expect(dictionary.size).toBe(2);
    const counts = Object.fromEntries(
      [...profile.termIds].map((id, index) => [dictionary.termOf(id), profile.termCounts[index]]),
    );
    expect(counts).toEqual({ go: 2, kubernetes: 1 });
    expect([...profile.skills].map((id) => dictionary.termOf(id))).toEqual(['go']);
    expect(() => dictionary.termOf(99)).toThrow(RangeError);
  });

  it('refuses to rank profiles that two dictionaries numbered', () => {
    const subject = new TermDictionary().compile(features('go'));
    const target = new TermDictionary().compile(features('go'));
    expect(() => new PairRanking('candidate', subject, [target])).toThrow(/different dictionaries/);
  });
});

describe('ProfileCache', () => {
  it('returns a compiled profile only for the features revision it was compiled from', () => {
    const generation = new ProfileCache(10).current();
    const profile = generation.compile('job-1', 3, features('go engineer'));
    expect(generation.get('job-1', 3)).toBe(profile);
    expect(generation.get('job-1', 4)).toBeUndefined();
    expect(generation.get('job-2', 3)).toBeUndefined();
  });

  it('lets the least recently used profile go first when full', () => {
    const generation = new ProfileCache(2).current();
    generation.compile('a', 1, features('a'));
    generation.compile('b', 1, features('b'));
    generation.get('a', 1);
    generation.compile('c', 1, features('c'));
    expect(generation.get('b', 1)).toBeUndefined();
    expect(generation.get('a', 1)).toBeDefined();
    expect(generation.get('c', 1)).toBeDefined();
    expect(generation.size).toBe(2);
  });

  it('keeps nothing with a capacity of 0, and still compiles', () => {
    const generation = new ProfileCache(0).current();
    expect(generation.compile('a', 1, features('a')).termCount).toBe(1);
    expect(generation.get('a', 1)).toBeUndefined();
  });

  it('starts a new generation once the dictionary is full, leaving the old one usable by whoever holds it', () => {
    const cache = new ProfileCache(10, 3);
    const first = cache.current();
    const subject = first.dictionary.compile(features('go rust zig'));
    const target = first.compile('a', 1, features('go'));
    const second = cache.current();
    expect(second).not.toBe(first);
    expect(second.get('a', 1)).toBeUndefined();
    const ranking = new PairRanking('candidate', subject, [target]);
    expect(ranking.features(target, new Float64Array(10))[3]).toBeGreaterThan(0);
  });
});

describe('pair features over compiled profiles', () => {
  it('give the same values whichever side of the pair is the subject', () => {
    const job = features('go kubernetes backend services api', ['go', 'kubernetes']);
    const person = features('go backend api engineer', ['go']);
    const other = features('nurse ward patient care', ['patient-care']);
    const asCandidateSubject = pairFeaturesAmong('candidate', person, [job, other]);
    const asJobSubject = pairFeaturesAmong('job', job, [person, other]);
    // The same three documents either way, so the same IDF and the same features.
    const a = [...asCandidateSubject(job)];
    const b = [...asJobSubject(person)];
    for (const [index, value] of a.entries()) expect(value).toBeCloseTo(b[index] ?? -1, 12);
    expect(a[3]).toBeGreaterThan(0);
  });
});
