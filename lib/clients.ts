import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Knex } from 'knex';
import { z } from 'zod';

import type { ApiKeyCache } from './api-key-cache.js';
import {
  findActiveKeysByPrefix,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from './db/api-keys.js';
import { findClientById, findClientsByName, insertClient } from './db/clients.js';
import type { ApiKeyModel, ApiKeyScope, ClientModel } from './db/models.js';
import { KeyChangeNotAnnouncedError, NotFoundError, ValidationError } from './errors.js';

/** `lk_` + 8 hex (the public prefix) + `_` + 256 random bits in base64url (the secret). */
const KEY_PATTERN = /^(lk_[0-9a-f]{8})_[A-Za-z0-9_-]{43}$/;

/**
 * How stale last_used_at may get. It answers "is this key still in use?" before a revocation, for which
 * a minute is exact enough, and writing it on every request would turn every read into a write.
 */
const LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * API keys are 256-bit random secrets, so a plain SHA-256 is enough to store them: there is nothing to
 * brute-force that a slow hash would protect. The hash covers the whole key, prefix included, as it did
 * when keys lived on the clients row, so keys issued then still match.
 */
function hashKey(apiKey: string): Buffer {
  return createHash('sha256').update(apiKey).digest();
}

function sameHash(storedHex: string, presented: Buffer): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

export interface IssuedKey {
  key: ApiKeyModel;
  /** Shown once; only its hash is stored. */
  apiKey: string;
}

export interface KeyOptions {
  name?: string | undefined;
  scope?: ApiKeyScope | undefined;
}

async function insertNewKey(db: Knex, clientId: string, options: KeyOptions): Promise<IssuedKey> {
  const prefix = `lk_${randomBytes(4).toString('hex')}`;
  const apiKey = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const key = await insertApiKey(db, {
    clientId,
    prefix,
    secretHash: hashKey(apiKey).toString('hex'),
    name: options.name ?? null,
    scope: options.scope ?? 'read-write',
  });
  return { key, apiKey };
}

export interface CreatedClient extends IssuedKey {
  client: ClientModel;
}

/** A client and its first key (read-write), together or not at all. */
export async function createClient(db: Knex, name: string): Promise<CreatedClient> {
  return db.transaction(async (trx) => {
    const client = await insertClient(trx, { name });
    return { client, ...(await insertNewKey(trx, client.id, {})) };
  });
}

const uuid = z.uuid();

/** Ids that are not UUIDs cannot exist, so they get the same 404 as unknown ones. */
async function requireClient(db: Knex, clientId: string): Promise<ClientModel> {
  const client = uuid.safeParse(clientId).success ? await findClientById(db, clientId) : undefined;
  if (!client) throw new NotFoundError(`No client with id ${clientId}.`);
  return client;
}

/** Another key for the client, to rotate to or to hand out read-only. */
export async function issueKey(db: Knex, clientId: string, options: KeyOptions): Promise<IssuedKey> {
  await requireClient(db, clientId);
  return insertNewKey(db, clientId, options);
}

export async function listKeys(db: Knex, clientId: string): Promise<ApiKeyModel[]> {
  await requireClient(db, clientId);
  return listApiKeys(db, clientId);
}

/** Tells the API replicas that a client's keys changed (announceKeyChange), once the change has committed. */
export type KeyChangeAnnouncer = (clientId: string) => Promise<void>;

/**
 * Revokes one of the client's keys; it is refused from the next request on, by every replica, since the
 * revocation is announced to their key caches (lib/api-key-cache.ts). Revoking a revoked key changes
 * nothing in the database and announces it again, so repeating a revocation whose announcement failed
 * puts it right.
 */
export async function revokeKey(
  db: Knex,
  clientId: string,
  keyId: string,
  announce: KeyChangeAnnouncer,
): Promise<ApiKeyModel> {
  await requireClient(db, clientId);
  const key = uuid.safeParse(keyId).success ? await revokeApiKey(db, clientId, keyId) : undefined;
  if (!key) throw new NotFoundError(`Client ${clientId} has no key with id ${keyId}.`);
  try {
    await announce(clientId);
  } catch (error) {
    throw new KeyChangeNotAnnouncedError(
      `Key ${key.prefix} is revoked, but the API replicas could not be told (Redis is unavailable), so ` +
        'one may accept it for a few seconds more. Revoke it again to tell them.',
      undefined,
      { cause: error },
    );
  }
  return key;
}

/** A client named by id, or by a name no other client has (for people at a terminal). */
export async function findClient(db: Knex, idOrName: string): Promise<ClientModel> {
  if (uuid.safeParse(idOrName).success) return requireClient(db, idOrName);
  const named = await findClientsByName(db, idOrName);
  const [client] = named;
  if (!client) throw new NotFoundError(`No client with id or name ${idOrName}.`);
  if (named.length > 1) {
    throw new ValidationError(
      `${named.length} clients are called ${idOrName}; name one by id: ${named.map(({ id }) => id).join(', ')}.`,
    );
  }
  return client;
}

export interface Caller {
  client: ClientModel;
  key: ApiKeyModel;
}

/**
 * The client and key a presented API key belongs to, if it is valid and not revoked. The key is found by
 * its public prefix and its hash compared in constant time, so neither the lookup nor the comparison
 * tells an attacker how much of a guess was right.
 */
export async function authenticate(
  db: Knex,
  apiKey: string,
  cache?: ApiKeyCache,
): Promise<Caller | undefined> {
  const prefix = KEY_PATTERN.exec(apiKey)?.[1];
  if (prefix === undefined) return undefined;
  const presented = hashKey(apiKey);
  // Keyed by the hash: a lookup by it tells nothing about the secret, and the key itself is not kept.
  const cacheKey = presented.toString('hex');
  const cached = cache?.get(cacheKey);
  if (cached) return cached;
  const lookupStarted = cache?.lookupStarted();
  const holders = await findActiveKeysByPrefix(db, prefix, LAST_USED_RESOLUTION_SECONDS);
  const holder = holders.find(({ key }) => sameHash(key.secretHash, presented));
  if (!holder) return undefined;
  if (holder.lastUseStale) await touchApiKey(db, holder.key.id, LAST_USED_RESOLUTION_SECONDS);
  const caller = { client: holder.client, key: holder.key };
  if (lookupStarted !== undefined) cache?.set(cacheKey, caller, lookupStarted);
  return caller;
}
