import type { Knex } from 'knex';

import type { NetworkModel } from '../matching/network.js';
import { ScoringModelRow } from './models.js';

export async function findActiveModel(db: Knex): Promise<ScoringModelRow | undefined> {
  return ScoringModelRow.query(db).findOne({ active: true });
}

export async function findModelByName(db: Knex, name: string): Promise<ScoringModelRow | undefined> {
  return ScoringModelRow.query(db).findOne({ name });
}

/** The id of the active model, or null: cheap enough for workers to poll. */
export async function activeModelId(db: Knex): Promise<string | null> {
  const row = await ScoringModelRow.query(db).select('id').findOne({ active: true });
  return row?.id ?? null;
}

export async function insertModel(
  db: Knex,
  model: NetworkModel,
  metrics: Record<string, unknown>,
): Promise<ScoringModelRow> {
  return ScoringModelRow.query(db)
    .insert({ name: model.name, featuresVersion: model.featuresVersion, model, metrics })
    .returning('*');
}

/** Makes one model the active one; the partial unique index guarantees there is never more than one. */
export async function activateModel(db: Knex, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    await ScoringModelRow.query(trx).patch({ active: false, activatedAt: null }).where('active', true);
    await ScoringModelRow.query(trx).patch({ active: true, activatedAt: new Date() }).where('id', id);
  });
}
