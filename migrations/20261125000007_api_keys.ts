import type { Knex } from 'knex';

/**
 * Issue 5: a client may hold several API keys, each with a label, a scope, a last-use time and a
 * revocation time, so keys can be rotated (issue a new one, move callers over, revoke the old one) and
 * handed out read-only.
 *
 * - The key a client had on its row moves here unchanged: the public prefix, and the SHA-256 of the whole
 *   key string, which is what the new keys store too, so every key issued before keeps working.
 * - The columns on clients are dropped: two places for one secret would be two places to forget on revoke.
 * - Keys are found by prefix (the index is partial: revoked keys are never looked up) and the hash is then
 *   compared in constant time. The prefix is not unique: it carries 32 random bits, and the keys migrated
 *   here were never checked for clashes, so a lookup compares every active key with that prefix.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    table.text('prefix').notNullable();
    table.text('secret_hash').notNullable();
    table.text('name');
    table.text('scope').notNullable().defaultTo('read-write');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('last_used_at', { useTz: true });
    table.timestamp('revoked_at', { useTz: true });
    table.index(['client_id', 'created_at', 'id']);
  });
  await knex.raw(
    "ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_check CHECK (scope IN ('read-write', 'read-only'))",
  );
  await knex.raw('CREATE INDEX api_keys_active_prefix ON api_keys (prefix) WHERE revoked_at IS NULL');

  await knex.raw(`
    INSERT INTO api_keys (client_id, prefix, secret_hash, scope, created_at)
    SELECT id, api_key_prefix, api_key_hash, 'read-write', created_at FROM clients`);
  await knex.schema.alterTable('clients', (table) => {
    table.dropColumn('api_key_prefix');
    table.dropColumn('api_key_hash');
  });
}

/**
 * Back to one key per client: the oldest active read-write key. The old schema knows neither scopes nor
 * revocation, so a read-only or revoked key must not come back with full rights; a client left without
 * such a key gets a hash that no key has, and is locked out until it gets a new one.
 */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (table) => {
    table.text('api_key_prefix');
    table.text('api_key_hash');
  });
  await knex.raw(`
    UPDATE clients SET api_key_prefix = kept.prefix, api_key_hash = kept.secret_hash
    FROM (
      SELECT DISTINCT ON (client_id) client_id, prefix, secret_hash FROM api_keys
      WHERE revoked_at IS NULL AND scope = 'read-write'
      ORDER BY client_id, created_at, id
    ) kept
    WHERE kept.client_id = clients.id`);
  await knex.raw(`
    UPDATE clients SET api_key_prefix = 'lk_00000000',
      api_key_hash = encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex')
    WHERE api_key_hash IS NULL`);
  await knex.schema.alterTable('clients', (table) => {
    table.dropNullable('api_key_prefix');
    table.dropNullable('api_key_hash');
    table.unique(['api_key_hash']);
  });
  await knex.schema.dropTableIfExists('api_keys');
}
