import { describe, expect, it } from 'vitest';

import { lexicalScorer } from '../../../lib/matching/scorers.js';
import { extractCandidateFeatures, extractJobFeatures } from '../../../lib/matching/features.js';
import type { Doc, EvaluationCorpus, RankingQuery } from '../../../lib/matching/training/corpus.js';
import {
  annotatorAgreement,
  beats,
  evaluate,
  idealConcentration,
  plainBm25Ranker,
  retrievalRecall,
  scorerRanker,
  type Ranker,
} from '../../../lib/matching/training/evaluate.js';

function job(id: string, text: string): Doc {
  return { id, title: id, text, features: extractJobFeatures({ title: id, description: text, skills: [] }) };
}

function candidate(id: string, text: string): Doc {
  return {
    id,
    text,
    features: extractCandidateFeatures({ headline: null, resumeText: text, skills: [] }),
  };
}

const postings = [
  job('java', 'Java developer: Spring, Hibernate, Maven'),
  job('python', 'Python developer: Django, pandas'),
  job('lawyer', 'Lawyer: litigation, contracts, court'),
];

/** Two resumes; graded as the categories set grades them (1 same category, 0.5 sibling). */
function corpus(): EvaluationCorpus {
  const resumes = [
    candidate('r-java', 'Java Spring Hibernate developer'),
    candidate('r-law', 'Advocate, court litigation'),
  ];
  const candidateJobs: RankingQuery[] = [
    {
      query: resumes[0] as Doc,
      subjectKind: 'candidate',
      targets: postings.map((posting) => ({
        ...posting,
        relevance: { java: 1, python: 0.5, lawyer: 0 }[posting.id] ?? 0,
      })),
    },
    {
      query: resumes[1] as Doc,
      subjectKind: 'candidate',
      targets: postings.map((posting) => ({ ...posting, relevance: posting.id === 'lawyer' ? 1 : 0 })),
    },
  ];
  // The python posting finds only a sibling (the Java resume) among these resumes.
  const grades: Record<string, Record<string, number>> = {
    java: { 'r-java': 1, 'r-law': 0 },
    python: { 'r-java': 0.5, 'r-law': 0 },
    lawyer: { 'r-java': 0, 'r-law': 1 },
  };
  const jobCandidates: RankingQuery[] = postings.map((posting) => ({
    query: posting,
    subjectKind: 'job',
    targets: resumes.map((resume) => ({ ...resume, relevance: grades[posting.id]?.[resume.id] ?? 0 })),
  }));
  const empty = { train: [], dev: [], heldOut: [] };
  const resumeJd = { query: resumes[0] as Doc, subjectKind: 'candidate' as const, targets: [] };
  return {
    resumeJd: { train: resumeJd, dev: resumeJd, heldOut: resumeJd },
    vacancies: empty,
    categories: empty,
    candidateJobs: { ...empty, heldOut: candidateJobs },
    jobCandidates: { ...empty, heldOut: jobCandidates },
  };
}

describe('evaluate', () => {
  it('scores a perfect ranker 1 on candidate → jobs', async () => {
    const data = corpus();
    const perfect: Ranker = (query, targets) => {
      const judged = data.candidateJobs.heldOut.find((q) => q.query.id === query.id)?.targets ?? [];
      const relevance = new Map(judged.map((target) => [target.id, target.relevance]));
      return Promise.resolve(
        [...targets].sort((a, b) => (relevance.get(b.id) ?? 0) - (relevance.get(a.id) ?? 0)).map((t) => t.id),
      );
    };
    const report = await evaluate(perfect, data);
    expect(report.candidateJobs).toMatchObject({ top1: 1, ndcgAt5: 1, mrr: 1, queries: 2, postings: 3 });
    // Two queries, two different first postings, 3 targets each: the share 1/2 over the fair 1/3.
    expect(report.candidateJobs.concentration).toBeCloseTo(1.5, 12);
  });

  it('tells each query its direction and skips job queries with nothing of their category', async () => {
    const seen: string[] = [];
    const recording: Ranker = (query, targets, subjectKind) => {
      seen.push(`${subjectKind}:${query.id}`);
      return Promise.resolve(targets.map((target) => target.id));
    };
    const report = await evaluate(recording, corpus());
    expect(seen).toContain('candidate:r-java');
    expect(seen).toContain('job:lawyer');
    // The python posting has only a sibling (0.5) among the resumes: it has nothing to find.
    expect(seen).not.toContain('job:python');
    expect(report.jobCandidates.queries).toBe(2);
  });

  it('runs the scorer and plain BM25 rankers in both directions', async () => {
    for (const ranker of [scorerRanker(lexicalScorer), plainBm25Ranker]) {
      const report = await evaluate(ranker, corpus());
      expect(report.candidateJobs.top1).toBe(1);
      expect(report.jobCandidates.ndcgAt10).toBe(1);
    }
  });

  it('decides between two reports on overall', async () => {
    const report = await evaluate(plainBm25Ranker, corpus());
    const better = { ...report, overall: 0.6 };
    const worse = { ...report, overall: 0.5 };
    expect(beats(better, worse)).toBe(true);
    expect(beats(worse, better)).toBe(false);
    expect(beats(better, better)).toBe(false);
  });
});

describe('retrievalRecall', () => {
  it('counts the relevant targets the pool lets in', async () => {
    const queries = corpus().candidateJobs.heldOut;
    const result = await retrievalRecall(queries, ({ query }) =>
      Promise.resolve(query.id === 'r-java' ? ['java', 'lawyer'] : []),
    );
    // r-java: java and python relevant, java retrieved; r-law: lawyer relevant, not retrieved.
    expect(result).toEqual({ recall: 1 / 3, relevant: 3, retrieved: 1 });
  });
});

describe('idealConcentration', () => {
  it('spreads the queries over their best targets as evenly as they allow', () => {
    const target = (id: string, relevance: number): Doc & { relevance: number } =>
      ({
        ...postings[0],
        id,
        relevance,
      }) as Doc & { relevance: number };
    const query = (best: string[]): RankingQuery => ({
      query: postings[0] as Doc,
      subjectKind: 'candidate',
      targets: ['a', 'b', 'c', 'd'].map((id) => target(id, best.includes(id) ? 1 : 0)),
    });
    // Three queries share a and b: one of them is first twice (2/3 of 4 targets, 8/3); a fourth has c.
    expect(idealConcentration([query(['a', 'b']), query(['a', 'b']), query(['a', 'b'])])).toBeCloseTo(
      8 / 3,
      12,
    );
    expect(
      idealConcentration([query(['a', 'b']), query(['a', 'b']), query(['c']), query(['d'])]),
    ).toBeCloseTo(1, 12);
  });
});

describe('annotatorAgreement', () => {
  const vacancies = postings;
  const cv = candidate('cv', 'Java Spring developer');
  const ranked = (first: Record<string, number>, second?: Record<string, number>) => ({
    cv,
    vacancies,
    annotatorRanks: [
      { annotator: 1 as const, ranks: first },
      ...(second ? [{ annotator: 2 as const, ranks: second }] : []),
    ],
  });

  it('reads how far the two annotators agree, over the CVs both ranked', () => {
    const agreement = annotatorAgreement([
      ranked({ java: 1, python: 2, lawyer: 3 }, { java: 1, python: 2, lawyer: 3 }),
      ranked({ java: 1, python: 2, lawyer: 3 }, { java: 3, python: 2, lawyer: 1 }),
      ranked({ java: 1, python: 2, lawyer: 3 }),
    ]);
    expect(agreement).toEqual({ cvs: 2, spearman: 0, sameFirst: 0.5 });
  });
});
