import { describe, expect, it } from 'vitest';

import { FEATURES_VERSION } from '../../lib/matching/features.js';
import { backfillFeatures } from '../../lib/profiles.js';
import { jobCorpus } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';

// No workers: features stay pending until the backfill computes them.
const stack = useTestContext();

describe('backfillFeatures', () => {
  it('brings missing, outdated and older-revision features up to date, and reports how many', async () => {
    const key = await stack.newClient();
    const items = jobCorpus.slice(0, 30).map(({ family: _family, ...job }) => job);
    await stack.request('POST', '/v1/jobs/batch', { key, body: { items } });
    expect(await backfillFeatures(stack.services.db, 'job', await stack.services.embedder())).toBe(30);

    const [first, second] = (await stack.services.db('jobs').orderBy('id').limit(2)) as { id: string }[];
    await stack.services
      .db('jobs')
      .where({ id: first?.id })
      .update({ featuresVersion: FEATURES_VERSION - 1 });
    await stack.services
      .db('jobs')
      .where({ id: second?.id })
      .update({ revision: stack.services.db.raw('revision + 1') });

    const progress: number[] = [];
    expect(
      await backfillFeatures(stack.services.db, 'job', await stack.services.embedder(), (done) =>
        progress.push(done),
      ),
    ).toBe(2);
    expect(progress.at(-1)).toBe(2);
    const stale = await stack.services
      .db('jobs')
      .whereRaw('features_revision IS DISTINCT FROM revision OR features_version <> ?', [FEATURES_VERSION]);
    expect(stale).toEqual([]);
    expect(await backfillFeatures(stack.services.db, 'job', await stack.services.embedder())).toBe(0);
  });
});
