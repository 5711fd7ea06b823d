import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import type { CandidateModel, JobModel } from './db/models.js';
import { recordEvent } from './db/outbox.js';
import {
  awaitProfileWrite,
  deleteProfile,
  findProfile,
  findProfileById,
  listProfiles,
  lockProfileWrite,
  patchProfile,
  saveFeatures,
  upsertProfiles,
  type ListPosition,
  type ProfileFields,
  type ProfileModels,
  storeDocuments,
} from './db/profiles.js';
import { ConflictError, NotFoundError, RevisionNotWrittenError, ValidationError } from './errors.js';
import { findStaleFeaturePage } from './db/backfill.js';
import { isUniqueViolation } from './db/errors.js';
import {
  embedFeatures,
  extractCandidateFeatures,
  extractJobFeatures,
  FEATURES_VERSION,
  semanticText,
  type Embedder,
  type CandidateText,
  type Features,
  type JobText,
} from './matching/features.js';
import type { Queues } from './queues/queues.js';
import type { ProfileKind } from './queues/registry.js';
import type { CandidateInput, CandidatePatch, JobInput, JobPatch } from './schemas.js';
import type { Coordinates } from './geo/gazetteer.js';
import type { DocumentLimits } from './config.js';
import { convertDocument, type ConvertedDocument, type DocumentUpload } from './documents/documents.js';

export interface ProfileInputs {
  job: JobInput;
  candidate: CandidateInput;
}
export interface ProfilePatches {
  job: JobPatch;
  candidate: CandidatePatch;
}

interface Deps {
  db: Knex;
  queues: Queues;
}

/** An input whose file, when it came as one, is read (readDocument): its text in place, the file to keep. */
export type ReadInput<Kind extends ProfileKind> = Omit<ProfileInputs[Kind], 'document'> & {
  file?: ConvertedDocument;
};

/** The longest text each kind keeps, as its schema allows when the text is sent as text. */
const TEXT_LIMITS: Record<ProfileKind, number> = { job: 100_000, candidate: 200_000 };

/**
 * Reads the file an input (or a patch) came with into the text field it stands for; a 422 naming
 * `pointer` when it cannot be read (see convertDocument) or holds more text than the field may.
 */
export async function readDocument<Input extends { document?: DocumentUpload }>(
  kind: ProfileKind,
  input: Input,
  limits: DocumentLimits,
  pointer: string,
): Promise<Omit<Input, 'document'> & { file?: ConvertedDocument }> {
  const { document, ...rest } = input;
  if (document === undefined) return rest;
  const file = await convertDocument(document, limits, pointer);
  if (file.text.length > TEXT_LIMITS[kind]) {
    const detail = `its text is ${file.text.length} characters, more than the ${TEXT_LIMITS[kind]} a profile may hold`;
    throw new ValidationError(`The document ${JSON.stringify(document.filename)} was refused: ${detail}.`, [
      { pointer, detail },
    ]);
  }
  return { ...rest, [kind === 'job' ? 'description' : 'resumeText']: file.text, file };
}

/** The columns that describe a profile's file; all null for a profile written as text. */
function documentColumns(file: ConvertedDocument | undefined) {
  return {
    documentFilename: file?.filename ?? null,
    documentContentType: file?.contentType ?? null,
    documentSize: file?.bytes.length ?? null,
    documentPages: file?.pages ?? null,
  };
}

function textOf(input: { description?: string | undefined; resumeText?: string | undefined }): string {
  const text = input.description ?? input.resumeText;
  if (text === undefined) throw new Error('a profile input reached the database with its document unread');
  return text;
}

/** An upsert replaces the whole profile: a field left out is cleared, not kept from before. */
function toFields<Kind extends ProfileKind>(kind: Kind, input: ReadInput<Kind>): ProfileFields[Kind] {
  if (kind === 'job') {
    const job = input as ReadInput<'job'>;
    const fields: ProfileFields['job'] = {
      externalId: job.externalId,
      title: job.title,
      description: textOf(job),
      ...documentColumns(job.file),
      skills: job.skills ?? [],
      ...locationColumns(job.location ?? null),
      remote: job.remote ?? null,
      minYearsExperience: job.minYearsExperience ?? null,
      seniority: job.seniority ?? null,
      salaryMin: job.salaryMin ?? null,
      salaryMax: job.salaryMax ?? null,
      status: job.status ?? 'open',
    };
    return fields as ProfileFields[Kind];
  }
  const candidate = input as ReadInput<'candidate'>;
  const fields: ProfileFields['candidate'] = {
    externalId: candidate.externalId,
    name: candidate.name ?? null,
    headline: candidate.headline ?? null,
    resumeText: textOf(candidate),
    ...documentColumns(candidate.file),
    skills: candidate.skills ?? [],
    ...locationColumns(candidate.location ?? null),
    remote: candidate.remote ?? null,
    yearsExperience: candidate.yearsExperience ?? null,
    seniority: candidate.seniority ?? null,
    salaryExpectation: candidate.salaryExpectation ?? null,
  };
  return fields as ProfileFields[Kind];
}

/** A location as the client sent it, a place name or coordinates, as the columns that store it. */
function locationColumns(location: string | Coordinates | null): {
  location: string | null;
  latitude: number | null;
  longitude: number | null;
} {
  return typeof location === 'object' && location !== null
    ? { location: null, latitude: location.lat, longitude: location.lon }
    : { location, latitude: null, longitude: null };
}

/**
 * Writes rows, their events and their features jobs as one unit: the jobs are enqueued before the
 * transaction commits, so if Redis is down the rows roll back and the client is told to retry (503). The
 * write's lock (lockProfileWrite) is held until then, so a worker that gets a job first waits for the
 * commit instead of failing an attempt (extractAndStoreFeatures).
 */
async function writeAndEnqueue<Result extends { profile: JobModel | CandidateModel }>(
  deps: Deps,
  kind: ProfileKind,
  write: (trx: Knex.Transaction) => Promise<Result[]>,
): Promise<Result[]> {
  const writeLock = randomUUID();
  return deps.db.transaction(async (trx) => {
    await lockProfileWrite(trx, writeLock);
    const results = await write(trx);
    await deps.queues.addBulk(
      'features',
      results.map(({ profile }) => ({ kind, id: profile.id, revision: profile.revision, writeLock })),
    );
    return results;
  });
}

export interface UpsertOutcome<Kind extends ProfileKind> {
  profile: ProfileModels[Kind];
  created: boolean;
}

/**
 * Upserts many profiles by external id in one transaction. When the same external id appears more than
 * once the last one wins, and every position that named it gets the same outcome.
 */
export async function upsertMany<Kind extends ProfileKind>(
  deps: Deps,
  kind: Kind,
  clientId: string,
  inputs: ReadInput<Kind>[],
): Promise<UpsertOutcome<Kind>[]> {
  const lastByExternalId = new Map<string, ReadInput<Kind>>();
  for (const input of inputs) lastByExternalId.set(input.externalId, input);
  const written = [...lastByExternalId.values()];
  const outcomes = await writeAndEnqueue(deps, kind, async (trx) => {
    const upserted = await upsertProfiles(
      trx,
      kind,
      clientId,
      written.map((input) => toFields(kind, input)),
    );
    await storeDocuments(
      trx,
      kind,
      upserted.map(({ profile }) => profile.id),
      upserted.map(({ profile }) => lastByExternalId.get(profile.externalId)?.file?.bytes ?? null),
    );
    for (const { profile, created } of upserted) {
      await recordEvent(trx, clientId, created ? `${kind}.created.v1` : `${kind}.updated.v1`, profile.id, {
        id: profile.id,
        externalId: profile.externalId,
        revision: profile.revision,
      });
    }
    return upserted;
  });
  const byExternalId = new Map(outcomes.map((outcome) => [outcome.profile.externalId, outcome]));
  return inputs.map((input) => {
    const outcome = byExternalId.get(input.externalId);
    if (!outcome) throw new Error(`upsert returned no row for external id ${input.externalId}`);
    return outcome;
  });
}

export async function upsertOne<Kind extends ProfileKind>(
  deps: Deps,
  kind: Kind,
  clientId: string,
  input: ReadInput<Kind>,
): Promise<UpsertOutcome<Kind>> {
  const [outcome] = await upsertMany(deps, kind, clientId, [input]);
  if (!outcome) throw new Error('upsert returned nothing');
  return outcome;
}

export async function getProfile<Kind extends ProfileKind>(
  db: Knex,
  kind: Kind,
  clientId: string,
  id: string,
): Promise<ProfileModels[Kind]> {
  const profile = await findProfile(db, kind, clientId, id);
  if (!profile) throw new NotFoundError(`No ${kind} with id ${id}.`);
  return profile;
}

export async function updateProfile<Kind extends ProfileKind>(
  deps: Deps,
  kind: Kind,
  clientId: string,
  id: string,
  patch: Omit<ProfilePatches[Kind], 'document'> & { file?: ConvertedDocument },
): Promise<ProfileModels[Kind]> {
  try {
    const [result] = await writeAndEnqueue(deps, kind, async (trx) => {
      const { location, file, ...rest } = patch;
      // A new text, sent as text or as a file, replaces the file the profile was read from.
      const newText = file !== undefined || 'description' in rest || 'resumeText' in rest;
      const fields = {
        ...rest,
        ...(location === undefined ? {} : locationColumns(location)),
        ...(newText ? documentColumns(file) : {}),
      };
      const profile = await patchProfile(trx, kind, clientId, id, fields as Partial<ProfileFields[Kind]>);
      if (!profile) throw new NotFoundError(`No ${kind} with id ${id}.`);
      if (newText) await storeDocuments(trx, kind, [profile.id], [file?.bytes ?? null]);
      await recordEvent(trx, clientId, `${kind}.updated.v1`, profile.id, {
        id: profile.id,
        externalId: profile.externalId,
        revision: profile.revision,
      });
      return [{ profile }];
    });
    if (!result) throw new Error('update returned nothing');
    return result.profile;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`Another ${kind} already has externalId ${String(patch.externalId)}.`, [
        { pointer: '/externalId', detail: 'already used by another record of this client' },
      ]);
    }
    throw error;
  }
}

export async function removeProfile(
  db: Knex,
  kind: ProfileKind,
  clientId: string,
  id: string,
): Promise<void> {
  await db.transaction(async (trx) => {
    const profile = await deleteProfile(trx, kind, clientId, id);
    if (!profile) throw new NotFoundError(`No ${kind} with id ${id}.`);
    await recordEvent(trx, clientId, `${kind}.deleted.v1`, profile.id, {
      id: profile.id,
      externalId: profile.externalId,
    });
  });
}

export { listProfiles };

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/** The position's timestamp as the list queries write it (to_char, microseconds, UTC). */
const CURSOR_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Only what encodeCursor writes may reach SQL: Postgres must be able to cast both parts, or a crafted
 * cursor becomes a 500 (fuzzing found "Thu Jan 01 1970 ..." and 36 dashes, which Date.parse and the old
 * [0-9a-f-]{36} check let through). The round trip through Date also refuses days like February 30.
 */
function isPosition(time: string, id: string): boolean {
  const year = CURSOR_TIME.exec(time)?.[1];
  if (year === undefined || Number(year) < 1 || !CURSOR_ID.test(id)) return false;
  const parsed = new Date(time);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === time.slice(0, 19);
}

export function decodeCursor(cursor: string): ListPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string' &&
      isPosition(decoded[0], decoded[1])
    ) {
      return { createdAt: decoded[0], id: decoded[1] };
    }
  } catch {
    // Falls through to the validation error below.
  }
  throw new ValidationError('The cursor is not one this API returned.', [
    { pointer: '/cursor', detail: 'use the nextCursor value of the previous page as it was given' },
  ]);
}

/** A row's features: wink-nlp's reading of its text, then the sentence embeddings of it. */
export async function computeFeatures(
  kind: ProfileKind,
  profile: JobModel | CandidateModel,
  embedder: Embedder,
): Promise<Features> {
  const coordinates =
    profile.latitude === null || profile.longitude === null
      ? null
      : { lat: profile.latitude, lon: profile.longitude };
  const common = { skills: profile.skills, location: profile.location, coordinates, remote: profile.remote };
  if (kind === 'job') {
    const job = profile as JobModel;
    const text: JobText = {
      ...common,
      title: job.title,
      description: job.description,
      minYearsExperience: job.minYearsExperience,
      seniority: job.seniority,
      salaryMin: job.salaryMin,
      salaryMax: job.salaryMax,
    };
    const features = extractJobFeatures(text);
    return embedFeatures(features, semanticText({ kind, text }, features), embedder);
  }
  const candidate = profile as CandidateModel;
  const text: CandidateText = {
    ...common,
    headline: candidate.headline,
    resumeText: candidate.resumeText,
    yearsExperience: candidate.yearsExperience,
    seniority: candidate.seniority,
    salaryExpectation: candidate.salaryExpectation,
  };
  const features = extractCandidateFeatures(text);
  return embedFeatures(features, semanticText({ kind, text }, features), embedder);
}

/** Computes and stores features for the row's current revision; false when the row changed meanwhile. */
export async function refreshFeatures(
  db: Knex,
  kind: ProfileKind,
  profile: JobModel | CandidateModel,
  embedder: Embedder,
): Promise<boolean> {
  return saveFeatures(db, kind, profile.id, profile.revision, await computeFeatures(kind, profile, embedder));
}

/**
 * What a features job did: stored them; found a newer revision (whose own job stores its features); or
 * found the revision gone — the row was deleted, or its write rolled back.
 */
export type FeaturesOutcome = 'stored' | 'superseded' | 'gone';

/**
 * Features for the revision a job was enqueued for. The job is enqueued before the writing transaction
 * commits, so a fast worker can get here first and not see the revision yet: then it waits for the write's
 * lock and reads again. A job without a write lock that finds its revision missing was added by hand for a
 * revision that was never written: that is a fault to show, not a race.
 */
export async function extractAndStoreFeatures(
  db: Knex,
  kind: ProfileKind,
  job: { id: string; revision: number; writeLock?: string | undefined },
  embedder: Embedder,
): Promise<FeaturesOutcome> {
  const { id, revision, writeLock } = job;
  const visible = (profile: ProfileModels[ProfileKind] | undefined) =>
    profile !== undefined && profile.revision >= revision;
  let profile = await findProfileById(db, kind, id);
  if (!visible(profile) && writeLock !== undefined) {
    profile = await db.transaction(async (trx) => {
      await awaitProfileWrite(trx, writeLock);
      return findProfileById(trx, kind, id);
    });
    if (!visible(profile)) return 'gone';
  }
  if (!profile) return 'gone';
  if (profile.revision < revision) throw new RevisionNotWrittenError(kind, id, revision);
  return (await refreshFeatures(db, kind, profile, embedder)) ? 'stored' : 'superseded';
}

/** Rows refreshed per round trip by a backfill. */
const BACKFILL_PAGE = 200;

/**
 * Recomputes every stale row's features (after FEATURES_VERSION changes, say), page by page. Matches also
 * refresh stale rows lazily, but a backfill spares the first requests after an upgrade that work.
 */
export async function backfillFeatures(
  db: Knex,
  kind: ProfileKind,
  embedder: Embedder,
  onProgress: (done: number) => void = () => undefined,
): Promise<number> {
  let done = 0;
  let afterId: string | null = null;
  for (;;) {
    const page = await findStaleFeaturePage(db, kind, FEATURES_VERSION, afterId, BACKFILL_PAGE);
    if (page.length === 0) return done;
    for (const profile of page) {
      if (await refreshFeatures(db, kind, profile, embedder)) done += 1;
    }
    afterId = page.at(-1)?.id ?? null;
    onProgress(done);
  }
}
