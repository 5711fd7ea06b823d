import type { Knex } from 'knex';

/**
 * One request, one trail (issue 6): each outbox event keeps the id of the API request (X-Request-Id) or
 * job it came from, so the relay can put it in the Kafka headers. Null for events with no such origin.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (table) => {
    table.text('request_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (table) => {
    table.dropColumn('request_id');
  });
}
