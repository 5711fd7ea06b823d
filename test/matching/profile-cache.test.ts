import { describe, expect, it } from 'vitest';

import {
  COUNT_BITS,
  COUNT_ESCAPE,
  TermDictionary,
  type CompiledProfile,
} from '../../lib/matching/compiled-profile.js';
import type { Features } from '../../lib/matching/features.js';
import {
  ABSOLUTE_FEATURE_NAMES,
  PAIR_FEATURE_NAMES,
  PairRanking,
  pairFeaturesAmong,
} from '../../lib/matching/pair-features.js';
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
    place: null,
    remote: null,
    salary: null,
    occupations: [],
    semantic: null,
  };
}

const COSINE = PAIR_FEATURE_NAMES.indexOf('textCosine');

/** The terms of a compiled profile with their counts, read back from its packed words. */
function termCounts(dictionary: TermDictionary, profile: CompiledProfile): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let index = 0; index < profile.termsEnd; index += 1) {
    const word = profile.data[index] as number;
    let count = word & COUNT_ESCAPE;
    if (count === COUNT_ESCAPE) count = profile.data[++index] as number;
    counts[dictionary.termOf(word >>> COUNT_BITS)] = count;
  }
  return counts;
}

describe('TermDictionary', () => {
  it('numbers terms and skills once each and compiles counts alongside their ids', () => {
    const dictionary = new TermDictionary();
    const profile = dictionary.compile(features('go go kubernetes', ['go']));
    expect(dictionary.size).toBe(2);
    expect(termCounts(dictionary, profile)).toEqual({ go: 2, kubernetes: 1 });
    expect([...profile.skills()].map((id) => dictionary.termOf(id))).toEqual(['go']);
    expect(() => dictionary.termOf(99)).toThrow(RangeError);
  });

  it('keeps counts too large to share a word with their id exactly', () => {
    const dictionary = new TermDictionary();
    const large = { ...features('a'), terms: { a: 254, b: 255, c: 70_000, d: 1 } };
    const profile = dictionary.compile(large);
    expect(termCounts(dictionary, profile)).toEqual(large.terms);
    // Two of the four counts take a word of their own.
    expect(profile.termsEnd).toBe(6);
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
    const ranking = new PairRanking('candidate', subject, [target]).measureAll();
    expect(ranking.features(0)[COSINE]).toBeGreaterThan(0);
  });
});

describe('pair features over compiled profiles', () => {
  it('give the same absolute values whichever side of the pair is the subject', () => {
    const job = features('go kubernetes backend services api', ['go', 'kubernetes']);
    const person = features('go backend api engineer', ['go']);
    const other = features('nurse ward patient care', ['patient-care']);
    const asCandidateSubject = pairFeaturesAmong('candidate', person, [job, other]);
    const asJobSubject = pairFeaturesAmong('job', job, [person, other]);
    // The same three documents either way, so the same IDF and the same features, but for the one read
    // in the request's direction (and those read relative to the pool, which differs).
    const a = asCandidateSubject(job);
    const b = asJobSubject(person);
    for (const [index, name] of ABSOLUTE_FEATURE_NAMES.entries()) {
      if (name !== 'requestBm25Hub') expect(a[index]).toBeCloseTo(b[index] ?? -1, 12);
    }
    expect(a[COSINE]).toBeGreaterThan(0);
  });

  it('read a count too large to share its word with the id as the count it is', () => {
    const job = features('go go backend', ['go']);
    const repeated = { ...features('go backend'), terms: { go: 300, backend: 1 } };
    const scaled = { ...features('go backend'), terms: { go: 600, backend: 2 } };
    const featuresOf = pairFeaturesAmong('job', job, [repeated, scaled]);
    // Sublinear tf: 1 + ln 600 against 1 + ln 2 is not 1 + ln 300 against 1, so the cosines differ.
    expect(featuresOf(repeated)[COSINE]).not.toBe(featuresOf(scaled)[COSINE]);
    const weights = (go: number, backend: number): [number, number] => [
      1 + Math.log(go),
      1 + Math.log(backend),
    ];
    const cosineOf = ([a, b]: [number, number], [c, d]: [number, number]) =>
      (a * c + b * d) / Math.hypot(a, b) / Math.hypot(c, d);
    // Both terms are in every document, so IDF is the same for each and drops out of the cosine.
    expect(featuresOf(repeated)[COSINE]).toBeCloseTo(cosineOf(weights(2, 1), weights(300, 1)), 12);
    expect(featuresOf(scaled)[COSINE]).toBeCloseTo(cosineOf(weights(2, 1), weights(600, 2)), 12);
  });

  it('give every ranking over one dictionary the values a fresh dictionary gives, however they interleave', () => {
    const job = features('go kubernetes backend services api go docker', ['go', 'kubernetes', 'docker']);
    const people = [
      features('go backend api engineer docker', ['go', 'docker']),
      features('nurse ward patient care', ['patient-care']),
      features('kubernetes operator go services helm', ['kubernetes', 'helm']),
    ];
    const fresh = (kind: 'job' | 'candidate', subject: Features, targets: Features[]): Float64Array[] => {
      const dictionary = new TermDictionary();
      const ranking = new PairRanking(
        kind,
        dictionary.compile(subject),
        targets.map((target) => dictionary.compile(target)),
      ).measureAll();
      return targets.map((_, index) => ranking.features(index).slice());
    };
    const shared = new TermDictionary();
    const compiledJob = shared.compile(job);
    const compiledPeople = people.map((person) => shared.compile(person));
    // A first ranking leaves its term arrays to the next one; two more run side by side, one measuring a
    // target between the other's steps, as two matches of one worker do across their yields.
    new PairRanking('job', compiledJob, compiledPeople).measureAll();
    const right = new PairRanking('candidate', compiledPeople[2] as CompiledProfile, [compiledJob]);
    const left = new PairRanking('job', compiledJob, compiledPeople.slice(0, 2));
    left.measure(0);
    right.measure(0);
    left.measure(1);
    right.relate();
    right.release();
    left.relate();
    left.release();
    expect([left.features(0), left.features(1)]).toEqual(fresh('job', job, people.slice(0, 2)));
    expect([right.features(0)]).toEqual(fresh('candidate', people[2] as Features, [job]));
    expect(() => {
      left.measure(0);
    }).toThrow(/released/);
  });
});
