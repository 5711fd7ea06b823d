import { createHash, randomBytes } from 'node:crypto';

import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { authenticate, createClient, issueKey, revokeKey } from '../../lib/clients.js';
import { loadConfig } from '../../lib/config.js';
import { createDatabase } from '../../lib/db/knex.js';
import { migrations } from '../../migrations/index.js';

const MIGRATION = '20261125000007_api_keys';
const schema = `test_${randomBytes(5).toString('hex')}`;
const db = createDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_SCHEMA: schema, DATABASE_POOL_MAX: '2' }));

/** The migrations up to `last`, so the schema can be put in the state a deployed database was in. */
function source(last: string): Knex.MigrationSource<string> {
  const names = Object.keys(migrations)
    .sort()
    .filter((name) => name <= last);
  return {
    getMigrations: () => Promise.resolve(names),
    getMigrationName: (name) => name,
    getMigration: (name) => Promise.resolve(migrations[name] as Knex.Migration),
  };
}

const everything = source(MIGRATION);

/** No API replica runs here, so a revocation has no one to tell. */
const noReplicas = (): Promise<void> => Promise.resolve();

/** A key as issue 2 made them: the prefix and the SHA-256 of the whole key on the clients row. */
function oldKey(): { prefix: string; apiKey: string; hash: string } {
  const prefix = `lk_${randomBytes(4).toString('hex')}`;
  const apiKey = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { prefix, apiKey, hash: createHash('sha256').update(apiKey).digest('hex') };
}

async function insertOldClient(name: string): Promise<{ id: string; apiKey: string; hash: string }> {
  const key = oldKey();
  const [row] = await db('clients')
    .insert({ name, apiKeyPrefix: key.prefix, apiKeyHash: key.hash })
    .returning<{ id: string }[]>('id');
  if (!row) throw new Error('no client row');
  return { id: row.id, apiKey: key.apiKey, hash: key.hash };
}

async function clientColumns(): Promise<string[]> {
  const rows = await db('information_schema.columns')
    .where({ tableSchema: schema, tableName: 'clients' })
    .select<{ columnName: string }[]>('columnName');
  return rows.map(({ columnName }) => columnName).sort();
}

beforeAll(async () => {
  await db.raw('CREATE SCHEMA ??', [schema]);
  await db.migrate.latest({ migrationSource: source('20261125000006_request_ids'), schemaName: schema });
});

afterAll(async () => {
  await db.raw('DROP SCHEMA ?? CASCADE', [schema]);
  await db.destroy();
});

describe(`migration ${MIGRATION}`, () => {
  it('moves each client’s key into api_keys, where it keeps working, and back again on rollback', async () => {
    const kept = await insertOldClient('kept');
    const rotated = await insertOldClient('rotated');

    await db.migrate.latest({ migrationSource: everything, schemaName: schema });
    expect(await clientColumns()).toEqual(['created_at', 'id', 'name']);
    for (const client of [kept, rotated]) {
      const caller = await authenticate(db, client.apiKey);
      expect(caller?.client.id).toBe(client.id);
      expect(caller?.key.scope).toBe('read-write');
    }

    // After the migration: "kept" gets a newer key too; "rotated" swaps its key for a read-only one;
    // "read-only" never had anything else.
    await issueKey(db, kept.id, { name: 'newer' });
    await issueKey(db, rotated.id, { scope: 'read-only' });
    const [rotatedKey] = await db('apiKeys')
      .where({ clientId: rotated.id })
      .orderBy('createdAt')
      .select<{ id: string }[]>('id');
    await revokeKey(db, rotated.id, rotatedKey?.id ?? '', noReplicas);
    const readOnly = await createClient(db, 'read-only');
    await revokeKey(db, readOnly.client.id, readOnly.key.id, noReplicas);
    await issueKey(db, readOnly.client.id, { scope: 'read-only' });

    await db.migrate.down({ migrationSource: everything, schemaName: schema });
    expect(await clientColumns()).toEqual(['api_key_hash', 'api_key_prefix', 'created_at', 'id', 'name']);
    const rows = await db('clients').select<{ id: string; apiKeyHash: string }[]>('id', 'apiKeyHash');
    const hashOf = new Map(rows.map((row) => [row.id, row.apiKeyHash]));
    // The oldest active read-write key wins; revoked or read-only keys do not come back with full rights.
    expect(hashOf.get(kept.id)).toBe(kept.hash);
    expect(hashOf.get(rotated.id)).not.toBe(rotated.hash);
    expect(hashOf.get(rotated.id)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf.get(readOnly.client.id)).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashOf.values()).size).toBe(rows.length);

    await db.migrate.latest({ migrationSource: everything, schemaName: schema });
    expect((await authenticate(db, kept.apiKey))?.client.id).toBe(kept.id);
    expect(await authenticate(db, rotated.apiKey)).toBeUndefined();
  });
});
