import { extractCandidateFeatures, extractJobFeatures, type Features } from '../features.js';
import type { TextAnalyzer } from '../nlp.js';
import { loadResumeCategories, loadResumeJdRelevancy, loadVacancyResumeMatching } from './datasets.js';
import { isHeldOut } from './split.js';

/** Years from date ranges count up to this day, so features (and reported numbers) do not drift with the clock. */
export const EVALUATION_DATE = new Date('2026-11-01T00:00:00Z');

/** Held-out fractions, fixed: the reported numbers come from these parts only, never from training. */
export const HELD_OUT = { resumeJd: 0.3, vacancies: 0.5, categories: 0.3 } as const;

export interface Doc {
  id: string;
  text: string;
  features: Features;
}

export interface JudgedTarget extends Doc {
  /** Graded relevance in [0, 1]. */
  relevance: number;
}

/** One query with the documents judged for it, all in the same part (train or held-out) of a set. */
export interface RankingQuery {
  query: Doc;
  targets: JudgedTarget[];
}

export interface VacancyQuery {
  cv: Doc;
  vacancies: Doc[];
  /** Each annotator's rank of each vacancy id (1 = best), for the annotators who ranked this CV. */
  annotatorRanks: { annotator: 1 | 2; ranks: Record<string, number> }[];
}

export interface EvaluationCorpus {
  /** The one resume against the judged postings. */
  resumeJd: { train: RankingQuery; heldOut: RankingQuery };
  vacancies: { train: VacancyQuery[]; heldOut: VacancyQuery[] };
  /** Resumes as queries against resumes of the same part; same category = relevant. */
  categories: { train: RankingQuery[]; heldOut: RankingQuery[] };
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim().length > 0) ?? '').trim().slice(0, 120);
}

/** Postings and vacancies are read as jobs (first line as title), resumes and CVs as candidates. */
function asJob(id: string, text: string, analyzer: TextAnalyzer, title = firstLine(text)): Doc {
  return { id, text, features: extractJobFeatures({ title, description: text, skills: [] }, analyzer) };
}

function asCandidate(id: string, text: string, analyzer: TextAnalyzer, now: Date): Doc {
  return {
    id,
    text,
    features: extractCandidateFeatures({ headline: null, resumeText: text, skills: [] }, analyzer, now),
  };
}

/**
 * Loads the public sets and extracts features for every document, split by a stable hash of the id.
 * `now` is fixed by the caller so years-from-date-ranges do not drift between runs.
 */
export async function loadEvaluationCorpus(
  dataDir: string,
  analyzer: TextAnalyzer,
  now: Date,
): Promise<EvaluationCorpus> {
  const relevancy = await loadResumeJdRelevancy(dataDir);
  const resume = asCandidate('resume', relevancy.resume, analyzer, now);
  const postings = relevancy.postings.map((posting) => ({
    ...asJob(posting.id, posting.text, analyzer),
    relevance: posting.relevant ? 1 : 0,
  }));
  const resumeJd = {
    train: {
      query: resume,
      targets: postings.filter((posting) => !isHeldOut('resume-jd', posting.id, HELD_OUT.resumeJd)),
    },
    heldOut: {
      query: resume,
      targets: postings.filter((posting) => isHeldOut('resume-jd', posting.id, HELD_OUT.resumeJd)),
    },
  };

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
  const cvHeldOut = (query: VacancyQuery): boolean =>
    isHeldOut('vacancy-resume', query.cv.id, HELD_OUT.vacancies);

  const resumes = (await loadResumeCategories(dataDir)).map((row) => ({
    category: row.category,
    asQuery: asCandidate(row.id, row.text, analyzer, now),
    asTarget: asJob(row.id, row.text, analyzer),
  }));
  const categoryQueries = (part: typeof resumes): RankingQuery[] =>
    part.map((query) => ({
      query: query.asQuery,
      targets: part
        .filter((target) => target.asQuery.id !== query.asQuery.id)
        .map((target) => ({ ...target.asTarget, relevance: target.category === query.category ? 1 : 0 })),
    }));
  const resumeHeldOut = (row: (typeof resumes)[number]): boolean =>
    isHeldOut('resume-categories', row.asQuery.id, HELD_OUT.categories);

  return {
    resumeJd,
    vacancies: {
      train: vacancyQueries.filter((query) => !cvHeldOut(query)),
      heldOut: vacancyQueries.filter(cvHeldOut),
    },
    categories: {
      train: categoryQueries(resumes.filter((row) => !resumeHeldOut(row))),
      heldOut: categoryQueries(resumes.filter(resumeHeldOut)),
    },
  };
}
