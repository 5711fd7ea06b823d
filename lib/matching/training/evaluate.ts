import { rankFeatures, type Scorer } from '../scorers.js';
import type { Doc, EvaluationCorpus, Part, RankingQuery, VacancyQuery } from './corpus.js';
import { averagePrecision, mean, ndcgAtK, spearman } from './metrics.js';

/** Orders `targets` for `query`, best first, returning their ids. */
export type Ranker = (query: Doc, targets: readonly Doc[]) => Promise<string[]>;

export interface EvaluationReport {
  resumeJd: { averagePrecision: number; ndcgAt10: number; postings: number; relevant: number };
  vacancies: {
    spearmanAnnotator1: number;
    spearmanAnnotator2: number;
    top1Annotator1: number;
    top1Annotator2: number;
    cvs: number;
  };
  categories: { ndcgAt10: number; queries: number };
  /** Mean of each set's main metric (AP, mean Spearman, NDCG@10): what decides between two models. */
  overall: number;
}

export function scorerRanker(scorer: Scorer): Ranker {
  return async (query, targets) =>
    (
      await rankFeatures(
        scorer,
        'candidate',
        query.features,
        targets.map((target) => ({ id: target.id, externalId: target.id, features: target.features })),
        targets.length,
      )
    ).map((result) => result.targetId);
}

async function rankingMetrics(ranker: Ranker, queries: readonly RankingQuery[]) {
  const ap: number[] = [];
  const ndcg: number[] = [];
  for (const { query, targets } of queries) {
    // A query with nothing relevant to find scores 0 for every ranker: it measures nothing.
    if (!targets.some((target) => target.relevance > 0)) continue;
    const relevance = new Map(targets.map((target) => [target.id, target.relevance]));
    const order = await ranker(query, targets);
    const gains = order.map((id) => relevance.get(id) ?? 0);
    ap.push(averagePrecision(gains.map((gain) => gain > 0)));
    ndcg.push(ndcgAtK(gains, [...relevance.values()], 10));
  }
  return { averagePrecision: mean(ap), ndcgAt10: mean(ndcg) };
}

async function vacancyMetrics(ranker: Ranker, queries: readonly VacancyQuery[]) {
  const byAnnotator = {
    1: { rho: [] as number[], top1: [] as number[] },
    2: { rho: [] as number[], top1: [] as number[] },
  };
  for (const { cv, vacancies, annotatorRanks } of queries) {
    const order = await ranker(cv, vacancies);
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
  };
}

/** Ranking quality of one ranker on one part (by default the held-out part) of every set. */
export async function evaluate(
  ranker: Ranker,
  corpus: EvaluationCorpus,
  part: Part = 'heldOut',
): Promise<EvaluationReport> {
  const resumeJdQuery = corpus.resumeJd[part];
  const resumeJd = await rankingMetrics(ranker, [resumeJdQuery]);
  const vacancies = await vacancyMetrics(ranker, corpus.vacancies[part]);
  const categories = await rankingMetrics(ranker, corpus.categories[part]);
  return {
    resumeJd: {
      ...resumeJd,
      postings: resumeJdQuery.targets.length,
      relevant: resumeJdQuery.targets.filter((target) => target.relevance > 0).length,
    },
    vacancies,
    categories: {
      ndcgAt10: categories.ndcgAt10,
      queries: corpus.categories[part].filter(({ targets }) => targets.some((target) => target.relevance > 0))
        .length,
    },
    overall: mean([
      resumeJd.averagePrecision,
      mean([vacancies.spearmanAnnotator1, vacancies.spearmanAnnotator2]),
      categories.ndcgAt10,
    ]),
  };
}
