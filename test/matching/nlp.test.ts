import { describe, expect, it } from 'vitest';

import {
  extractCandidateFeatures,
  extractJobFeatures,
  FEATURES_VERSION,
} from '../../lib/matching/features.js';
import {
  MAX_LINE_BREAKS,
  MAX_WORD_CHARS,
  maskNonSkillText,
  sharedAnalyzer,
  withinWinkLimits,
} from '../../lib/matching/nlp.js';
import { lexicalScorer, rankFeatures } from '../../lib/matching/scorers.js';
import { normaliseSkill } from '../../lib/matching/vocabulary.js';

const analyzer = sharedAnalyzer();

describe('skill extraction', () => {
  it.each([
    ['We deploy to k8s', 'kubernetes'],
    ['Experience with Kubernetes', 'kubernetes'],
    ['Node.js and nodejs services', 'nodejs'],
    ['C++ and C# on .NET', 'c-plus-plus'],
    ['C++ and C# on .NET', 'c-sharp'],
    ['C++ and C# on .NET', 'dotnet'],
    ['CI/CD pipelines', 'ci-cd'],
    ['Spring Boot microservices', 'spring-boot'],
    ['Golang backend', 'go'],
    ['POSTGRES and pg', 'postgresql'],
  ])('finds %j → %s', (text, skill) => {
    expect(analyzer.analyze(text).skills).toContain(skill);
  });

  it('does not read ordinary words as skills', () => {
    const skills = analyzer.analyze(
      'We go fast, excel at planning in spring, and express concerns early.',
    ).skills;
    expect(skills).not.toContain('go');
    expect(skills).not.toContain('microsoft-excel');
    expect(skills).not.toContain('spring');
    expect(skills).not.toContain('express');
  });

  it('trusts an ambiguous name in a declared skills list', () => {
    expect(normaliseSkill('Go')).toBe('go');
    expect(normaliseSkill('  K8S ')).toBe('kubernetes');
    expect(normaliseSkill('Underwater Basket Weaving')).toBe('underwater basket weaving');
  });

  it('keeps content-word lemmas only', () => {
    const { lemmas } = analyzer.analyze('The engineers were building 3 services, and the tests!');
    expect(lemmas).toEqual(expect.arrayContaining(['engineer', 'build', 'service', 'test']));
    expect(lemmas).not.toContain('the');
    expect(lemmas).not.toContain('3');
    expect(lemmas).not.toContain(',');
  });
});

describe('text that names no skill', () => {
  it.each([
    ['Portfolio: https://github.com/jdoe/react-redux-app', 'react'],
    ['See www.angular-blog.com/posts for more', 'angular'],
    ['Blog: jdoe.github.io', 'github'],
    ['Docs at (kubernetes.io), daily', 'kubernetes'],
    ['Contact: java.dev@oracle.com', 'java'],
    ['Mail python_guy@docker.com now', 'docker'],
    ['company - Oracle Financial Services', 'oracle-database'],
    ['Company: Salesforce India', 'salesforce'],
    ['  • Employer – Amazon Web Services', 'aws'],
    ['I worked at Oracle as a Python developer.', 'oracle-database'],
  ])('takes no skill from %j', (text, skill) => {
    expect(analyzer.analyze(text).skills).not.toContain(skill);
  });

  it('keeps the skills around a masked span, and skill names that look like domains', () => {
    const { skills } = analyzer.analyze(
      'I worked at Oracle as a Python developer (https://github.com/jdoe) with ASP.NET, asp.net and Node.js.',
    );
    expect(skills).toEqual(expect.arrayContaining(['python', 'dotnet', 'nodejs']));
    expect(analyzer.analyze('Company Details\ncompany - Infosys\nWorked on Java and Kafka').skills).toEqual(
      expect.arrayContaining(['java', 'kafka']),
    );
  });

  it('blanks with spaces of the same length, keeping line breaks', () => {
    const text = 'Mail: a.b@c.io\nCompany: Acme Corp\nSkills: Java';
    const masked = maskNonSkillText(text);
    expect(masked).toBe('Mail:         \nCompany:          \nSkills: Java');
    expect(masked).toHaveLength(text.length);
  });

  it('leaves ordinary words with dots alone', () => {
    for (const text of [
      'e.g. Java',
      'B.Tech in CS',
      'Node.js, Vue.js',
      'Sr.Developer',
      'worked for 3 years',
    ]) {
      expect(maskNonSkillText(text), text).toBe(text);
    }
  });

  it('runs in linear time on 1 MB pathological strings', () => {
    const M = 1_000_000;
    for (const text of [
      'a.'.repeat(M / 2),
      '@'.repeat(M),
      'a@'.repeat(M / 2),
      'a.b-c_d+'.repeat(M / 8) + '@x',
      'http://'.repeat(M / 7),
      '\t'.repeat(M) + 'x',
      'company '.repeat(M / 8),
      'worked at ' + 'Aa '.repeat(M / 3),
    ]) {
      expect(maskNonSkillText(text)).toHaveLength(text.length);
    }
  });
});

describe('text within what wink reads in linear time', () => {
  const NOW = new Date('2026-11-01T00:00:00Z');

  it('leaves ordinary text alone', () => {
    const word = 'x'.repeat(MAX_WORD_CHARS);
    for (const text of [
      'Senior Java developer.\n\n  Skills: Java, Kafka, k8s',
      `${word} ${word}`,
      `Java${' \n'.repeat(MAX_LINE_BREAKS)}Kafka`,
      '\n'.repeat(MAX_LINE_BREAKS),
    ]) {
      expect(withinWinkLimits(text)).toBe(text);
    }
  });

  it('cuts a long word into pieces, after punctuation where it can', () => {
    const cut = withinWinkLimits('a'.repeat(200_000)).split(' ');
    expect(cut.join('')).toBe('a'.repeat(200_000));
    expect(Math.max(...cut.map((piece) => piece.length))).toBe(MAX_WORD_CHARS);

    const glued = 'Java,Kubernetes,PostgreSQL,'.repeat(40);
    const pieces = withinWinkLimits(glued).split(' ');
    expect(pieces.join('')).toBe(glued);
    expect(pieces.every((piece) => piece.endsWith(',') || piece === pieces.at(-1))).toBe(true);
    expect(analyzer.analyze(glued).skills.sort()).toEqual(['java', 'kubernetes', 'postgresql']);
  });

  it('never cuts a character outside the basic plane in two', () => {
    const text = `${'a'.repeat(MAX_WORD_CHARS - 1)}${'😀'.repeat(MAX_WORD_CHARS)}`;
    const pieces = withinWinkLimits(text).split(' ');
    expect(pieces.join('')).toBe(text);
    // A lone half of a pair is not valid UTF-16, and encodes as U+FFFD.
    for (const piece of pieces) expect(Buffer.from(piece).toString()).toBe(piece);
  });

  it('keeps the first line breaks of a long run of white space', () => {
    const text = `Java${' \n'.repeat(10_000)} Kafka`;
    expect(withinWinkLimits(text)).toBe(`Java${' \n'.repeat(MAX_LINE_BREAKS)}Kafka`);
    expect(analyzer.analyze(text).skills.sort()).toEqual(['java', 'kafka']);
  });

  it('reads a resume that is one word of 200,000 characters, finding no skill', () => {
    for (const word of ['a'.repeat(200_000), 'javakafka'.repeat(22_222)]) {
      const features = extractCandidateFeatures(
        { headline: null, resumeText: word, skills: [] },
        analyzer,
        NOW,
      );
      expect(features.skills).toEqual([]);
      expect(Object.keys(features.terms).every((term) => term.length <= MAX_WORD_CHARS)).toBe(true);
    }
  });

  it('reads a description that repeats "no k8s" thousands of times: Kubernetes is negated', () => {
    const description = 'no k8s '.repeat(30_000);
    const features = extractJobFeatures({ title: 'Engineer', description, skills: [] }, analyzer);
    expect(features.skills).toEqual([]);
    const mixed = `${description}\nWe run Kubernetes.`;
    expect(
      extractJobFeatures({ title: 'Engineer', description: mixed, skills: [] }, analyzer).skills,
    ).toEqual(['kubernetes']);
  });

  it('reads long texts of many kinds', () => {
    const size = 200_000;
    const fill = (unit: string): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    for (const text of [
      fill('k8s '),
      fill('Java\n'),
      fill('python developer with kubernetes experience '),
      fill('https://github.com/jdoe/java jdoe.github.io java.dev@oracle.com '),
      fill('Company: Tata Consultancy Services\nworked at Oracle As A Python Developer\n'),
      fill('Разработчик Python 開発者 ✓ — résumé naïve 😀 '),
      fill('2016-2019 $100 5 years '),
      fill('!'),
      `3-5${' '.repeat(size)}years of experience`,
    ]) {
      const features = extractJobFeatures({ title: 'Engineer', description: text, skills: [] }, analyzer);
      expect(features.termCount).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('features', () => {
  it('merges declared and found skills for a job, with title terms', () => {
    const features = extractJobFeatures({
      title: 'Senior Go Developer',
      description: 'Kubernetes and Kafka.',
      skills: ['Go', 'pg'],
    });
    expect(features.version).toBe(FEATURES_VERSION);
    expect(features.skills).toEqual(['go', 'kafka', 'kubernetes', 'postgresql']);
    expect(features.titleTerms).toEqual(['developer']);
    expect(features.seniority).toBe('senior');
  });

  it('separates required from nice-to-have skills and drops negated ones', () => {
    const features = extractJobFeatures({
      title: 'Backend Engineer',
      description: [
        'Requirements:',
        'Five years of experience with Golang and PostgreSQL.',
        'No Java needed.',
        'Nice to have:',
        'Kubernetes is a plus.',
      ].join('\n'),
      skills: [],
    });
    expect(features.requiredSkills).toEqual(['go', 'postgresql']);
    expect(features.preferredSkills).toEqual(['kubernetes']);
    expect(features.skills).not.toContain('java');
    expect(features.years).toBe(5);
  });

  it('takes structured fields from the client over what the text says', () => {
    const features = extractJobFeatures({
      title: 'Junior Developer',
      description: 'Fully remote. 3+ years of experience.',
      skills: [],
      seniority: 'mid',
      minYearsExperience: 2,
      location: ' Berlin ',
      salaryMin: 50_000,
      salaryMax: 60_000,
    });
    expect(features).toMatchObject({
      seniority: 'mid',
      years: 2,
      location: 'berlin',
      remote: true,
      salary: { min: 50_000, max: 60_000 },
    });
  });

  it('sums a candidate’s years from date ranges when none are stated', () => {
    const features = extractCandidateFeatures(
      {
        headline: 'Nurse',
        resumeText: 'Experience\n2015 - 2018 Staff nurse, City Hospital\n2018 - 2021 ICU nurse',
        skills: [],
      },
      undefined,
      new Date('2026-11-01'),
    );
    expect(features.years).toBe(6);
  });

  it('counts terms across headline and resume for a candidate', () => {
    const features = extractCandidateFeatures({
      headline: 'Nurse',
      resumeText: 'Nurse in intensive care. Nurse educator.',
      skills: [],
    });
    expect(features.terms.nurse).toBe(3);
  });
  it('gives a text with the word "constructor" finite scores, also after a trip through JSON (the database)', async () => {
    const job = extractJobFeatures({
      title: 'Engineer',
      description: 'Write a constructor for every class.',
      skills: [],
    });
    const person = extractCandidateFeatures({
      headline: null,
      resumeText: 'I like a good constructor and clean classes.',
      skills: [],
    });
    const other = JSON.parse(
      JSON.stringify(extractCandidateFeatures({ headline: null, resumeText: 'Classes only.', skills: [] })),
    ) as typeof person;
    const ranked = await rankFeatures(
      lexicalScorer,
      'job',
      job,
      [
        { id: 'a', externalId: 'a', features: person },
        { id: 'b', externalId: 'b', features: other },
      ],
      2,
    );
    for (const result of ranked) expect(Number.isFinite(result.score)).toBe(true);
    expect(ranked[0]?.targetId).toBe('a');
  });

  it('reads pay per hour or month as a yearly figure', () => {
    const hourly = extractJobFeatures({ title: 'Contractor', description: 'Pay: $50/hour.', skills: [] });
    expect(hourly.salary).toEqual({ min: 104_000, max: 104_000 });
  });
});
