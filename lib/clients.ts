import { createHash, randomBytes } from 'node:crypto';

import type { Knex } from 'knex';

import { findClientByKeyHash, insertClient } from './db/clients.js';
import type { ClientModel } from './db/models.js';

const KEY_PATTERN = /^lk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

/**
 * API keys are 256-bit random secrets, so a plain SHA-256 is enough to store them: there is nothing to
 * brute-force that a slow hash would protect. The prefix is public and identifies a key in logs and lists.
 */
function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export interface CreatedClient {
  client: ClientModel;
  /** Shown once; only its hash is stored. */
  apiKey: string;
}

export async function createClient(db: Knex, name: string): Promise<CreatedClient> {
  const prefix = `lk_${randomBytes(4).toString('hex')}`;
  const apiKey = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const client = await insertClient(db, { name, apiKeyPrefix: prefix, apiKeyHash: hashKey(apiKey) });
  return { client, apiKey };
}

export async function authenticateClient(db: Knex, apiKey: string): Promise<ClientModel | undefined> {
  if (!KEY_PATTERN.test(apiKey)) return undefined;
  return findClientByKeyHash(db, hashKey(apiKey));
}
