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
  fields: Pick<WebhookModel, 'clientId' | 'url' | 'sealedSecret' | 'secretHint'>,
  replaceSecret: boolean,
): Promise<UpsertedWebhook> {
  const merge: Record<string, unknown> = { url: fields.url, updatedAt: db.fn.now() };
  if (replaceSecret)
    Object.assign(merge, { sealedSecret: fields.sealedSecret, secretHint: fields.secretHint });
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

/** Webhooks after a client id (all when null), by client id, for a pass over every one of them. */
export async function listWebhooksPage(
  db: Knex,
  afterClientId: string | null,
  limit: number,
): Promise<WebhookModel[]> {
  const query = WebhookModel.query(db).orderBy('clientId').limit(limit);
  if (afterClientId !== null) query.where('clientId', '>', afterClientId);
  return query;
}

/** Replaces a sealed secret, unless it changed since it was read (a client set a new one meanwhile). */
export async function resealWebhookSecret(
  db: Knex,
  clientId: string,
  from: string,
  to: string,
): Promise<boolean> {
  return (
    (await WebhookModel.query(db).patch({ sealedSecret: to }).where({ clientId, sealedSecret: from })) > 0
  );
}
