import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { sharedAnalyzer } from '../../../lib/matching/nlp.js';
import {
  EVALUATION_DATE,
  loadEvaluationCorpus,
  type EvaluationCorpus,
} from '../../../lib/matching/training/corpus.js';
import { loadResumeCategories } from '../../../lib/matching/training/datasets.js';
import {
  CATEGORY_POSTINGS,
  CATEGORY_SIBLINGS,
  categoryGain,
  loadOccupationPostings,
  type OccupationPosting,
} from '../../../lib/matching/training/occupation-postings.js';

const dataDir = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

describe('O*NET postings for the resume categories', () => {
  let postings: OccupationPosting[];
  let categories: string[];
  beforeAll(async () => {
    postings = await loadOccupationPostings(dataDir);
    categories = [...new Set((await loadResumeCategories(dataDir)).map((row) => row.category))];
  });

  it('gives every one of the 25 categories 1 to 3 postings, and names no other category', () => {
    expect(categories).toHaveLength(25);
    for (const category of categories) {
      const count = postings.filter((posting) => posting.category === category).length;
      expect(count, category).toBeGreaterThanOrEqual(1);
      expect(count, category).toBeLessThanOrEqual(3);
    }
    expect(postings.every((posting) => categories.includes(posting.category))).toBe(true);
    expect(CATEGORY_SIBLINGS.flat().every((category) => categories.includes(category))).toBe(true);
  });

  it('reads like a posting: title line, description, responsibilities, requirements', () => {
    expect(postings).toHaveLength(CATEGORY_POSTINGS.length);
    expect(new Set(postings.map((posting) => posting.id)).size).toBe(postings.length);
    for (const posting of postings) {
      const lines = posting.text.split('\n');
      expect(lines[0]).toBe(posting.title);
      expect(posting.text).toContain('Responsibilities:');
      expect(posting.text).toContain('Requirements:');
    }
  });

  it('specialises a shared occupation by its title and technologies', () => {
    const java = postings.find((posting) => posting.title === 'Java Software Developer');
    const python = postings.find((posting) => posting.title === 'Python Software Developer');
    expect(java?.code).toBe('15-1252.00');
    expect(python?.code).toBe('15-1252.00');
    const requirements = (posting: OccupationPosting | undefined): string =>
      posting?.text.slice(posting.text.indexOf('Requirements:')) ?? '';
    expect(requirements(java)).toMatch(/Java/);
    expect(requirements(java)).not.toMatch(/Python/);
    expect(requirements(python)).toMatch(/Python/);
    expect(requirements(python)).not.toMatch(/Java\b/);
  });

  it('grades 2 for the same category, 1 for a sibling, 0 otherwise, symmetrically', () => {
    expect(categoryGain('Java Developer', 'Java Developer')).toBe(2);
    expect(categoryGain('Java Developer', 'Python Developer')).toBe(1);
    expect(categoryGain('Testing', 'Automation Testing')).toBe(1);
    expect(categoryGain('Java Developer', 'Advocate')).toBe(0);
    for (const a of categories)
      for (const b of categories) expect(categoryGain(a, b)).toBe(categoryGain(b, a));
  });
});

describe('evaluation corpus, candidate → jobs and job → candidates', () => {
  let corpus: EvaluationCorpus;
  beforeAll(async () => {
    corpus = await loadEvaluationCorpus(dataDir, sharedAnalyzer(), EVALUATION_DATE);
  }, 120_000);

  it('uses the resumes of the categories split, every posting as the shared target pool', () => {
    for (const part of ['train', 'dev', 'heldOut'] as const) {
      const resumeIds = corpus.categories[part].map(({ query }) => query.id).sort();
      expect(corpus.candidateJobs[part].map(({ query }) => query.id).sort()).toEqual(resumeIds);
      expect(
        corpus.candidateJobs[part].every(({ targets }) => targets.length === CATEGORY_POSTINGS.length),
      ).toBe(true);
      expect(corpus.jobCandidates[part]).toHaveLength(CATEGORY_POSTINGS.length);
      for (const { targets } of corpus.jobCandidates[part]) {
        expect(targets.map((target) => target.id).sort()).toEqual(resumeIds);
      }
    }
  });

  it('marks each query with its direction and grades targets in {0, 0.5, 1}', () => {
    const all = [
      ...Object.values(corpus.candidateJobs).flat(),
      ...Object.values(corpus.jobCandidates).flat(),
    ];
    expect(corpus.candidateJobs.dev.every(({ subjectKind }) => subjectKind === 'candidate')).toBe(true);
    expect(corpus.jobCandidates.dev.every(({ subjectKind }) => subjectKind === 'job')).toBe(true);
    expect(corpus.categories.dev.every(({ subjectKind }) => subjectKind === 'candidate')).toBe(true);
    expect(corpus.resumeJd.dev.subjectKind).toBe('candidate');
    const grades = new Set(all.flatMap(({ targets }) => targets.map((target) => target.relevance)));
    expect([...grades].sort()).toEqual([0, 0.5, 1]);
    // A posting is read as a job (with its title), a resume as a candidate.
    expect(corpus.jobCandidates.dev[0]?.query.title).toBe(CATEGORY_POSTINGS[0]?.title);
    expect(corpus.candidateJobs.dev[0]?.query.title).toBeUndefined();
  });
});
