import type { Knex } from 'knex';

/**
 * Issue 4, the Kafka half. The outbox already has published_at and a partial index on unpublished rows
 * (migration 1); the relay marks rows there.
 *
 * - A statement-level trigger wakes the relay (LISTEN lookiy_outbox) when outbox rows commit. The payload
 *   is the schema, so a relay ignores the writes of other schemas on the same server. The notification is
 *   only a hint: the relay also polls, so a notification lost while it reconnects delays nothing for long.
 * - processed_events remembers which ingest events a consumer has applied, written in the transaction that
 *   applies one, so a redelivered event changes nothing. CloudEvents makes source + id unique per event;
 *   the client is part of the key too, so one tenant's ids can never suppress another's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('lookiy_outbox', TG_TABLE_SCHEMA);
      RETURN NULL;
    END
    $$`);
  await knex.raw(
    'CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()',
  );

  await knex.schema.createTable('processed_events', (table) => {
    table.text('consumer').notNullable();
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    table.text('source').notNullable();
    table.text('event_id').notNullable();
    table.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['consumer', 'client_id', 'source', 'event_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('processed_events');
  await knex.raw('DROP TRIGGER IF EXISTS outbox_notify ON outbox');
  await knex.raw('DROP FUNCTION IF EXISTS outbox_notify()');
}
