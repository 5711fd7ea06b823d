import type { Knex } from 'knex';

/** A match request's category weights (issue 15), as the client sent them; null means the defaults. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('match_requests', (table) => {
    table.jsonb('weights');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('match_requests', (table) => {
    table.dropColumn('weights');
  });
}
