import type { Knex } from 'knex';

import type { Features } from '../matching/features.js';
import type { ProfileKind } from '../queues/registry.js';
import {
  CandidateModel,
  JobModel,
  profileModels,
  type AnyProfileModel,
  type ProfileModel,
  type MatchFilters,
} from './models.js';

/** Writable columns, as model property names, per kind. */
export type JobFields = Pick<
  JobModel,
  | 'externalId'
  | 'title'
  | 'description'
  | 'skills'
  | 'location'
  | 'remote'
  | 'minYearsExperience'
  | 'seniority'
  | 'salaryMin'
  | 'salaryMax'
  | 'status'
>;
export type CandidateFields = Pick<
  CandidateModel,
  | 'externalId'
  | 'name'
  | 'headline'
  | 'resumeText'
  | 'skills'
  | 'location'
  | 'remote'
  | 'yearsExperience'
  | 'seniority'
  | 'salaryExpectation'
>;
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

export async function findProfile<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  clientId: string,
  id: string,
): Promise<ProfileModels[Kind] | undefined> {
  const profile = await modelOf(kind).query(db).findOne({ id, clientId });
  return profile as unknown as ProfileModels[Kind] | undefined;
}

/** A position in a list: created_at to the microsecond (a JS Date would drop them) and the id. */
/** Unscoped lookup for workers, which act on ids that the API already checked against a client. */
export async function findProfileById<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  id: string,
): Promise<ProfileModels[Kind] | undefined> {
  const profile = await modelOf(kind).query(db).findById(id);
  return profile as unknown as ProfileModels[Kind] | undefined;
}

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
    .update({
      features: JSON.stringify(features),
      featuresVersion: features.version,
      featuresRevision: revision,
      skillKeys: features.skills,
    });
  return updated > 0;
}

/** Rows whose stored features are missing, from an older extractor, or from an older revision. */
export async function findProfilesWithStaleFeatures<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  clientId: string,
  version: number,
  limit: number,
): Promise<ProfileModels[Kind][]> {
  const rows = await modelOf(kind)
    .query(db)
    .where('clientId', clientId)
    .where((builder) => {
      builder
        .whereNull('featuresVersion')
        .orWhere('featuresVersion', '<>', version)
        .orWhereRaw('features_revision <> revision');
    })
    .limit(limit);
  return rows as unknown as ProfileModels[Kind][];
}

export interface PoolQuery {
  clientId: string;
  skills: string[];
  /** Plain lowercase words; any of them in the target's text makes it a candidate. */
  words: string[];
  filters: MatchFilters;
  featuresVersion: number;
  limit: number;
}

/**
 * Candidate generation: the client's rows (open jobs only) that share a skill or a word with the subject,
 * both through GIN indexes, best text rank first. Scoring then runs on this pool, never on the whole table.
 */
export async function findMatchPool(
  db: Knex,
  kind: ProfileKind,
  pool: PoolQuery,
): Promise<AnyProfileModel[]> {
  const model = modelOf(kind);
  const tsQuery = pool.words.join(' | ');
  const query = model
    .query(db)
    .select('id', 'externalId', 'features')
    .where('clientId', pool.clientId)
    .where('featuresVersion', pool.featuresVersion)
    .where((builder) => {
      builder.whereRaw('skill_keys && ?::text[]', [pool.skills]);
      if (tsQuery) builder.orWhereRaw("search_vector @@ to_tsquery('english', ?)", [tsQuery]);
    })
    .limit(pool.limit);
  if (tsQuery) query.orderByRaw("ts_rank_cd(search_vector, to_tsquery('english', ?)) DESC", [tsQuery]);
  if (kind === 'job') query.where('status', 'open');
  if (pool.filters.remote !== undefined) query.where('remote', pool.filters.remote);
  if (pool.filters.location !== undefined) {
    query.whereRaw("location ILIKE '%' || ? || '%'", [pool.filters.location.replace(/[%_\\]/g, '\\$&')]);
  }
  return (await query) as unknown as AnyProfileModel[];
}
