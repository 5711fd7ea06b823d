import type { Knex } from 'knex';

/**
 * Fairness between clients (issue 13): a match request's BullMQ priority grows with its client's backlog of
 * queued requests (lib/db/match-requests.ts, queuePriority), so one client's thousands wait behind another's
 * few. The partial index answers "how many queued, and the highest priority among them" for one client.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('match_requests', (table) => {
    table.integer('queue_priority').notNullable().defaultTo(1);
  });
  await knex.raw(
    "CREATE INDEX match_requests_client_queued ON match_requests (client_id, queue_priority) WHERE status = 'queued'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS match_requests_client_queued');
  await knex.schema.alterTable('match_requests', (table) => {
    table.dropColumn('queue_priority');
  });
}
