import type { Knex } from 'knex';

import { WebhookModel } from './models.js';

export interface UpsertedWebhook {
  webhook: WebhookModel;
  created: boolean;
}

/**
 * Creates the client's webhook or replaces its URL. The secret is written on creation, and on replacement
 * only when `replaceSecret` says so: changing the URL alone keeps the secret receivers verify with.
 */
export async function upsertWebhook(
  db: Knex,
  fields: Pick<WebhookModel, 'clientId' | 'url' | 'secret'>,
  replaceSecret: boolean,
): Promise<UpsertedWebhook> {
  const merge: Record<string, unknown> = { url: fields.url, updatedAt: db.fn.now() };
  if (replaceSecret) merge.secret = fields.secret;
  const [row] = await db(WebhookModel.tableName)
    .insert(fields)
    .onConflict('clientId')
    .merge(merge)
    .returning<(Record<string, unknown> & { inserted: boolean })[]>(['*', db.raw('(xmax = 0) AS inserted')]);
  if (!row) throw new Error(`upserting the webhook of client ${fields.clientId} returned no row`);
  const { inserted, ...webhook } = row;
  return { webhook: WebhookModel.fromDatabaseJson(webhook), created: inserted };
}

export async function findWebhook(db: Knex, clientId: string): Promise<WebhookModel | undefined> {
  return WebhookModel.query(db).findOne({ clientId });
}

export async function deleteWebhook(db: Knex, clientId: string): Promise<boolean> {
  return (await WebhookModel.query(db).delete().where({ clientId })) > 0;
}
