import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One webhook per client. The secret is kept as is because signing needs it (HMAC), unlike API keys.
  await knex.schema.createTable('webhooks', (table) => {
    table.uuid('client_id').primary().references('clients.id').onDelete('CASCADE');
    table.text('url').notNullable();
    table.text('secret').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // One row per event to deliver to a client's webhook, from queued to delivered or failed.
  await knex.schema.createTable('notifications', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    // The webhook-id header, the same on every attempt so receivers can drop repeats: the outbox event id
    // (the CloudEvents id on Kafka) of the event notified, or a fresh one for a test ping.
    table.uuid('event_id').notNullable().unique().defaultTo(knex.raw('gen_random_uuid()'));
    table.text('event_type').notNullable();
    // Null for test pings, which concern no request.
    table.uuid('request_id').references('match_requests.id').onDelete('CASCADE');
    table.jsonb('payload').notNullable();
    // The registered URL when queued, then the URL of the latest attempt.
    table.text('url').notNullable();
    table.text('status').notNullable().defaultTo('pending');
    table.integer('attempts').notNullable().defaultTo(0);
    table.integer('last_response_status');
    table.text('last_error');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('last_attempt_at', { useTz: true });
    table.timestamp('finished_at', { useTz: true });
    table.index(['client_id', 'created_at', 'id']);
  });
  // Finds the outbox event a notification carries, in the transaction that recorded it.
  await knex.raw('CREATE INDEX outbox_aggregate ON outbox (aggregate_id, id)');
  await knex.raw(
    "ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('pending', 'delivered', 'failed'))",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('notifications');
  await knex.raw('DROP INDEX IF EXISTS outbox_aggregate');
  await knex.schema.dropTableIfExists('webhooks');
}
