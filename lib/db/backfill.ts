import type { Knex } from 'knex';

import type { ProfileKind } from '../queues/registry.js';
import { profileModels, type AnyProfileModel, type ProfileModel } from './models.js';

/**
 * One page of rows (any client) whose features are missing, from an older extractor or an older revision,
 * in id order after `afterId`: a backfill walks the table once, whatever it has already fixed.
 */
export async function findStaleFeaturePage(
  db: Knex,
  kind: ProfileKind,
  version: number,
  afterId: string | null,
  limit: number,
): Promise<AnyProfileModel[]> {
  const model: typeof ProfileModel = profileModels[kind];
  const query = model
    .query(db)
    .where((builder) => {
      builder
        .whereNull('featuresVersion')
        .orWhere('featuresVersion', '<>', version)
        .orWhereRaw('features_revision IS DISTINCT FROM revision');
    })
    .orderBy('id')
    .limit(limit);
  if (afterId !== null) query.where('id', '>', afterId);
  return (await query) as AnyProfileModel[];
}
