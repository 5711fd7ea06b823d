import { rankFeatures, type Scorer } from '../scorers.js';
import { rankByBm25 } from './bm25.js';
import type { Doc, EvaluationCorpus, Part, RankingQuery, SubjectKind, VacancyQuery } from './corpus.js';
import { averagePrecision, mean, ndcgAtK, reciprocalRank, spearman, topOneConcentration } from './metrics.js';

/** Orders `targets` for `query` (a `subjectKind`), best first, returning their ids. */
export type Ranker = (query: Doc, targets: readonly Doc[], subjectKind: SubjectKind) => Promise<string[]>;

/**
 * `concentration` is `topOneConcentration` of the ranker's first places (NaN for a set with one query):
 * above 3 means one target comes first far more often than chance, whatever the query.
 */
export interface EvaluationReport {
  /** Resumes ranking the O*NET postings. */
  candidateJobs: {
    /** Share of queries whose first posting is of the resume's own category. */
    top1: number;
    ndcgAt5: number;
    /** Mean reciprocal rank of the first posting of the resume's own category. */
    mrr: number;
    queries: number;
    postings: number;
    concentration: number;
  };
  /** O*NET postings ranking the resumes of the part. */
  jobCandidates: { ndcgAt10: number; queries: number; candidates: number; concentration: number };
  resumeJd: {
    averagePrecision: number;
    ndcgAt10: number;
    postings: number;
    relevant: number;
    concentration: number;
  };
  vacancies: {
    spearmanAnnotator1: number;
    spearmanAnnotator2: number;
    top1Annotator1: number;
    top1Annotator2: number;
    cvs: number;
    concentration: number;
  };
  categories: { ndcgAt10: number; queries: number; concentration: number };
  /** Mean of the sets' main metrics (`MAIN_METRICS`): what decides between two models. */
  overall: number;
}

export type SetName = 'candidateJobs' | 'jobCandidates' | 'resumeJd' | 'vacancies' | 'categories';

/** The one figure per set that model selection reads, and its name in reports. */
export const MAIN_METRICS: Record<SetName, { label: string; of: (report: EvaluationReport) => number }> = {
  candidateJobs: { label: 'NDCG@5', of: (report) => report.candidateJobs.ndcgAt5 },
  jobCandidates: { label: 'NDCG@10', of: (report) => report.jobCandidates.ndcgAt10 },
  resumeJd: { label: 'AP', of: (report) => report.resumeJd.averagePrecision },
  vacancies: {
    label: 'mean Spearman ρ',
    of: (report) => mean([report.vacancies.spearmanAnnotator1, report.vacancies.spearmanAnnotator2]),
  },
  categories: { label: 'NDCG@10', of: (report) => report.categories.ndcgAt10 },
};

export const SET_NAMES = Object.keys(MAIN_METRICS) as SetName[];

/**
 * Whether the report `a` (a new network, on the development part) is better than `b` (the active model, or
 * plain BM25): a higher overall. `npm run train` activates a model only when it beats both.
 */
export function beats(a: EvaluationReport, b: EvaluationReport): boolean {
  return a.overall > b.overall;
}

export function scorerRanker(scorer: Scorer): Ranker {
  return async (query, targets, subjectKind) =>
    (
      await rankFeatures(
        scorer,
        subjectKind,
        query.features,
        targets.map((target) => ({ id: target.id, externalId: target.id, features: target.features })),
        targets.length,
      )
    ).map((result) => result.targetId);
}

/** Plain Okapi BM25 on the raw texts (`bm25.ts`): no lemmas, no skills, no features. */
export const plainBm25Ranker: Ranker = (query, targets) => Promise.resolve(rankByBm25(query.text, targets));

/**
 * Relevance in [0, 1] times this is the grade NDCG weighs (2^grade − 1): 3 for the query's own category,
 * 1 for a sibling. The binary sets (relevance 0 or 1) are graded 0 or 1 as before.
 */
const CATEGORY_GRADES = 2;

interface RankedQuery {
  /** Grades of the ranked targets, in the ranker's order. */
  grades: number[];
  /** Every target's grade, for the ideal order. */
  allGrades: number[];
  firstId: string;
  targets: number;
}

/** Ranks every query that has a target of relevance 1 (a query with nothing to find measures nothing). */
async function rankQueries(
  ranker: Ranker,
  queries: readonly RankingQuery[],
  gradeScale: number,
): Promise<RankedQuery[]> {
  const ranked: RankedQuery[] = [];
  for (const { query, subjectKind, targets } of queries) {
    if (!targets.some((target) => target.relevance >= 1)) continue;
    const grade = new Map(targets.map((target) => [target.id, target.relevance * gradeScale]));
    const order = await ranker(query, targets, subjectKind);
    ranked.push({
      grades: order.map((id) => grade.get(id) ?? 0),
      allGrades: [...grade.values()],
      firstId: order[0] ?? '',
      targets: targets.length,
    });
  }
  return ranked;
}

function concentrationOf(ranked: readonly RankedQuery[]): number {
  return topOneConcentration(
    ranked.map((query) => query.firstId),
    ranked.map((query) => query.targets),
  );
}

/** The resumes' categories are the gold: the postings of a resume's own category are what it should find. */
async function candidateJobMetrics(ranker: Ranker, queries: readonly RankingQuery[]) {
  const ranked = await rankQueries(ranker, queries, CATEGORY_GRADES);
  const best = CATEGORY_GRADES;
  return {
    top1: mean(ranked.map((query) => (query.grades[0] === best ? 1 : 0))),
    ndcgAt5: mean(ranked.map((query) => ndcgAtK(query.grades, query.allGrades, 5))),
    mrr: mean(ranked.map((query) => reciprocalRank(query.grades.map((grade) => grade === best)))),
    queries: ranked.length,
    postings: queries[0]?.targets.length ?? 0,
    concentration: concentrationOf(ranked),
  };
}

async function rankingMetrics(ranker: Ranker, queries: readonly RankingQuery[], gradeScale: number) {
  const ranked = await rankQueries(ranker, queries, gradeScale);
  return {
    averagePrecision: mean(ranked.map((query) => averagePrecision(query.grades.map((grade) => grade > 0)))),
    ndcgAt10: mean(ranked.map((query) => ndcgAtK(query.grades, query.allGrades, 10))),
    queries: ranked.length,
    concentration: concentrationOf(ranked),
  };
}

async function vacancyMetrics(ranker: Ranker, queries: readonly VacancyQuery[]) {
  const byAnnotator = {
    1: { rho: [] as number[], top1: [] as number[] },
    2: { rho: [] as number[], top1: [] as number[] },
  };
  const firstIds: string[] = [];
  for (const { cv, vacancies, annotatorRanks } of queries) {
    const order = await ranker(cv, vacancies, 'candidate');
    firstIds.push(order[0] ?? '');
    const ourRank = new Map(order.map((id, index) => [id, index + 1]));
    for (const { annotator, ranks } of annotatorRanks) {
      const ids = Object.keys(ranks);
      byAnnotator[annotator].rho.push(
        spearman(
          ids.map((id) => ourRank.get(id) ?? ids.length),
          ids.map((id) => ranks[id] ?? ids.length),
        ),
      );
      byAnnotator[annotator].top1.push(ranks[order[0] ?? ''] === 1 ? 1 : 0);
    }
  }
  return {
    spearmanAnnotator1: mean(byAnnotator[1].rho),
    spearmanAnnotator2: mean(byAnnotator[2].rho),
    top1Annotator1: mean(byAnnotator[1].top1),
    top1Annotator2: mean(byAnnotator[2].top1),
    cvs: queries.length,
    concentration: topOneConcentration(
      firstIds,
      queries.map((query) => query.vacancies.length),
    ),
  };
}

/** Ranking quality of one ranker on one part (by default the held-out part) of every set. */
export async function evaluate(
  ranker: Ranker,
  corpus: EvaluationCorpus,
  part: Part = 'heldOut',
): Promise<EvaluationReport> {
  const resumeJdQuery = corpus.resumeJd[part];
  const resumeJd = await rankingMetrics(ranker, [resumeJdQuery], 1);
  const categories = await rankingMetrics(ranker, corpus.categories[part], 1);
  const jobCandidates = await rankingMetrics(ranker, corpus.jobCandidates[part], CATEGORY_GRADES);
  const report: Omit<EvaluationReport, 'overall'> = {
    candidateJobs: await candidateJobMetrics(ranker, corpus.candidateJobs[part]),
    jobCandidates: {
      ndcgAt10: jobCandidates.ndcgAt10,
      queries: jobCandidates.queries,
      candidates: corpus.jobCandidates[part][0]?.targets.length ?? 0,
      concentration: jobCandidates.concentration,
    },
    resumeJd: {
      averagePrecision: resumeJd.averagePrecision,
      ndcgAt10: resumeJd.ndcgAt10,
      postings: resumeJdQuery.targets.length,
      relevant: resumeJdQuery.targets.filter((target) => target.relevance > 0).length,
      concentration: resumeJd.concentration,
    },
    vacancies: await vacancyMetrics(ranker, corpus.vacancies[part]),
    categories: {
      ndcgAt10: categories.ndcgAt10,
      queries: categories.queries,
      concentration: categories.concentration,
    },
  };
  const withoutOverall = { ...report, overall: NaN };
  return { ...report, overall: mean(SET_NAMES.map((set) => MAIN_METRICS[set].of(withoutOverall))) };
}

export interface AnnotatorAgreement {
  /** CVs both annotators ranked. */
  cvs: number;
  /** Mean Spearman ρ between the two annotators' rankings of the vacancies. */
  spearman: number;
  /** Share of those CVs whose first choice is the same for both (ties count when they share one). */
  sameFirst: number;
}

/**
 * How far the two annotators agree with each other: a ranker's ρ against one of them cannot be read more
 * finely than the humans agree, so this is the set's ceiling in practice.
 */
export function annotatorAgreement(queries: readonly VacancyQuery[]): AnnotatorAgreement {
  const rhos: number[] = [];
  let sameFirst = 0;
  for (const { vacancies, annotatorRanks } of queries) {
    const first = annotatorRanks.find((ranking) => ranking.annotator === 1)?.ranks;
    const second = annotatorRanks.find((ranking) => ranking.annotator === 2)?.ranks;
    if (first === undefined || second === undefined) continue;
    const ids = vacancies.map((vacancy) => vacancy.id);
    rhos.push(
      spearman(
        ids.map((id) => first[id] ?? NaN),
        ids.map((id) => second[id] ?? NaN),
      ),
    );
    if (ids.some((id) => first[id] === 1 && second[id] === 1)) sameFirst += 1;
  }
  return {
    cvs: rhos.length,
    spearman: mean(rhos),
    sameFirst: rhos.length === 0 ? NaN : sameFirst / rhos.length,
  };
}

/**
 * The vacancy set as ranking queries, for measures that need a relevant target per query (retrieval
 * recall): relevance 1 for a vacancy some annotator ranked first for the CV, else 0.
 */
export function vacancyRankingQueries(queries: readonly VacancyQuery[]): RankingQuery[] {
  return queries.map(({ cv, vacancies, annotatorRanks }) => ({
    query: cv,
    subjectKind: 'candidate',
    targets: vacancies.map((vacancy) => ({
      ...vacancy,
      relevance: annotatorRanks.some(({ ranks }) => ranks[vacancy.id] === 1) ? 1 : 0,
    })),
  }));
}

/**
 * Share of the relevant targets (relevance > 0) that candidate generation lets into the pool, over all
 * queries; `pool` returns the ids of the targets generation would hand to the scorer for the query.
 */
export async function retrievalRecall(
  queries: readonly RankingQuery[],
  pool: (query: RankingQuery) => Promise<readonly string[]>,
): Promise<{ recall: number; relevant: number; retrieved: number }> {
  let relevant = 0;
  let retrieved = 0;
  for (const query of queries) {
    const wanted = query.targets.filter((target) => target.relevance > 0);
    if (wanted.length === 0) continue;
    const members = new Set(await pool(query));
    relevant += wanted.length;
    retrieved += wanted.filter((target) => members.has(target.id)).length;
  }
  return { recall: relevant === 0 ? NaN : retrieved / relevant, relevant, retrieved };
}

/**
 * The least top-1 concentration a perfect ranker can reach on these queries: each puts one of its most
 * relevant targets first, choosing the one put first least often so far. Queries of one category share
 * their best targets, so even a perfect ranker concentrates when a category has more queries than best
 * targets; this is the floor against which a ranker's concentration reads.
 */
export function idealConcentration(queries: readonly RankingQuery[]): number {
  const firsts = new Map<string, number>();
  const firstIds: string[] = [];
  const targetsPerQuery: number[] = [];
  for (const { targets } of queries) {
    // The queries `evaluate` measures: those with a target of relevance 1.
    const best = targets.filter((target) => target.relevance >= 1);
    const [first] = best.sort((a, b) => (firsts.get(a.id) ?? 0) - (firsts.get(b.id) ?? 0));
    if (!first) continue;
    firsts.set(first.id, (firsts.get(first.id) ?? 0) + 1);
    firstIds.push(first.id);
    targetsPerQuery.push(targets.length);
  }
  return topOneConcentration(firstIds, targetsPerQuery);
}
