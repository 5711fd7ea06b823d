import type { Knex } from 'knex';

/**
 * Retention (issue 13): the maintenance queue purges rows past their retention a batch at a time
 * (lib/db/retention.ts). These indexes find those rows without reading the ones kept, and one on
 * notifications.request_id lets a purged match request find the notifications its delete cascades to.
 *
 * Built CONCURRENTLY, outside a transaction, so writes go on while they build: the tables they index are
 * the ones that grew without retention. A build that failed leaves an invalid index, dropped first here.
 */
export const config = { transaction: false };

const INDEXES: readonly (readonly [name: string, definition: string])[] = [
  ['outbox_published', 'outbox (published_at) WHERE published_at IS NOT NULL'],
  ['processed_events_processed_at', 'processed_events (processed_at)'],
  ['notifications_delivered', "notifications (finished_at) WHERE status = 'delivered'"],
  ['notifications_request', 'notifications (request_id)'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [name, definition] of INDEXES) {
    await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS ??', [name]);
    await knex.raw(`CREATE INDEX CONCURRENTLY ?? ON ${definition}`, [name]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [name] of INDEXES) await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS ??', [name]);
}
