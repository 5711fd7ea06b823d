import type { Knex } from 'knex';

import type { Features } from '../matching/features.js';
import { normaliseSkill } from '../matching/vocabulary.js';
import { coordinatesOf, DEFAULT_RADIUS_KM, EARTH_RADIUS_KM, type Coordinates } from '../geo/gazetteer.js';
import type { ProfileKind } from '../queues/registry.js';
import { CandidateModel, JobModel, profileModels, type ProfileModel, type MatchFilters } from './models.js';

type DocumentColumn = 'documentFilename' | 'documentContentType' | 'documentSize' | 'documentPages';

/** Writable columns, as model property names, per kind. */
export type JobFields = Pick<
  JobModel,
  | 'externalId'
  | 'title'
  | 'description'
  | 'skills'
  | 'location'
  | 'latitude'
  | 'longitude'
  | 'remote'
  | 'minYearsExperience'
  | 'seniority'
  | 'salaryMin'
  | 'salaryMax'
  | 'status'
> &
  Partial<Pick<JobModel, DocumentColumn>>;
export type CandidateFields = Pick<
  CandidateModel,
  | 'externalId'
  | 'name'
  | 'headline'
  | 'resumeText'
  | 'skills'
  | 'location'
  | 'latitude'
  | 'longitude'
  | 'remote'
  | 'yearsExperience'
  | 'seniority'
  | 'salaryExpectation'
> &
  Partial<Pick<CandidateModel, DocumentColumn>>;
export interface ProfileFields {
  job: JobFields;
  candidate: CandidateFields;
}
export interface ProfileModels {
  job: JobModel;
  candidate: CandidateModel;
}

export interface UpsertedProfile<Kind extends ProfileKind> {
  profile: ProfileModels[Kind];
  created: boolean;
}

function modelOf(kind: ProfileKind): typeof ProfileModel {
  return profileModels[kind];
}

function hydrate<Kind extends ProfileKind>(kind: Kind, row: Record<string, unknown>): ProfileModels[Kind] {
  return modelOf(kind).fromDatabaseJson(row) as ProfileModels[Kind];
}

/**
 * Inserts or replaces profiles by the client's external id, in one statement. Every replaced row gets a new
 * revision (which the features job is keyed by). Callers pass rows with distinct external ids.
 */
export async function upsertProfiles<Kind extends ProfileKind>(
  trx: Knex.Transaction,
  kind: Kind,
  clientId: string,
  items: ProfileFields[Kind][],
): Promise<UpsertedProfile<Kind>[]> {
  if (items.length === 0) return [];
  const model = modelOf(kind);
  const table = model.tableName;
  const rows = items.map((item) =>
    model.fromJson({ ...item, clientId }, { skipValidation: true }).$toDatabaseJson(),
  );
  const updatable = Object.keys(rows[0] ?? {}).filter(
    (column) => column !== 'clientId' && column !== 'externalId',
  );
  const merge: Record<string, Knex.Raw> = Object.fromEntries(
    updatable.map((column) => [column, trx.raw('excluded.??', [column])]),
  );
  merge.revision = trx.raw('??.revision + 1', [table]);
  merge.updatedAt = trx.raw('now()');
  const returned = await trx(table)
    .insert(rows)
    .onConflict(['clientId', 'externalId'])
    .merge(merge)
    .returning<(Record<string, unknown> & { inserted: boolean })[]>(['*', trx.raw('(xmax = 0) AS inserted')]);
  return returned.map(({ inserted, ...row }) => ({ profile: hydrate(kind, row), created: inserted }));
}

const DOCUMENT_TABLES: Record<ProfileKind, string> = {
  job: 'job_documents',
  candidate: 'candidate_documents',
};

/**
 * Keeps the file each profile was written from, and drops the file of one written as text: the bytes of
 * `files[i]` (or none) for `ids[i]`.
 */
export async function storeDocuments(
  trx: Knex.Transaction,
  kind: ProfileKind,
  ids: readonly string[],
  files: readonly (Buffer | null)[],
): Promise<void> {
  const table = DOCUMENT_TABLES[kind];
  const kept = ids.flatMap((id, index) => {
    const bytes = files[index];
    return bytes ? [{ profileId: id, bytes }] : [];
  });
  const dropped = ids.filter((_, index) => !files[index]);
  if (dropped.length > 0) await trx(table).whereRaw('profile_id = ANY(?::uuid[])', [dropped]).delete();
  for (const row of kept) await trx(table).insert(row).onConflict('profileId').merge();
}

/** The file a client's profile was written from, or undefined when it was written as text (or is not theirs). */
export async function findDocument(
  db: Knex,
  kind: ProfileKind,
  clientId: string,
  id: string,
): Promise<{ filename: string; contentType: string; bytes: Buffer } | undefined> {
  const model = modelOf(kind);
  const row = await db(DOCUMENT_TABLES[kind])
    .join(model.tableName, `${model.tableName}.id`, `${DOCUMENT_TABLES[kind]}.profileId`)
    .where(`${model.tableName}.id`, id)
    .where(`${model.tableName}.clientId`, clientId)
    .first<{ documentFilename: string; documentContentType: string; bytes: Buffer } | undefined>(
      'documentFilename',
      'documentContentType',
      'bytes',
    );
  return row && { filename: row.documentFilename, contentType: row.documentContentType, bytes: row.bytes };
}

export async function findProfile<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  clientId: string,
  id: string,
): Promise<ProfileModels[Kind] | undefined> {
  const profile = await modelOf(kind).query(db).findOne({ id, clientId });
  return profile as unknown as ProfileModels[Kind] | undefined;
}

/** Unscoped lookup for workers, which act on ids that the API already checked against a client. */
/** What lockProfileWrite hashes, in front of the write's id. */
const WRITE_LOCK_PREFIX = 'profile_write:';

/**
 * Takes a transaction-scoped advisory lock named by one write of profiles (a batch is one write). The API
 * holds it from its first row to commit while it enqueues the rows' features jobs; one lock per write, not
 * per row, so a batch of any size takes one slot of Postgres's lock table.
 */
export async function lockProfileWrite(trx: Knex.Transaction, writeLock: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`${WRITE_LOCK_PREFIX}${writeLock}`]);
}

/**
 * Waits until the write that holds lockProfileWrite has committed or rolled back. Shared, so the features
 * jobs of one batch do not queue behind each other once it has.
 */
export async function awaitProfileWrite(trx: Knex.Transaction, writeLock: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock_shared(hashtextextended(?, 0))', [
    `${WRITE_LOCK_PREFIX}${writeLock}`,
  ]);
}

export async function findProfileById<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  id: string,
): Promise<ProfileModels[Kind] | undefined> {
  const profile = await modelOf(kind).query(db).findById(id);
  return profile as unknown as ProfileModels[Kind] | undefined;
}

/** A position in a list: created_at to the microsecond (a JS Date would drop them) and the id. */
export interface ListPosition {
  createdAt: string;
  id: string;
}

export interface Page<Item> {
  items: Item[];
  nextPosition: ListPosition | undefined;
}

export async function listProfiles<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  clientId: string,
  limit: number,
  after: ListPosition | undefined,
): Promise<Page<ProfileModels[Kind]>> {
  const query = modelOf(kind)
    .query(db)
    .select(
      '*',
      db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at`),
    )
    .where('clientId', clientId)
    .orderBy([
      { column: 'createdAt', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit + 1);
  if (after) query.whereRaw('(created_at, id) > (?::timestamptz, ?)', [after.createdAt, after.id]);
  const rows = (await query) as unknown as (ProfileModels[Kind] & { positionAt: string })[];
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextPosition: rows.length > limit && last ? { createdAt: last.positionAt, id: last.id } : undefined,
  };
}

export async function patchProfile<Kind extends ProfileKind>(
  trx: Knex.Transaction,
  kind: Kind,
  clientId: string,
  id: string,
  patch: Partial<ProfileFields[Kind]>,
): Promise<ProfileModels[Kind] | undefined> {
  const model = modelOf(kind);
  const columns = model.fromJson(patch, { skipValidation: true, patch: true }).$toDatabaseJson();
  const [row] = (await trx(model.tableName)
    .where({ id, clientId })
    .update({ ...columns, revision: trx.raw('revision + 1'), updatedAt: trx.raw('now()') })
    .returning('*')) as Record<string, unknown>[];
  return row ? hydrate(kind, row) : undefined;
}

export async function deleteProfile<Kind extends ProfileKind>(
  trx: Knex.Transaction,
  kind: Kind,
  clientId: string,
  id: string,
): Promise<ProfileModels[Kind] | undefined> {
  const model = modelOf(kind);
  const [row] = (await trx(model.tableName).where({ id, clientId }).delete().returning('*')) as Record<
    string,
    unknown
  >[];
  return row ? hydrate(kind, row) : undefined;
}

/** Stores features computed from `revision`; a no-op when the row has moved on (its own job will follow). */
export async function saveFeatures(
  db: Knex,
  kind: ProfileKind,
  id: string,
  revision: number,
  features: Features,
): Promise<boolean> {
  const updated = await db(modelOf(kind).tableName)
    .where({ id, revision })
    .update({ ...featureColumns(features), featuresRevision: revision });
  return updated > 0;
}

/**
 * The columns a profile's features are stored in: the document, and what candidate generation and hard
 * criteria read without it (skills, years, seniority, pay).
 */
export interface FeatureColumns {
  features: string;
  featuresVersion: number;
  skillKeys: string[];
  featuresYears: number | null;
  featuresSeniority: string | null;
  featuresSalaryMin: number | null;
  featuresSalaryMax: number | null;
  featuresLatitude: number | null;
  featuresLongitude: number | null;
}

export function featureColumns(features: Features): FeatureColumns {
  return {
    features: JSON.stringify(features),
    featuresVersion: features.version,
    skillKeys: features.skills,
    featuresYears: features.years,
    featuresSeniority: features.seniority,
    featuresSalaryMin: features.salary?.min ?? null,
    featuresSalaryMax: features.salary?.max ?? null,
    featuresLatitude: coordinatesOf(features.place)?.lat ?? null,
    featuresLongitude: coordinatesOf(features.place)?.lon ?? null,
  };
}

/** Rows whose stored features are missing, from an older extractor, or from an older revision. */
export async function findProfilesWithStaleFeatures<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  clientId: string,
  version: number,
  limit: number,
): Promise<ProfileModels[Kind][]> {
  // Two branches, each an index condition (migration 20261125000003_match_indexes): with all four
  // conditions OR-ed the planner takes "features_revision IS DISTINCT FROM revision" for 99.5% of the rows
  // and scans the table. Features missing or from another version: (client_id, features_version), with
  // "<>" written as "<" or ">" so the btree answers it. From an older revision: a partial index that
  // holds only those rows. One UNION ALL statement, as every match asks and nearly always gets nothing.
  const table = modelOf(kind).tableName;
  const rows = (await db.unionAll(
    [
      db(table)
        .where('clientId', clientId)
        .where((builder) => {
          builder
            .whereNull('featuresVersion')
            .orWhere('featuresVersion', '<', version)
            .orWhere('featuresVersion', '>', version);
        })
        .limit(limit),
      db(table)
        .where('clientId', clientId)
        .whereRaw('features_revision IS DISTINCT FROM revision')
        .limit(limit),
    ],
    true,
  )) as (Record<string, unknown> & { id: string })[];
  const seen = new Set<string>();
  const stale: ProfileModels[Kind][] = [];
  for (const row of rows) {
    if (stale.length >= limit) break;
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    stale.push(hydrate(kind, row));
  }
  return stale;
}

/**
 * A page of rows whose features are missing or from an older revision (their features job is due), last
 * written more than `minAgeMs` ago by the database's clock, in id order after `afterId`. The condition is
 * the partial index's (migration 20261125000003_match_indexes). Rows from an older extractor version are
 * not due a job but a backfill (`npm run features:backfill`).
 */
export async function findRowsAwaitingFeatures(
  db: Knex,
  kind: ProfileKind,
  minAgeMs: number,
  afterId: string | null,
  limit: number,
): Promise<{ id: string; revision: number }[]> {
  const query = modelOf(kind)
    .query(db)
    .select('id', 'revision')
    .whereRaw('features_revision IS DISTINCT FROM revision')
    .whereRaw("updated_at < now() - ? * interval '1 millisecond'", [minAgeMs])
    .orderBy('id')
    .limit(limit);
  if (afterId !== null) query.where('id', '>', afterId);
  return (await query).map(({ id, revision }) => ({ id, revision }));
}

export interface PoolQuery {
  clientId: string;
  skills: string[];
  /** Plain lowercase words; any of them in the target's text makes it a candidate. */
  words: string[];
  filters: MatchFilters;
  featuresVersion: number;
  limit: number;
  /** Targets the match shows (its topK): a pool shorter than this is filled from the rows that pass the filters. */
  wanted: number;
}

/**
 * A pool's terms may pull in about this many times the pool's limit before the commonest are left out, and
 * a pool holds at most this many times the limit.
 */
const POOL_TERM_BUDGET = 2;
/** How often a pool that came back short is widened before every term is used. */
const POOL_WIDENINGS = 2;

interface PoolTerm {
  kind: 'skill' | 'word';
  term: string;
  /** Estimated rows of the client that have it. */
  rows: number;
  /** Whether the statistics list it; the others are rarer, and may match nothing at all. */
  listed: boolean;
}

interface PoolTerms {
  skills: string[];
  words: string[];
  /** Whether every skill and word of the subject is among them. */
  complete: boolean;
  /** Rows the statistics list for them (unlisted terms left out): what they surely pull in. */
  listedRows: number;
}

/**
 * The last count of each large client's rows (see countClientRows), by table, client and features version,
 * least recently counted first.
 */
const clientRowCounts = new Map<string, { rows: number; countedAt: number }>();
/** A count this old is taken again. */
const CLIENT_ROWS_MAX_AGE_MS = 60_000;
const CLIENT_ROWS_REMEMBERED = 10_000;

const clientRowsKey = (table: string, pool: Pick<PoolQuery, 'clientId' | 'featuresVersion'>): string =>
  `${table}:${pool.clientId}:${pool.featuresVersion}`;

function rememberedClientRows(
  table: string,
  pool: Pick<PoolQuery, 'clientId' | 'featuresVersion'>,
): number | undefined {
  const counted = clientRowCounts.get(clientRowsKey(table, pool));
  return counted !== undefined && Date.now() - counted.countedAt < CLIENT_ROWS_MAX_AGE_MS
    ? counted.rows
    : undefined;
}

/**
 * The client's rows with features of the current version: every row a pool could draw. Counting reads
 * the client's whole index (a million-row client: tens of milliseconds on every match), and the figure only
 * chooses between ranking the board whole and candidate generation and sizes the term budget, so a count
 * up to a minute old is used again. It never decides which rows a match ranks: the pool query does.
 */
async function countClientRows(db: Knex, table: string, pool: PoolQuery): Promise<number> {
  const remembered = rememberedClientRows(table, pool);
  if (remembered !== undefined) return remembered;
  const counted = (await db(table)
    .count({ rows: '*' })
    .where('clientId', pool.clientId)
    .where('featuresVersion', pool.featuresVersion)
    .first()) as { rows: string | number } | undefined;
  const rows = Number(counted?.rows ?? 0);
  const key = clientRowsKey(table, pool);
  clientRowCounts.delete(key);
  clientRowCounts.set(key, { rows, countedAt: Date.now() });
  for (const oldest of clientRowCounts.keys()) {
    if (clientRowCounts.size <= CLIENT_ROWS_REMEMBERED) break;
    clientRowCounts.delete(oldest);
  }
  return rows;
}

/**
 * How many of the client's rows each of the subject's skills and words would pull into the pool, rarest
 * first, from the planner's statistics: the share of the table's rows that have the skill or the word's
 * lexeme (pg_stats most_common_elems; below the least common one, half its share, as the planner assumes)
 * times the client's row count. Undefined, meaning "use every term", when the client's rows fit the budget
 * anyway or the table has no statistics yet (never analysed).
 */
async function estimatePoolTerms(
  db: Knex,
  table: string,
  pool: PoolQuery,
  clientRows: number,
): Promise<PoolTerm[] | undefined> {
  if (clientRows <= POOL_TERM_BUDGET * pool.limit) return undefined;

  const result = await db.raw<{
    rows: { kind: 'skill' | 'word'; term: string; share: number | null; listed: boolean }[];
  }>(
    `WITH subject AS (
       SELECT 'skill' AS kind, 'skill_keys'::name AS col, term, term AS elem FROM unnest(?::text[]) AS term
       UNION ALL
       SELECT 'word', 'search_vector'::name, term,
              (SELECT min(lexeme) FROM unnest(to_tsvector('english', term)))
       FROM unnest(?::text[]) AS term
     ), stats AS (
       SELECT attname AS col, most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
       FROM pg_stats
       WHERE schemaname = current_schema() AND tablename = ? AND attname IN ('skill_keys', 'search_vector')
     ), common AS (
       SELECT stats.col, m.elem, m.freq
       FROM stats, unnest(stats.elems, stats.freqs[1:cardinality(stats.elems)]) AS m(elem, freq)
       WHERE m.elem IN (SELECT elem FROM subject)
     )
     SELECT subject.kind, subject.term,
            CASE WHEN subject.elem IS NULL THEN 0 -- a stop word: to_tsquery drops it
                 ELSE coalesce(common.freq, stats.freqs[cardinality(stats.elems) + 1] / 2) END AS share,
            common.freq IS NOT NULL AS listed
     FROM subject
     LEFT JOIN stats ON stats.col = subject.col
     LEFT JOIN common ON common.col = subject.col AND common.elem = subject.elem`,
    [pool.skills, pool.words, table],
  );
  const terms: PoolTerm[] = [];
  for (const { kind, term, share, listed } of result.rows) {
    if (share === null) return undefined;
    terms.push({ kind, term, rows: share * clientRows, listed });
  }
  return terms.sort((a, b) => a.rows - b.rows);
}

/**
 * The rarest terms whose estimated rows add up to `budget`; past it only while the listed ones among them
 * (unlisted rare words often match nothing: names, typos) add up to less than `wanted`, a full pool, so a
 * subject whose terms are all common or all odd still gets candidates.
 */
function takePoolTerms(terms: readonly PoolTerm[], budget: number, wanted: number): PoolTerms {
  const taken: PoolTerms = { skills: [], words: [], complete: false, listedRows: 0 };
  let expected = 0;
  let listed = 0;
  let count = 0;
  for (const term of terms) {
    if (listed >= wanted && expected + term.rows > budget) break;
    (term.kind === 'skill' ? taken.skills : taken.words).push(term.term);
    expected += term.rows;
    if (term.listed) listed += term.rows;
    count += 1;
  }
  taken.complete = count === terms.length;
  taken.listedRows = listed;
  return taken;
}

/** The client's rows a match may rank: current features, open jobs only, and the request's filters. */
function eligibleTargets(
  db: Knex,
  kind: ProfileKind,
  pool: Pick<PoolQuery, 'clientId' | 'filters' | 'featuresVersion'>,
): Knex.QueryBuilder {
  const query = db(modelOf(kind).tableName)
    .select('id', 'externalId', 'featuresRevision')
    .where('clientId', pool.clientId)
    .where('featuresVersion', pool.featuresVersion);
  if (kind === 'job') query.where('status', 'open');
  whereTargetFilters(query, kind, pool.filters);
  return query;
}

const skillKeys = (names: readonly string[]): string[] => [
  ...new Set(names.map((name) => normaliseSkill(name))),
];

/**
 * A match's hard criteria (lib/schemas.ts, targetFilters) as conditions on the target rows. Skills are read
 * as the vocabulary's keys, as profiles store them; years, seniority and pay as the features extracted them
 * (stated or found in the text, copied into columns by featureColumns), so a filter sees what scoring sees.
 */
function whereTargetFilters(query: Knex.QueryBuilder, kind: ProfileKind, filters: MatchFilters): void {
  if (filters.remote !== undefined) query.where('remote', filters.remote);
  if (filters.location !== undefined) whereLocationContains(query, filters.location);
  if (filters.requiredSkills) query.whereRaw('skill_keys @> ?::text[]', [skillKeys(filters.requiredSkills)]);
  if (filters.anySkills) query.whereRaw('skill_keys && ?::text[]', [skillKeys(filters.anySkills)]);
  if (filters.excludeSkills)
    query.whereRaw('NOT (skill_keys && ?::text[])', [skillKeys(filters.excludeSkills)]);
  // A job that states no years asks for none; a candidate's unknown years meet no bound.
  const years = kind === 'job' ? 'coalesce(features_years, 0)' : 'features_years';
  if (filters.minYearsExperience !== undefined) query.whereRaw(`${years} >= ?`, [filters.minYearsExperience]);
  if (filters.maxYearsExperience !== undefined) query.whereRaw(`${years} <= ?`, [filters.maxYearsExperience]);
  if (filters.seniority) query.whereRaw('features_seniority = ANY(?::text[])', [filters.seniority]);
  if (filters.salary?.min !== undefined) query.where('featuresSalaryMax', '>=', filters.salary.min);
  if (filters.salary?.max !== undefined) query.where('featuresSalaryMin', '<=', filters.salary.max);
  if (filters.near) whereNear(query, kind, filters.near, filters.radiusKm ?? DEFAULT_RADIUS_KM);
  if (filters.excludeIds) query.whereRaw('id <> ALL(?::uuid[])', [filters.excludeIds]);
  if (filters.postedAfter !== undefined) whereAfter(query, 'created_at', filters.postedAfter);
  if (filters.updatedAfter !== undefined) whereAfter(query, 'updated_at', filters.updatedAfter);
}

/**
 * Targets within `radiusKm` of a point (haversine over the features' coordinates); a remote job is near
 * every point. A target whose place is unknown is near none.
 */
function whereNear(query: Knex.QueryBuilder, kind: ProfileKind, near: Coordinates, radiusKm: number): void {
  const within = `2 * ${EARTH_RADIUS_KM} * asin(least(1, sqrt(
      power(sin(radians(features_latitude - ?) / 2), 2)
      + cos(radians(?)) * cos(radians(features_latitude)) * power(sin(radians(features_longitude - ?) / 2), 2)
    ))) <= ?`;
  const bindings = [near.lat, near.lat, near.lon, radiusKm];
  if (kind === 'job')
    query.where((builder) => {
      builder.where('remote', true).orWhereRaw(within, bindings);
    });
  else query.whereRaw(within, bindings);
}

/**
 * A row's timestamp after a moment a client sent. Clients see timestamps to the millisecond while Postgres
 * keeps microseconds, so the column is compared at the client's precision: "after" a row's own createdAt
 * must leave that row out.
 */
export function whereAfter(
  query: { whereRaw(sql: string, bindings: string[]): unknown },
  column: 'created_at' | 'updated_at',
  moment: string,
): void {
  query.whereRaw(`date_trunc('milliseconds', ${column}) > ?::timestamptz`, [moment]);
}

/** A location filter: the row's location contains the text, whatever its case (LIKE's wildcards escaped). */
export function whereLocationContains(
  query: { whereRaw(sql: string, bindings: string[]): unknown },
  location: string,
): void {
  query.whereRaw("location ILIKE '%' || ? || '%'", [location.replace(/[%_\\]/g, '\\$&')]);
}

/**
 * Every row a match of the client may rank (see eligibleTargets), when there are no more than one pool may
 * hold (twice the limit, as findMatchPool); null when there are more. A bulk run ranks each subject
 * against this whole board when it is that small, instead of asking candidate generation per subject.
 */
export async function findWholeBoard(
  db: Knex,
  kind: ProfileKind,
  pool: Pick<PoolQuery, 'clientId' | 'filters' | 'featuresVersion' | 'limit'>,
): Promise<PoolMember[] | null> {
  const cap = POOL_TERM_BUDGET * pool.limit;
  if ((rememberedClientRows(modelOf(kind).tableName, pool) ?? 0) > cap) return null;
  const rows = (await eligibleTargets(db, kind, pool).limit(cap + 1)) as PoolMember[];
  return rows.length > cap ? null : rows;
}

/**
 * Up to `cap` of the client's rows that have one of the terms and pass the filters; with `ranked`, the best
 * by text rank (ts_rank), else in no particular order.
 */
async function poolRows(
  db: Knex,
  kind: ProfileKind,
  pool: PoolQuery,
  terms: PoolTerms,
  cap: number,
  ranked: boolean,
): Promise<PoolMember[]> {
  const tsQuery = terms.words.join(' | ');
  const query = eligibleTargets(db, kind, pool)
    .where((builder) => {
      builder.whereRaw('skill_keys && ?::text[]', [terms.skills]);
      if (tsQuery) builder.orWhereRaw("search_vector @@ to_tsquery('english', ?)", [tsQuery]);
    })
    .limit(cap);
  // When only skills were kept, their rows are ranked by all of the subject's words. ts_rank, not
  // ts_rank_cd: the cover density of a 40-word query costs ~75 µs a row, ten times as much.
  const rankQuery = tsQuery || pool.words.join(' | ');
  if (ranked && rankQuery)
    query.orderByRaw("ts_rank(search_vector, to_tsquery('english', ?)) DESC", [rankQuery]);
  return (await query) as PoolMember[];
}

export interface PoolMember {
  id: string;
  externalId: string;
  featuresRevision: number;
}

/**
 * Candidate generation: the client's rows (open jobs only) that share a skill or a word with the subject,
 * both through GIN indexes. Scoring then runs on this pool, never on the whole table.
 *
 * For a client with many rows, the subject's commonest terms ("experience", "team", SQL) would pull in
 * nearly every row, so the pool is drawn from its rarest terms, adding terms from the rarest up until their
 * estimated rows reach twice the limit. A pool that comes back short of the limit (filters, or fewer matches
 * than estimated) is drawn again from more terms, and at last from all. Every row the terms pull in, up to
 * twice the limit, is in the pool: the worker scores them all, which costs less than text-ranking them here
 * to keep the best (ts_rank reads each row's TOASTed search_vector: ~15 µs a row against ~6 µs to score it,
 * and workers scale out where Postgres does not). Only when the terms pull in more than that are they text
 * ranked to keep the best. Only ids and features revisions come back: the features (the bulk of the
 * transfer) are fetched by findFeatures for the members a worker has not compiled yet.
 */
export async function findMatchPool(db: Knex, kind: ProfileKind, pool: PoolQuery): Promise<PoolMember[]> {
  const model = modelOf(kind);
  const clientRows = await countClientRows(db, model.tableName, pool);
  const estimates = await estimatePoolTerms(db, model.tableName, pool, clientRows);
  // The terms' estimates count every row; the filters keep this share of them, and of a full pool.
  const share = estimates ? await filterShare(db, kind, pool) : 1;
  const enough = pool.limit * share;
  const everyTerm: PoolTerms = { skills: pool.skills, words: pool.words, complete: true, listedRows: 0 };
  const cap = POOL_TERM_BUDGET * pool.limit;
  let budget = cap;
  let members: PoolMember[] = [];
  for (let attempt = 0; ; attempt += 1) {
    const terms =
      estimates && attempt <= POOL_WIDENINGS ? takePoolTerms(estimates, budget, pool.limit) : everyTerm;
    // Terms the statistics list for a full pool are ranked at once: an unranked first read would only
    // confirm that they pull in too many. Either way the same rows come back (all of them, when fewer).
    const surelyFull = terms.listedRows * share >= cap;
    members = await poolRows(db, kind, pool, terms, cap, surelyFull);
    if (members.length >= cap) return surelyFull ? members : poolRows(db, kind, pool, terms, cap, true);
    if (terms.complete || members.length >= enough) return fillShortPool(db, kind, pool, members);
    // Widen by the shortfall (with a margin): half the rows expected came back, so take twice the terms.
    budget *= Math.max(2, (1.5 * enough) / Math.max(members.length, enough / 100));
  }
}

/** A share below this is taken as this: the planner's estimates are rough at the low end. */
const MIN_FILTER_SHARE = 0.01;

/**
 * The share of the client's eligible rows that pass the request's filters, from the planner's estimates
 * (two EXPLAINs, no rows read), or 1 when there are no filters. A filtered pool is drawn from the same
 * terms as a plain one and is full at this share of the limit: what the filters leave of a plain pool.
 * Drawing more terms until a filtered pool is as long as a plain one reads the rows the filters drop too,
 * which made a filtered match dearer than a plain one.
 */
async function filterShare(db: Knex, kind: ProfileKind, pool: PoolQuery): Promise<number> {
  if (Object.keys(pool.filters).length === 0) return 1;
  const all = await plannedRows(db, eligibleTargets(db, kind, { ...pool, filters: {} }));
  const passing = await plannedRows(db, eligibleTargets(db, kind, pool));
  return Math.min(1, Math.max(MIN_FILTER_SHARE, passing / Math.max(all, 1)));
}

async function plannedRows(db: Knex, query: Knex.QueryBuilder): Promise<number> {
  const { sql, bindings } = query.toSQL();
  const result = await db.raw<{ rows: { 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }[] }>(
    `EXPLAIN (FORMAT JSON) ${sql}`,
    [...bindings],
  );
  return result.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0;
}

/**
 * A pool that every term drew shorter than the match shows is filled with other rows that pass the filters,
 * so a match never shows fewer targets than it asked for while enough pass: a subject that shares no word
 * with a board, or hard criteria that few of the term rows meet, still gets a full answer.
 */
async function fillShortPool(
  db: Knex,
  kind: ProfileKind,
  pool: PoolQuery,
  members: PoolMember[],
): Promise<PoolMember[]> {
  if (members.length >= pool.wanted) return members;
  const others = (await eligibleTargets(db, kind, pool)
    .whereRaw('id <> ALL(?::uuid[])', [members.map((member) => member.id)])
    .limit(POOL_TERM_BUDGET * pool.limit - members.length)) as PoolMember[];
  return [...members, ...others];
}

export interface StoredFeatures {
  id: string;
  featuresRevision: number;
  features: Features;
}

/** The stored features of some of a client's rows, at the given features version (others are left out). */
export async function findFeatures(
  db: Knex,
  kind: ProfileKind,
  clientId: string,
  ids: readonly string[],
  featuresVersion: number,
): Promise<StoredFeatures[]> {
  if (ids.length === 0) return [];
  return (await modelOf(kind)
    .query(db)
    .select('id', 'featuresRevision', 'features')
    .whereRaw('id = ANY(?::uuid[])', [ids])
    .where('clientId', clientId)
    .where('featuresVersion', featuresVersion)
    .whereNotNull('featuresRevision')) as unknown as StoredFeatures[];
}
