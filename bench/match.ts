/**
 * Bench 3: match latency over a large job board. runMatch end to end, in-process, against one client's
 * N jobs in an isolated schema, with a breakdown by phase; the baseline is Postgres full-text search
 * (ts_rank_cd top K) over the same corpus with the same words.
 */
import { randomBytes } from 'node:crypto';

import { createClient } from '../lib/clients.js';
import { loadConfig } from '../lib/config.js';
import { createDatabase, migrateToLatest } from '../lib/db/knex.js';
import { insertMatchRequest } from '../lib/db/match-requests.js';
import type { MatchFilters } from '../lib/db/models.js';
import { createLogger } from '../lib/logger.js';
import { poolWords, runMatch } from '../lib/match-requests.js';
import { sharedEmbedder } from '../lib/matching/embedding.js';
import { FEATURES_VERSION } from '../lib/matching/features.js';
import { ScorerRegistry } from '../lib/matching/scorer-registry.js';
import { ProfileCache } from '../lib/matching/profile-cache.js';
import { rankFeatures, type Scorer } from '../lib/matching/scorers.js';
import type { CategoryWeights } from '../lib/matching/weights.js';
import { spread, type BenchResume, type BenchTexts } from './support/corpus.js';
import {
  INSERT_CHUNK,
  insertCandidates,
  insertJobs,
  type InsertedCandidate,
} from './support/match-corpus.js';
import { previousPool } from './support/previous-pool.js';
import { QueryTrace, explainAnalyze, type TracedQuery } from './support/query-trace.js';
import { formatNumber, type BenchSection, type Figure } from './support/report.js';
import { distribution, elapsedMs, now, sum, type Distribution } from './support/stats.js';

export interface MatchBenchOptions {
  texts: BenchTexts;
  jobs: number;
  requests: number;
  /** Requests run before the measured ones (JIT, connection pool, Postgres caches); not counted. */
  warmupRequests: number;
  subjects: number;
  /** The FTS baseline stops after this long (it takes seconds a query at 100,000 jobs); at least 1 query. */
  baselineBudgetSeconds: number;
  keep: boolean;
  /** MATCH_CANDIDATE_LIMIT for this run; the configured one (default 2,000) when undefined. */
  candidateLimit: number | undefined;
  /** Print the full EXPLAIN ANALYZE plans. */
  explain: boolean;
  log: (line: string) => void;
}

const TARGET_P99_MS = 250;
const TOP_K = 10;
/** Categories of resumes used as subjects, for variety (software, data, people, sales, engineering). */
const SUBJECT_CATEGORIES = [
  'Java Developer',
  'Data Science',
  'HR',
  'Sales',
  'Civil Engineer',
  'DevOps Engineer',
];

function pickSubjects(resumes: readonly BenchResume[], count: number): BenchResume[] {
  const picked: BenchResume[] = resumes.filter((resume) => resume.id.startsWith('fixture-'));
  const jdResume = resumes.find((resume) => resume.id === 'jd-resume');
  if (jdResume) picked.push(jdResume);
  for (const category of SUBJECT_CATEGORIES) {
    const resume = resumes.find((candidate) => candidate.category === category);
    if (resume) picked.push(resume);
  }
  for (const resume of spread(resumes, count)) if (!picked.includes(resume)) picked.push(resume);
  return picked.slice(0, count);
}

type RequestShape = 'plain' | 'remote' | 'city' | 'criteria' | 'weighted';

/**
 * Mostly plain requests; 1 in 10 each for remote jobs only, for one city, with hard criteria (issue 15:
 * skills and years, applied where targets are drawn) and with three category weights moved.
 */
function shapeOf(index: number): {
  shape: RequestShape;
  filters: MatchFilters;
  weights: Partial<CategoryWeights> | null;
} {
  switch (index % 10) {
    case 3:
      return { shape: 'remote', filters: { remote: true }, weights: null };
    case 5:
      return {
        shape: 'criteria',
        filters: { anySkills: ['SQL', 'Python', 'Java', 'Excel', 'Communication'], maxYearsExperience: 10 },
        weights: null,
      };
    case 7:
      return { shape: 'city', filters: { location: 'Berlin' }, weights: null };
    case 9:
      return { shape: 'weighted', filters: {}, weights: { location: 1, skills: 0.8, salary: 0 } };
    default:
      return { shape: 'plain', filters: {}, weights: null };
  }
}

interface Phases {
  total: number;
  stale: number;
  pool: number;
  features: number;
  hydrate: number;
  rank: number;
  otherSql: number;
}

const PHASE_LABELS: Record<keyof Phases, string> = {
  total: 'runMatch end to end',
  stale: 'stale-features check (SQL)',
  pool: 'candidate generation (SQL: term statistics + pool query, incl. transfer and JSON parse)',
  features: 'features of the pool members not in the profile cache (SQL)',
  hydrate: 'profile cache lookups, compiling the misses',
  rank: 'rank: pair features + score + explain',
  otherSql: 'other SQL (lock, load subject, mark running, write results)',
};

interface MatchRequestRun {
  id: string;
  candidate: InsertedCandidate;
  shape: RequestShape;
  filters: MatchFilters;
}

function msBetween(from: bigint, to: bigint): number {
  return Number(to - from) / 1e6;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : sum(values) / values.length;
}

function latencyFigures(ours: Distribution, baseline: Distribution, baselineName: string): Figure[] {
  const keys = ['p50', 'p95', 'p99', 'max'] as const;
  return keys.map((key) => ({
    name: `runMatch ${key}`,
    value: ours[key],
    unit: 'ms',
    better: 'lower',
    baseline: { name: `${baselineName} ${key}`, value: baseline[key] },
    ...(key === 'p99'
      ? { target: { text: `p99 < ${TARGET_P99_MS} ms`, met: ours.p99 < TARGET_P99_MS } }
      : {}),
  }));
}

const SHAPED: readonly { shape: RequestShape; name: string }[] = [
  { shape: 'criteria', name: 'hard criteria (any of five skills, at most 10 years)' },
  { shape: 'weighted', name: 'three category weights moved' },
];

/**
 * What hard criteria and weights cost (issue 15: ≤ 1.2× a plain request): the mean runMatch time of those
 * requests against the mean of the plain requests of the same subjects, in the same run.
 */
function shapedFigures(
  phases: readonly Phases[],
  shapes: readonly { shape: RequestShape; candidate: InsertedCandidate }[],
): Figure[] {
  const plainMean = (candidate: InsertedCandidate): number =>
    mean(
      phases
        .filter((_, index) => {
          const request = shapes[index];
          return request?.shape === 'plain' && request.candidate === candidate;
        })
        .map((phase) => phase.total),
    );
  return SHAPED.flatMap(({ shape, name }) => {
    const measured = phases.flatMap((phase, index) => {
      const request = shapes[index];
      if (request?.shape !== shape) return [];
      const plain = plainMean(request.candidate);
      return Number.isNaN(plain) ? [] : [{ total: phase.total, plain }];
    });
    if (measured.length === 0) return [];
    const value = mean(measured.map((each) => each.total));
    const baseline = mean(measured.map((each) => each.plain));
    return [
      {
        name: `runMatch mean, ${name}`,
        value,
        unit: 'ms',
        better: 'lower' as const,
        baseline: { name: 'runMatch mean of plain requests, same subjects', value: baseline },
        target: { text: '≤ 1.2× a plain request', met: value <= 1.2 * baseline },
      },
    ];
  });
}

export async function runMatchBench(options: MatchBenchOptions): Promise<BenchSection> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    DATABASE_SCHEMA: schema,
    LOG_LEVEL: 'silent',
    DATABASE_POOL_MAX: '4',
    ...(options.candidateLimit === undefined
      ? {}
      : { MATCH_CANDIDATE_LIMIT: String(options.candidateLimit) }),
  });
  const db = createDatabase(config);
  const { log } = options;
  try {
    await migrateToLatest(db, schema);
    const serverVersion = Object.values(
      (await db.raw<{ rows: Record<string, string>[] }>('SHOW server_version')).rows[0] ?? {},
    )[0];
    const { client } = await createClient(db, 'bench');

    // ----- The corpus: N jobs from the templates, a handful of candidates as subjects.
    const templates = options.texts.postings;
    log(`  match: inserting ${formatNumber(options.jobs)} jobs into schema ${schema} ...`);
    let start = now();
    await insertJobs(db, client.id, templates, options.jobs);
    const insertSeconds = elapsedMs(start) / 1000;
    // autovacuum may be off (it is on this machine): statistics and the visibility map as a steady state.
    start = now();
    await db.raw('VACUUM ANALYZE jobs');
    const vacuumSeconds = elapsedMs(start) / 1000;
    const candidates: InsertedCandidate[] = await insertCandidates(
      db,
      client.id,
      pickSubjects(options.texts.resumes, options.subjects),
    );
    await db.raw('VACUUM ANALYZE candidates');
    const sizes = (
      await db.raw<{ rows: Record<string, string>[] }>(
        `SELECT pg_size_pretty(pg_table_size('jobs')) AS t, pg_size_pretty(pg_indexes_size('jobs')) AS i`,
      )
    ).rows[0];
    const tableSize = `table ${sizes?.t ?? '?'}, indexes ${sizes?.i ?? '?'}`;
    log(
      `  match: inserted in ${insertSeconds.toFixed(1)} s, VACUUM ANALYZE ${vacuumSeconds.toFixed(1)} s; jobs ${tableSize}`,
    );

    const requests: MatchRequestRun[] = [];
    for (let index = 0; index < options.warmupRequests + options.requests; index += 1) {
      const candidate = candidates[index % candidates.length] as InsertedCandidate;
      const { shape, filters, weights } = shapeOf(index);
      const request = await db.transaction((trx) =>
        insertMatchRequest(trx, {
          clientId: client.id,
          subjectType: 'candidate',
          subjectId: candidate.id,
          topK: TOP_K,
          filters,
          weights,
          idempotencyKey: null,
        }),
      );
      requests.push({ id: request.id, candidate, shape, filters });
    }
    const measured = requests.slice(options.warmupRequests);

    // ----- runMatch, one request at a time, as a worker runs it; SQL timed statement by statement.
    const registry = new ScorerRegistry(db, createLogger(config, 'bench'), config.matching.modelRefreshMs);
    let scorerCalledAt = 0n;
    const scorer = (): Promise<Scorer> => {
      scorerCalledAt = now();
      return registry.current();
    };
    const trace = new QueryTrace(db);
    // One cache for the run, as one worker process keeps it; the warm-up requests fill it.
    const cache = new ProfileCache(config.matching.cachedProfiles);
    const compiledPerRequest: number[] = [];
    const warmupTimes: number[] = [];
    const phases: Phases[] = [];
    const shapes: { shape: RequestShape; candidate: InsertedCandidate }[] = [];
    const poolSizes: number[] = [];
    /** Pool queries per request: more than one when a short pool was drawn again from more terms. */
    const poolRankings: number[] = [];
    // The statements of the first measured unfiltered request, explained after the run.
    const explained: { label: string; query: TracedQuery }[] = [];
    let explainedSubject = '?';
    log(`  match: ${options.warmupRequests} warm-up + ${options.requests} measured runMatch calls ...`);
    for (const [index, request] of requests.entries()) {
      trace.clear();
      scorerCalledAt = 0n;
      const begin = now();
      const outcome = await runMatch(db, request.id, {
        candidateLimit: config.matching.candidateLimit,
        scorer,
        embedder: () => sharedEmbedder(config),
        cache,
      });
      const end = now();
      if (outcome !== 'completed') throw new Error(`match request ${request.id}: ${outcome}`);
      if (index < options.warmupRequests) {
        warmupTimes.push(msBetween(begin, end));
        continue;
      }
      const queries = trace.between(begin, end);
      const featureQueries = queries.filter((query) => query.kind === 'features');
      compiledPerRequest.push(sum(featureQueries.map((query) => query.rows ?? 0)));
      const poolQueries = queries.filter((query) => query.kind === 'pool');
      const staleQueries = queries.filter((query) => query.kind === 'stale');
      const rankings = poolQueries.filter((query) => /skill_keys\s*&&/.test(query.sql));
      const pool = poolQueries.at(-1);
      if (!pool || rankings.length === 0 || scorerCalledAt === 0n)
        throw new Error('runMatch ran no pool query');
      if (explained.length === 0 && Object.keys(request.filters).length === 0) {
        explainedSubject = request.candidate.resume.id;
        explained.push(
          ...poolQueries.map((query) => ({ label: 'candidate generation', query })),
          ...staleQueries.map((query) => ({ label: 'stale-features check', query })),
        );
      }
      poolSizes.push(rankings.at(-1)?.rows ?? 0);
      poolRankings.push(rankings.length);
      const afterSql = sum(queries.filter((query) => query.start >= scorerCalledAt).map((query) => query.ms));
      const otherBefore = queries.filter((query) => query.kind === 'other' && query.start < scorerCalledAt);
      shapes.push({ shape: request.shape, candidate: request.candidate });
      phases.push({
        total: msBetween(begin, end),
        stale: sum(staleQueries.map((query) => query.ms)),
        pool: sum(poolQueries.map((query) => query.ms)),
        features: sum(featureQueries.map((query) => query.ms)),
        hydrate: msBetween(pool.end, scorerCalledAt) - sum(featureQueries.map((query) => query.ms)),
        rank: msBetween(scorerCalledAt, end) - afterSql,
        otherSql: sum(otherBefore.map((query) => query.ms)) + afterSql,
      });
    }
    trace.detach();

    // ----- Baselines over the same requests: Postgres FTS top K with the words runMatch uses; the floor.
    log('  match: baseline (Postgres FTS ts_rank_cd top K) ...');
    const ftsTimes: number[] = [];
    const ftsStart = now();
    for (const request of measured) {
      if (ftsTimes.length > 0 && elapsedMs(ftsStart) > options.baselineBudgetSeconds * 1000) break;
      const tsQuery = poolWords(request.candidate.features).join(' | ');
      const queryStart = now();
      await db.raw(
        `SELECT id, external_id FROM jobs
         WHERE client_id = ? AND status = 'open' AND search_vector @@ to_tsquery('english', ?)
         ORDER BY ts_rank_cd(search_vector, to_tsquery('english', ?)) DESC LIMIT ?`,
        [client.id, tsQuery, tsQuery, TOP_K],
      );
      ftsTimes.push(elapsedMs(queryStart));
    }
    const floorTimes: number[] = [];
    while (floorTimes.length < measured.length) {
      const queryStart = now();
      await db('jobs').select('id', 'externalId').where('clientId', client.id).limit(TOP_K);
      floorTimes.push(elapsedMs(queryStart));
    }

    // ----- Pool quality: the top 10 runMatch wrote vs the top 10 from the previous, unpruned pool query.
    log('  match: pool quality against the previous pool query ...');
    const activeScorer = await registry.current();
    const quality: string[] = [];
    const qualityTimes: number[] = [];
    for (const candidate of candidates) {
      const request = measured.find(
        (run) => run.candidate === candidate && Object.keys(run.filters).length === 0,
      );
      if (!request) continue;
      const written = (await db('matchResults').select('score').where('requestId', request.id)) as {
        score: number;
      }[];
      const queryStart = now();
      const previous = await previousPool(
        db,
        client.id,
        FEATURES_VERSION,
        candidate.features.skills,
        poolWords(candidate.features),
        config.matching.candidateLimit,
      );
      qualityTimes.push(elapsedMs(queryStart));
      const previousTop = await rankFeatures(activeScorer, 'candidate', candidate.features, previous, TOP_K);
      const ours = mean(written.map((row) => row.score));
      const theirs = mean(previousTop.map((result) => result.score));
      quality.push(
        `| ${candidate.resume.id} | ${ours.toFixed(3)} | ${theirs.toFixed(3)} | ${(ours - theirs >= 0 ? '+' : '') + (ours - theirs).toFixed(3)} |`,
      );
    }

    // ----- EXPLAIN ANALYZE of the statements of one request, run again now.
    const explainLines: string[] = [];
    for (const { label, query } of explained) {
      const plan = await explainAnalyze(db, query);
      if (options.explain) log(`\nEXPLAIN ANALYZE, ${label}:\n${query.sql}\n${plan.join('\n')}\n`);
      const execution = plan.find((line) => line.startsWith('Execution Time'));
      const scan = plan.find((line) => /Scan on|Scan using/.test(line));
      const sql = query.sql.length > 100 ? `${query.sql.slice(0, 100)}…` : query.sql;
      const node = scan ? `; \`${scan.trim().replace(/\s+\(cost=.*$/, '')}\`` : '';
      explainLines.push(`- ${label}: \`${sql.replace(/\s+/g, ' ')}\` — ${execution ?? '?'}${node}`);
    }

    const ours = distribution(phases.map((phase) => phase.total));
    const fts = distribution(ftsTimes);
    const floor = distribution(floorTimes);
    const phaseLine = (key: keyof Phases): string => {
      const values = distribution(phases.map((phase) => phase[key]));
      return `| ${PHASE_LABELS[key]} | ${formatNumber(values.p50)} | ${formatNumber(values.p95)} | ${formatNumber(values.p99)} | ${formatNumber(values.max)} |`;
    };
    const poolDistribution = distribution(poolSizes);

    return {
      title: `Match latency (${formatNumber(options.jobs)} jobs)`,
      setup: [
        `Schema \`${schema}\` (Postgres ${serverVersion ?? '?'}), one client, ${formatNumber(options.jobs)} jobs made from ${templates.length} template postings: features extracted once per template and stored with each row, ${formatNumber(INSERT_CHUNK)} rows per INSERT (batchInsert, two connections), title/location/remote/salary varied per row, 1 in 37 closed; inserted in ${insertSeconds.toFixed(0)} s, then VACUUM ANALYZE (${vacuumSeconds.toFixed(1)} s; autovacuum is off on this machine); jobs ${tableSize}.`,
        `Subjects: ${candidates.length} candidates (${candidates.map((candidate) => candidate.resume.id).join(', ')}); ${options.warmupRequests} warm-up + ${options.requests} measured match requests in turn over them, topK ${TOP_K}, 1 in 10 each filtered to remote jobs, to Berlin, by hard criteria (any of five skills, at most 10 years) and weighted (location 1, skills 0.8, salary 0); MATCH_CANDIDATE_LIMIT ${config.matching.candidateLimit}; scorer from ScorerRegistry, as the worker uses it; one request at a time, in-process.`,
        `Baseline: Postgres full-text search over the same corpus, \`search_vector @@ to_tsquery(<the 40 words runMatch uses>) ORDER BY ts_rank_cd(...) DESC LIMIT ${TOP_K}\`, over the same requests (${fts.count} of ${measured.length}: it stops after ${options.baselineBudgetSeconds} s). Chosen over \`SELECT ... WHERE client_id = ? LIMIT ${TOP_K}\` because it is the simplest query that actually ranks the corpus (and the ranking baseline of \`npm run eval\`), so the ratio says what our pool, features, network and explanations cost over plain text search; the plain SELECT measures only a round trip and is shown below as the floor.`,
      ],
      figures: [...latencyFigures(ours, fts, 'FTS ts_rank_cd top-K'), ...shapedFigures(phases, shapes)],
      details: [
        `Floor (\`SELECT id, external_id FROM jobs WHERE client_id = ? LIMIT ${TOP_K}\`, ${floor.count} queries): p50 ${formatNumber(floor.p50)} ms, p99 ${formatNumber(floor.p99)} ms. Pool size (targets scored per request): p50 ${formatNumber(poolDistribution.p50)}, min ${formatNumber(Math.min(...poolSizes))}, max ${formatNumber(poolDistribution.max)}; pool queries per request (a short pool is drawn again from more terms): ${[
          ...new Set(poolRankings),
        ]
          .sort((a, b) => a - b)
          .map((count) => `${count} in ${poolRankings.filter((value) => value === count).length} requests`)
          .join(', ')}.`,
        `Profile cache (MATCH_CACHED_PROFILES ${formatNumber(config.matching.cachedProfiles)}, one for the run as in one worker process): the first warm-up request, with the cache empty, took ${formatNumber(warmupTimes[0] ?? Number.NaN)} ms; the ${warmupTimes.length} warm-up requests p50 ${formatNumber(distribution(warmupTimes).p50)} ms, max ${formatNumber(distribution(warmupTimes).max)} ms. Measured requests compiled p50 ${formatNumber(distribution(compiledPerRequest).p50)}, max ${formatNumber(distribution(compiledPerRequest).max)} profiles (cache misses); the cache held ${formatNumber(cache.current().size)} profiles and ${formatNumber(cache.current().dictionary.size)} terms at the end; bench process RSS then ${formatNumber(process.memoryUsage().rss / 2 ** 20)} MiB (it also holds the bench's texts and features).`,
        '',
        'Breakdown of runMatch in ms (SQL timed from hand-off to the connection until its rows are parsed):',
        '',
        '| phase | p50 | p95 | p99 | max |',
        '| --- | --- | --- | --- | --- |',
        ...(Object.keys(PHASE_LABELS) as (keyof Phases)[]).map(phaseLine),
        '',
        `Pool quality: mean score of the top ${TOP_K} runMatch wrote (first unfiltered request per subject) against the top ${TOP_K} ranked by the same scorer from the previous pool query (all skills and all 40 words, ts_rank_cd over every match; ${formatNumber(mean(qualityTimes))} ms a query here, transfer included). A rough measure: IDF is taken over each pool, so the two sides' scores are not on exactly the same scale.`,
        '',
        `| subject | runMatch top ${TOP_K} | previous pool top ${TOP_K} | difference |`,
        '| --- | --- | --- | --- |',
        ...quality,
        '',
        `EXPLAIN (ANALYZE, BUFFERS) of each statement of candidate generation and of the stale-features check of the first measured unfiltered request (subject ${explainedSubject}), run again after the bench:`,
        '',
        ...explainLines,
      ],
    };
  } finally {
    if (options.keep) log(`  match: kept schema ${schema} (--keep)`);
    else await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.destroy();
  }
}
