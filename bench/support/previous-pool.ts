/**
 * Candidate generation as it was before bench 3 led to changing it (findMatchPool up to commit d28b554): every
 * skill and all 40 words OR-ed, ordered by ts_rank_cd over every matching row. Kept here only to compare
 * the quality of the pools; it takes seconds at 100,000 jobs.
 */
import type { Knex } from 'knex';

import type { Features } from '../../lib/matching/features.js';

export interface PreviousPoolRow {
  id: string;
  externalId: string;
  features: Features;
}

export async function previousPool(
  db: Knex,
  clientId: string,
  featuresVersion: number,
  skills: string[],
  words: string[],
  limit: number,
): Promise<PreviousPoolRow[]> {
  const tsQuery = words.join(' | ');
  return (await db('jobs')
    .select('id', 'externalId', 'features')
    .where('clientId', clientId)
    .where('featuresVersion', featuresVersion)
    .where('status', 'open')
    .where((builder) => {
      void builder.whereRaw('skill_keys && ?::text[]', [skills]);
      if (tsQuery) void builder.orWhereRaw("search_vector @@ to_tsquery('english', ?)", [tsQuery]);
    })
    .orderByRaw("ts_rank_cd(search_vector, to_tsquery('english', ?)) DESC", [tsQuery])
    .limit(limit)) as PreviousPoolRow[];
}
