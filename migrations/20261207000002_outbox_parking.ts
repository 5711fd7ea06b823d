import type { Knex } from 'knex';

/**
 * A poison event does not stop the relay (issue 13): a row Kafka refuses for good (too large, invalid) is
 * parked. parked_at says when the relay gave up on it and park_reason what the broker answered; an admin
 * retry clears both and the relay publishes the row again. A parked row keeps published_at NULL, so
 * nothing that purges published rows can take it.
 *
 * The relay reads and counts unsent rows through outbox_unpublished, which now leaves parked rows out;
 * outbox_parked lists them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (table) => {
    table.timestamp('parked_at', { useTz: true });
    table.text('park_reason');
  });
  await knex.raw('DROP INDEX outbox_unpublished');
  await knex.raw(
    'CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL AND parked_at IS NULL',
  );
  await knex.raw('CREATE INDEX outbox_parked ON outbox (id) WHERE parked_at IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS outbox_parked');
  await knex.raw('DROP INDEX outbox_unpublished');
  await knex.raw('CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL');
  await knex.schema.alterTable('outbox', (table) => {
    table.dropColumn('park_reason');
    table.dropColumn('parked_at');
  });
}
