import type { Knex } from 'knex';

import { ticketSequenceOf } from '../lib/db/queue-tickets.js';

/**
 * A client's place in the match queue without counting its backlog (issue 14). Each match request takes the
 * next ticket of its client's own sequence (never shared by two requests, and never waiting on another's
 * transaction), so the place of a new request is its ticket less the oldest queued ticket, read at one end
 * of an index. Counting the backlog cost every POST a visit to each queued row, which grew with the very
 * queue depth at which POSTs most need to be cheap. The newest queued request carries the client's highest
 * priority, so the other end of the same index gives the floor that keeps a client's requests in order, and
 * the priority index is no longer needed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('match_requests', (table) => {
    table.bigInteger('queue_ticket').notNullable().defaultTo(0);
  });
  await knex.raw('DROP INDEX IF EXISTS match_requests_client_queued');
  await knex.raw(
    "CREATE INDEX match_requests_client_queue_tickets ON match_requests (client_id, queue_ticket) WHERE status = 'queued'",
  );
  const clients = await knex<{ id: string }>('clients').select('id');
  for (const { id } of clients) await knex.raw('CREATE SEQUENCE ?? START 1', [ticketSequenceOf(id)]);
}

export async function down(knex: Knex): Promise<void> {
  const clients = await knex<{ id: string }>('clients').select('id');
  for (const { id } of clients) await knex.raw('DROP SEQUENCE IF EXISTS ??', [ticketSequenceOf(id)]);
  await knex.raw('DROP INDEX IF EXISTS match_requests_client_queue_tickets');
  await knex.raw(
    "CREATE INDEX match_requests_client_queued ON match_requests (client_id, queue_priority) WHERE status = 'queued'",
  );
  await knex.schema.alterTable('match_requests', (table) => {
    table.dropColumn('queue_ticket');
  });
}
