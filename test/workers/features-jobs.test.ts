import { randomUUID } from 'node:crypto';

import type { Job } from 'bullmq';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';

import { createClient } from '../../lib/clients.js';
import { lockProfileWrite, upsertProfiles, type JobFields } from '../../lib/db/profiles.js';
import { useTestContext } from '../support/context.js';

const stack = useTestContext();

beforeAll(async () => {
  await stack.startWorkers(['features']);
});

async function featuresJob(id: string): Promise<Job | undefined> {
  return stack.services.queues.get('features').getJob(id);
}

function posting(externalId: string): JobFields {
  return {
    externalId,
    title: 'Go developer',
    description: 'Go and Kubernetes.',
    skills: [],
    location: null,
    latitude: null,
    longitude: null,
    remote: false,
    minYearsExperience: null,
    seniority: null,
    salaryMin: null,
    salaryMax: null,
    status: 'open',
  };
}

/**
 * Writes a posting the way the API does (the write's lock taken first), and queues its features job while
 * the transaction is still open; the caller commits or rolls back once the job is running.
 */
async function openWrite(externalId: string): Promise<{ trx: Knex.Transaction; jobId: string; id: string }> {
  const { client } = await createClient(stack.services.db, externalId);
  const writeLock = randomUUID();
  const trx = await stack.services.db.transaction();
  await lockProfileWrite(trx, writeLock);
  const [upserted] = await upsertProfiles(trx, 'job', client.id, [posting(externalId)]);
  if (!upserted) throw new Error('the upsert returned no row');
  const { id, revision } = upserted.profile;
  await stack.services.queues.add('features', { kind: 'job', id, revision, writeLock });
  const jobId = `job-${id}-${revision}`;
  // The job runs while the row is not visible to it.
  await expect.poll(async () => (await featuresJob(jobId))?.getState()).toBe('active');
  return { trx, jobId, id };
}

describe('features jobs and the writes that enqueue them', () => {
  it('extracts a batch of 1,000 postings with no failed attempt: a worker waits for the write to commit', async () => {
    const key = await stack.newClient();
    const items = Array.from({ length: 1000 }, (_, index) => ({
      externalId: `posting-${index}`,
      title: index % 2 === 0 ? 'Go developer' : 'Registered nurse',
      description:
        index % 2 === 0
          ? `Posting ${index}: build services in Go on Kubernetes with PostgreSQL.`
          : `Posting ${index}: patient care on a surgical ward, medication administration.`,
    }));
    const response = await stack.request<{ created: number; results: { id: string }[] }>(
      'POST',
      '/v1/jobs/batch',
      { key, body: { items } },
    );
    expect(response.status).toBe(200);
    expect(response.body.created).toBe(1000);

    const features = stack.services.queues.get('features');
    await expect
      .poll(() => features.getJobCountByTypes('completed', 'failed'), { timeout: 240_000, interval: 500 })
      .toBe(1000);
    expect(await features.getJobCountByTypes('failed')).toBe(0);
    const completed = await features.getJobs(['completed'], 0, -1);
    const retried = completed.filter((job) => (job.stacktrace ?? []).length > 0 || job.attemptsStarted > 1);
    expect(retried.map((job) => ({ id: job.id, errors: job.stacktrace }))).toEqual([]);
    expect(new Set(completed.map((job) => job.returnvalue as unknown))).toEqual(new Set(['stored']));
  });

  it('stores features once a write that was still open when its job ran commits', async () => {
    const { trx, jobId, id } = await openWrite('slow-write');
    await trx.commit();

    await expect
      .poll(async () => (await featuresJob(jobId))?.getState(), { timeout: 30_000 })
      .toBe('completed');
    const job = await featuresJob(jobId);
    expect(job?.returnvalue).toBe('stored');
    expect(job?.stacktrace).toEqual([]);
    const row = (await stack.services.db('jobs').where({ id }).first()) as { featuresRevision: number };
    expect(row.featuresRevision).toBe(1);
  });

  it('ends a job whose write rolled back as gone, not failed', async () => {
    const { trx, jobId, id } = await openWrite('never-committed');
    await trx.rollback();

    await expect
      .poll(async () => (await featuresJob(jobId))?.getState(), { timeout: 30_000 })
      .toBe('completed');
    const job = await featuresJob(jobId);
    expect(job?.returnvalue).toBe('gone');
    expect(job?.stacktrace).toEqual([]);
    expect(await stack.services.db('jobs').where({ id }).first()).toBeUndefined();
  });
});
