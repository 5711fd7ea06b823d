import type { Knex } from 'knex';

import { ApiKeyModel, ClientModel } from './models.js';

export type NewApiKey = Pick<ApiKeyModel, 'clientId' | 'prefix' | 'secretHash' | 'name' | 'scope'>;

export async function insertApiKey(db: Knex, key: NewApiKey): Promise<ApiKeyModel> {
  return ApiKeyModel.query(db).insert(key).returning('*');
}

export interface KeyHolder {
  key: ApiKeyModel;
  client: ClientModel;
  /** Whether last_used_at is older than the resolution asked for (or unset): the key is due a touch. */
  lastUseStale: boolean;
}

interface KeyHolderRow {
  id: string;
  clientId: string;
  prefix: string;
  secretHash: string;
  name: string | null;
  scope: ApiKeyModel['scope'];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  clientName: string;
  clientCreatedAt: Date;
  lastUseStale: boolean;
}

/**
 * Every unrevoked key with this prefix and its client, in one round trip: this runs on every /v1 request.
 * The staleness of last_used_at is judged by the database clock, the one that wrote it.
 */
export async function findActiveKeysByPrefix(
  db: Knex,
  prefix: string,
  lastUsedResolutionSeconds: number,
): Promise<KeyHolder[]> {
  const rows = await db('apiKeys as k')
    .join('clients as c', 'c.id', 'k.clientId')
    .where('k.prefix', prefix)
    .whereNull('k.revokedAt')
    .select<KeyHolderRow[]>(
      'k.*',
      'c.name as clientName',
      'c.createdAt as clientCreatedAt',
      db.raw(
        '(k.last_used_at IS NULL OR k.last_used_at < now() - make_interval(secs => ?)) AS last_use_stale',
        [lastUsedResolutionSeconds],
      ),
    );
  return rows.map(({ clientName, clientCreatedAt, lastUseStale, ...key }) => ({
    key: ApiKeyModel.fromDatabaseJson(key),
    client: ClientModel.fromDatabaseJson({ id: key.clientId, name: clientName, createdAt: clientCreatedAt }),
    lastUseStale,
  }));
}

/**
 * Records a use unless one was recorded within the resolution. The condition is checked again here, so
 * replicas that authenticate the same key at once write the row once, not once each.
 */
export async function touchApiKey(db: Knex, id: string, lastUsedResolutionSeconds: number): Promise<void> {
  await db('apiKeys')
    .where({ id })
    .whereRaw('(last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ?))', [
      lastUsedResolutionSeconds,
    ])
    .update({ lastUsedAt: db.fn.now() });
}

/** The client's keys, revoked ones included (they say when they stopped working), oldest first. */
export async function listApiKeys(db: Knex, clientId: string): Promise<ApiKeyModel[]> {
  return ApiKeyModel.query(db)
    .where({ clientId })
    .orderBy([
      { column: 'createdAt', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
}

/** Revokes the key if it belongs to the client; revoking again keeps the first revocation time. */
export async function revokeApiKey(db: Knex, clientId: string, id: string): Promise<ApiKeyModel | undefined> {
  const [row] = (await db('apiKeys')
    .where({ id, clientId })
    .update({ revokedAt: db.raw('coalesce(revoked_at, now())') })
    .returning('*')) as Record<string, unknown>[];
  return row === undefined ? undefined : ApiKeyModel.fromDatabaseJson(row);
}
