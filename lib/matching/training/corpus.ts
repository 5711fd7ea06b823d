import {
  embedFeatures,
  extractCandidateFeatures,
  extractJobFeatures,
  semanticText,
  type Embedder,
  type Features,
} from '../features.js';
import type { TextAnalyzer } from '../nlp.js';
import { loadResumeCategories, loadResumeJdRelevancy, loadVacancyResumeMatching } from './datasets.js';
import { categoryGain, loadOccupationPostings } from './occupation-postings.js';
import { isHeldOut } from './split.js';

/** Years from date ranges count up to this day, so features (and reported numbers) do not drift with the clock. */
export const EVALUATION_DATE = new Date('2026-11-01T00:00:00Z');

/**
 * Fixed fractions. Held-out parts are what EVAL.md reports and nothing else ever reads; the development part
 * (a share of what is not held out) decides whether `npm run train` activates a model; training uses the rest.
 */
export const HELD_OUT = { resumeJd: 0.3, vacancies: 0.5, categories: 0.3 } as const;
export const DEVELOPMENT = 0.25;

export type Part = 'train' | 'dev' | 'heldOut';

export interface Doc {
  id: string;
  /** The title line a job was read with; absent for a document read as a candidate. */
  title?: string;
  text: string;
  features: Features;
}

export interface JudgedTarget extends Doc {
  /** Graded relevance in [0, 1]. */
  relevance: number;
}

/** What the query is: a candidate ranks jobs (its features extracted as a resume), a job ranks candidates. */
export type SubjectKind = 'candidate' | 'job';

/** One query with the documents judged for it, all in the same part of a set. */
export interface RankingQuery {
  query: Doc;
  subjectKind: SubjectKind;
  targets: JudgedTarget[];
}

export interface VacancyQuery {
  cv: Doc;
  vacancies: Doc[];
  /** Each annotator's rank of each vacancy id (1 = best), for the annotators who ranked this CV. */
  annotatorRanks: { annotator: 1 | 2; ranks: Record<string, number> }[];
}

export interface EvaluationCorpus {
  /** The one resume against the judged postings of each part. */
  resumeJd: Record<Part, RankingQuery>;
  vacancies: Record<Part, VacancyQuery[]>;
  /** Resumes as queries against the other resumes of the same part; same category = relevant. */
  categories: Record<Part, RankingQuery[]>;
  /**
   * Each categorised resume of a part (a candidate) against every O*NET posting (`occupation-postings.ts`):
   * relevance 1 for a posting of its category, 0.5 for a sibling category, else 0. The postings are the
   * same in every part.
   */
  candidateJobs: Record<Part, RankingQuery[]>;
  /** Each O*NET posting (a job) against the categorised resumes of a part, with the same relevance. */
  jobCandidates: Record<Part, RankingQuery[]>;
}

function partOf(dataset: string, key: string, heldOut: number): Part {
  if (isHeldOut(dataset, key, heldOut)) return 'heldOut';
  return isHeldOut(`${dataset}/dev`, key, DEVELOPMENT) ? 'dev' : 'train';
}

function byPart<Item>(items: readonly Item[], part: (item: Item) => Part): Record<Part, Item[]> {
  return {
    train: items.filter((item) => part(item) === 'train'),
    dev: items.filter((item) => part(item) === 'dev'),
    heldOut: items.filter((item) => part(item) === 'heldOut'),
  };
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim().length > 0) ?? '').trim().slice(0, 120);
}

/** Identical texts must land in the same part: the judged postings repeat some texts under other ids. */
function textKey(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Postings and vacancies are read as jobs (first line as title), resumes and CVs as candidates. */
export function asJob(id: string, text: string, analyzer: TextAnalyzer, title = firstLine(text)): Doc {
  return {
    id,
    title,
    text,
    features: extractJobFeatures({ title, description: text, skills: [] }, analyzer),
  };
}

export function asCandidate(id: string, text: string, analyzer: TextAnalyzer, now: Date): Doc {
  return {
    id,
    text,
    features: extractCandidateFeatures({ headline: null, resumeText: text, skills: [] }, analyzer, now),
  };
}

/** Every document of the corpus once, keyed by its features (judged targets are copies sharing them). */
function documentsOf(corpus: EvaluationCorpus): Map<Features, Doc> {
  const documents = new Map<Features, Doc>();
  const add = (doc: Doc): void => {
    if (!documents.has(doc.features)) documents.set(doc.features, doc);
  };
  for (const part of ['train', 'dev', 'heldOut'] as const) {
    const queries = [
      corpus.resumeJd[part],
      ...corpus.categories[part],
      ...corpus.candidateJobs[part],
      ...corpus.jobCandidates[part],
    ];
    for (const { query, targets } of queries) [query, ...targets].forEach(add);
    for (const { cv, vacancies } of corpus.vacancies[part]) [cv, ...vacancies].forEach(add);
  }
  return documents;
}

/**
 * Adds sentence embeddings to every document's features in place, so that the copies judged as targets
 * see them too. A document with a title was read as a job, one without as a candidate.
 */
async function embedDocuments(corpus: EvaluationCorpus, embedder: Embedder): Promise<void> {
  for (const [features, doc] of documentsOf(corpus)) {
    const text = semanticText(
      doc.title === undefined
        ? { kind: 'candidate', text: { headline: null, resumeText: doc.text, skills: [] } }
        : { kind: 'job', text: { title: doc.title, description: doc.text, skills: [] } },
      features,
    );
    features.semantic = (await embedFeatures(features, text, embedder)).semantic;
  }
}

/**
 * Loads the public sets and extracts features for every document, split by a stable hash.
 * `now` is fixed by the caller so years-from-date-ranges do not drift between runs. With an `embedder`,
 * the features carry sentence embeddings as stored profiles do; without, `semantic` stays null.
 */
export async function loadEvaluationCorpus(
  dataDir: string,
  analyzer: TextAnalyzer,
  now: Date,
  embedder?: Embedder,
): Promise<EvaluationCorpus> {
  const relevancy = await loadResumeJdRelevancy(dataDir);
  const resume = asCandidate('resume', relevancy.resume, analyzer, now);
  const judged = byPart(
    relevancy.postings.map((posting) => ({
      ...asJob(posting.id, posting.text, analyzer),
      relevance: posting.relevant ? 1 : 0,
    })),
    (posting) => partOf('resume-jd', textKey(posting.text), HELD_OUT.resumeJd),
  );

  const matching = await loadVacancyResumeMatching(dataDir);
  const vacancies = matching.vacancies.map((vacancy) =>
    asJob(vacancy.id, vacancy.text, analyzer, vacancy.title),
  );
  const annotatedCvs = [...new Set(matching.annotations.map((annotation) => annotation.cvId))];
  const vacancyQueries = annotatedCvs.flatMap((cvId): VacancyQuery[] => {
    const cv = matching.cvs.find((candidate) => candidate.id === cvId);
    if (!cv) return [];
    return [
      {
        cv: asCandidate(`cv-${cvId}`, cv.text, analyzer, now),
        vacancies,
        annotatorRanks: matching.annotations
          .filter((annotation) => annotation.cvId === cvId)
          .map(({ annotator, ranks }) => ({ annotator, ranks })),
      },
    ];
  });

  const resumes = byPart(
    (await loadResumeCategories(dataDir)).map((row) => ({
      category: row.category,
      asQuery: asCandidate(row.id, row.text, analyzer, now),
      asTarget: asJob(row.id, row.text, analyzer),
    })),
    (row) => partOf('resume-categories', row.asQuery.id, HELD_OUT.categories),
  );
  const categoryQueries = (part: (typeof resumes)['train']): RankingQuery[] =>
    part.map((query) => ({
      query: query.asQuery,
      subjectKind: 'candidate',
      targets: part
        .filter((target) => target.asQuery.id !== query.asQuery.id)
        .map((target) => ({ ...target.asTarget, relevance: target.category === query.category ? 1 : 0 })),
    }));

  const postings = (await loadOccupationPostings(dataDir)).map((posting) => ({
    category: posting.category,
    doc: asJob(posting.id, posting.text, analyzer, posting.title),
  }));
  const candidateJobQueries = (part: (typeof resumes)['train']): RankingQuery[] =>
    part.map((resume) => ({
      query: resume.asQuery,
      subjectKind: 'candidate',
      targets: postings.map((posting) => ({
        ...posting.doc,
        relevance: categoryGain(resume.category, posting.category) / 2,
      })),
    }));
  const jobCandidateQueries = (part: (typeof resumes)['train']): RankingQuery[] =>
    postings.map((posting) => ({
      query: posting.doc,
      subjectKind: 'job',
      targets: part.map((resume) => ({
        ...resume.asQuery,
        relevance: categoryGain(posting.category, resume.category) / 2,
      })),
    }));

  const partsOf = <Item>(
    items: Record<Part, Item[]>,
    each: (items: Item[]) => RankingQuery,
  ): Record<Part, RankingQuery> => ({
    train: each(items.train),
    dev: each(items.dev),
    heldOut: each(items.heldOut),
  });
  const corpus: EvaluationCorpus = {
    resumeJd: partsOf(judged, (targets) => ({ query: resume, subjectKind: 'candidate', targets })),
    vacancies: byPart(vacancyQueries, (query) => partOf('vacancy-resume', query.cv.id, HELD_OUT.vacancies)),
    categories: {
      train: categoryQueries(resumes.train),
      dev: categoryQueries(resumes.dev),
      heldOut: categoryQueries(resumes.heldOut),
    },
    candidateJobs: {
      train: candidateJobQueries(resumes.train),
      dev: candidateJobQueries(resumes.dev),
      heldOut: candidateJobQueries(resumes.heldOut),
    },
    jobCandidates: {
      train: jobCandidateQueries(resumes.train),
      dev: jobCandidateQueries(resumes.dev),
      heldOut: jobCandidateQueries(resumes.heldOut),
    },
  };
  if (embedder) await embedDocuments(corpus, embedder);
  return corpus;
}
