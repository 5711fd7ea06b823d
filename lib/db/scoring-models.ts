import type { Knex } from 'knex';

import type { NetworkModel } from '../matching/network.js';
import { ScoringModelRow } from './models.js';
import { recordEvent } from './outbox.js';

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

/**
 * Makes one model the active one (activating the active one changes nothing); the partial unique index
 * guarantees there is never more than one. The model.activated event belongs to no client: models serve
 * every client.
 */
export async function activateModel(db: Knex, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    const previous = await ScoringModelRow.query(trx).select('id').findOne({ active: true });
    if (previous?.id === id) return;
    await ScoringModelRow.query(trx).patch({ active: false, activatedAt: null }).where('active', true);
    const [activated] = await ScoringModelRow.query(trx)
      .patch({ active: true, activatedAt: new Date() })
      .where('id', id)
      .returning(['id', 'name', 'featuresVersion']);
    if (!activated) throw new Error(`no scoring model with id ${id}`);
    await recordEvent(trx, null, 'model.activated.v1', activated.id, {
      id: activated.id,
      name: activated.name,
      featuresVersion: activated.featuresVersion,
      previousId: previous?.id ?? null,
    });
  });
}
