import type { Knex } from 'knex';

/**
 * Idempotency-Key on every POST (issue 5): the first request with a key claims it (status null while it
 * runs), its answer is kept until expires_at, and a retry with the same key and request gets that answer.
 * request_hash tells a retry from another request reusing the key.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (table) => {
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    table.text('key').notNullable();
    table.text('request_hash').notNullable();
    table.integer('response_status');
    table.jsonb('response_body');
    table.jsonb('response_headers');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.primary(['client_id', 'key']);
    table.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
}
