import { describe, expect, it } from 'vitest';

import { findMatchPool, type PoolQuery } from '../../../lib/db/profiles.js';
import { FEATURES_VERSION } from '../../../lib/matching/features.js';
import { backfillFeatures } from '../../../lib/profiles.js';
import { useTestContext } from '../../support/context.js';

// No workers: the backfill computes the features the pool query requires.
const stack = useTestContext();

interface Posting {
  externalId: string;
  title: string;
  description: string;
  remote?: boolean;
  status?: 'open' | 'closed';
}

const platform = (index: number, extra = ''): Posting => ({
  externalId: `platform-${index}`,
  title: 'Platform engineer',
  description: `Run our Kubernetes clusters and build internal tooling for product teams. ${extra}`,
});
const nurse = (index: number): Posting => ({
  externalId: `nurse-${index}`,
  title: 'Ward nurse',
  description: 'Patient care on a surgical ward, medication rounds and family support.',
});

/** A client with these postings, features computed; returns its id. */
async function clientWith(postings: Posting[]): Promise<string> {
  const key = await stack.newClient();
  const response = await stack.request('POST', '/v1/jobs/batch', { key, body: { items: postings } });
  expect(response.status).toBe(200);
  await backfillFeatures(stack.services.db, 'job', await stack.services.embedder());
  const row = await stack.services
    .db('jobs')
    .where({ externalId: postings[0]?.externalId })
    .orderBy('createdAt', 'desc')
    .first<{ clientId: string }>('clientId');
  return row.clientId;
}

async function poolOf(clientId: string, query: Partial<PoolQuery> = {}): Promise<string[]> {
  const members = await findMatchPool(stack.services.db, 'job', {
    clientId,
    skills: [],
    words: ['kubernetes', 'terraform'],
    filters: {},
    wanted: 0,
    featuresVersion: FEATURES_VERSION,
    limit: 5,
    ...query,
  });
  return members.map((member) => member.externalId).sort();
}

describe('findMatchPool', () => {
  it('holds every open job that shares a word with the subject, up to twice the limit, and no other', async () => {
    const clientId = await clientWith([
      ...Array.from({ length: 8 }, (_, index) => platform(index)),
      { ...platform(8), status: 'closed' },
      ...Array.from({ length: 6 }, (_, index) => nurse(index)),
    ]);
    expect(await poolOf(clientId)).toEqual(Array.from({ length: 8 }, (_, index) => `platform-${index}`));
  });

  it('keeps the best text-ranked jobs when the subject’s words pull in more than twice the limit', async () => {
    const strong = [20, 21, 22].map((index) =>
      platform(index, 'Kubernetes operators, Kubernetes upgrades, Terraform modules and Terraform Cloud.'),
    );
    const clientId = await clientWith([
      ...Array.from({ length: 15 }, (_, index) => platform(index)),
      ...strong,
    ]);
    const pool = await poolOf(clientId);
    expect(pool).toHaveLength(10);
    expect(pool).toEqual(expect.arrayContaining(['platform-20', 'platform-21', 'platform-22']));
  });

  it('applies the request’s filters', async () => {
    const clientId = await clientWith([
      { ...platform(0), remote: true },
      { ...platform(1), remote: false },
      platform(2),
    ]);
    expect(await poolOf(clientId, { filters: { remote: true } })).toEqual(['platform-0']);
  });

  it('is empty for a subject that shares nothing with the client’s jobs', async () => {
    const clientId = await clientWith([nurse(0), nurse(1)]);
    expect(await poolOf(clientId)).toEqual([]);
  });

  it('is filled with jobs that pass the filters when the terms draw fewer than the match shows', async () => {
    const clientId = await clientWith([
      platform(0),
      { ...nurse(0), remote: true },
      { ...nurse(1), remote: true },
      { ...nurse(2), remote: false },
    ]);
    expect(await poolOf(clientId, { wanted: 3 })).toEqual(['nurse-0', 'nurse-1', 'nurse-2', 'platform-0']);
    expect(await poolOf(clientId, { wanted: 3, filters: { remote: true } })).toEqual(['nurse-0', 'nurse-1']);
    expect(await poolOf(clientId, { wanted: 1 })).toEqual(['platform-0']);
  });
});
