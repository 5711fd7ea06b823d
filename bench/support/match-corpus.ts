/**
 * A job board of N postings in an isolated schema, built without running wink N times: features are
 * extracted once per template posting and stored with every row made from it (batch inserts), with the
 * title, location, remote flag and salary varied per row and the stored features adjusted to match.
 */
import type { Knex } from 'knex';

import { featureColumns } from '../../lib/db/profiles.js';
import { remoteOf } from '../../lib/matching/extractors.js';
import type { Features } from '../../lib/matching/features.js';
import type { BenchPosting, BenchResume } from './corpus.js';
import { postingFeatures, resumeFeatures } from './extracted.js';

/** Rows per batchInsert call (knex splits each call into INSERTs of this many rows). */
export const INSERT_CHUNK = 1000;
/** Rows generated in memory at a time (their features JSON is ~5 kB each). */
const BLOCK = 5_000;

/** Title suffixes that normaliseTitle drops, so the stored title terms stay those of the template. */
const TITLE_VARIANTS = ['', ' (m/f/d)', ' II', ' (Remote)'] as const;
const LOCATIONS = [null, 'Berlin', 'London', 'New York, NY', 'Austin, TX', 'Toronto', 'Paris', 'Bangalore'];

interface Template {
  posting: BenchPosting;
  features: Features;
}

/** One row of the jobs table, as knex (with the snake-case mappers) takes it. */
function jobRow(clientId: string, index: number, template: Template): Record<string, unknown> {
  const { posting, features } = template;
  const variant = TITLE_VARIANTS[index % TITLE_VARIANTS.length] ?? '';
  const title = `${posting.title}${variant}`;
  const location = posting.location ?? LOCATIONS[Math.floor(index / 7) % LOCATIONS.length] ?? null;
  const remote = variant === ' (Remote)' ? true : (posting.remote ?? (index % 5 === 0 ? false : null));
  const salaryMin = index % 3 === 0 ? null : 40_000 + (index % 50) * 2_000;
  const salaryMax = salaryMin === null ? null : salaryMin + 20_000;
  const stored: Features = {
    ...features,
    location: location?.trim().toLowerCase() ?? null,
    remote: remote ?? remoteOf(`${title}\n${posting.description}`),
    salary: salaryMin !== null && salaryMax !== null ? { min: salaryMin, max: salaryMax } : features.salary,
  };
  return {
    clientId,
    externalId: `job-${index}`,
    title,
    description: posting.description,
    skills: posting.skills,
    location,
    remote,
    salaryMin,
    salaryMax,
    // A few closed postings, which candidate generation must skip.
    status: index % 37 === 36 ? 'closed' : 'open',
    revision: 1,
    ...featureColumns(stored),
    featuresRevision: 1,
  };
}

/**
 * Inserts rows `range.from` to `range.to` − 1 of `table`, each made by `rowAt`, in blocks of BLOCK rows over `lanes`
 * connections at once (Postgres computes each row's search vector, so two lanes use two cores).
 */
async function insertInBlocks(
  db: Knex,
  table: 'jobs' | 'candidates',
  range: { from: number; to: number },
  lanes: number,
  rowAt: (index: number) => Record<string, unknown>,
): Promise<void> {
  const blocks = Math.ceil((range.to - range.from) / BLOCK);
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let block = lane; block < blocks; block += lanes) {
        const rows: Record<string, unknown>[] = [];
        const start = range.from + block * BLOCK;
        for (let index = start; index < Math.min(range.to, start + BLOCK); index += 1) {
          rows.push(rowAt(index));
        }
        await db.batchInsert(table, rows, INSERT_CHUNK);
      }
    }),
  );
}

/** Inserts `count` jobs, row i made from template i mod templates.length. */
export async function insertJobs(
  db: Knex,
  clientId: string,
  templates: readonly BenchPosting[],
  count: number,
  lanes = 2,
): Promise<void> {
  const prepared: Template[] = templates.map((posting) => ({ posting, features: postingFeatures(posting) }));
  await insertInBlocks(db, 'jobs', { from: 0, to: count }, lanes, (index) =>
    jobRow(clientId, index, prepared[index % prepared.length] as Template),
  );
}

/** One row of the candidates table for a bench resume, with its stored features. */
function candidateRow(clientId: string, externalId: string, resume: BenchResume, features: Features) {
  return {
    clientId,
    externalId,
    headline: resume.headline,
    resumeText: resume.resumeText,
    skills: resume.skills,
    yearsExperience: resume.yearsExperience ?? null,
    revision: 1,
    ...featureColumns(features),
    featuresRevision: 1,
  };
}

/**
 * Inserts candidates `from` to `to` − 1 of a client's candidate pool, row i made from resume
 * i mod resumes.length with its stored features; a pool grows by inserting the next range.
 */
export async function insertCandidatePool(
  db: Knex,
  clientId: string,
  resumes: readonly BenchResume[],
  range: { from: number; to: number },
  lanes = 2,
): Promise<void> {
  const prepared = resumes.map((resume) => ({ resume, features: resumeFeatures(resume) }));
  await insertInBlocks(db, 'candidates', range, lanes, (index) => {
    const { resume, features } = prepared[index % prepared.length] as (typeof prepared)[number];
    return candidateRow(clientId, `pool-${index}`, resume, features);
  });
}

export interface InsertedCandidate {
  id: string;
  resume: BenchResume;
  features: Features;
}

export async function insertCandidates(
  db: Knex,
  clientId: string,
  resumes: readonly BenchResume[],
): Promise<InsertedCandidate[]> {
  const inserted: InsertedCandidate[] = [];
  for (const resume of resumes) {
    const features = resumeFeatures(resume);
    const [row] = await db('candidates')
      .insert(candidateRow(clientId, resume.id, resume, features))
      .returning<{ id: string }[]>('id');
    if (!row) throw new Error(`candidate ${resume.id} was not inserted`);
    inserted.push({ id: row.id, resume, features });
  }
  return inserted;
}
