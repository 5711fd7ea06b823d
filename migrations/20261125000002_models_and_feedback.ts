import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('scoring_models', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.text('name').notNullable().unique();
    table.integer('features_version').notNullable();
    // brain.js weights, feature names and the explanation baseline: everything a worker needs to score.
    table.jsonb('model').notNullable();
    table.jsonb('metrics').notNullable();
    table.boolean('active').notNullable().defaultTo(false);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('activated_at', { useTz: true });
  });
  await knex.raw('CREATE UNIQUE INDEX scoring_models_one_active ON scoring_models (active) WHERE active');

  await knex.schema.createTable('match_feedback', (table) => {
    table.uuid('request_id').notNullable().references('match_requests.id').onDelete('CASCADE');
    table.uuid('target_id').notNullable();
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    table.text('outcome').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['request_id', 'target_id']);
  });
  await knex.raw(
    "ALTER TABLE match_feedback ADD CONSTRAINT match_feedback_outcome_check CHECK (outcome IN ('applied', 'interview', 'hired', 'rejected'))",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('match_feedback');
  await knex.schema.dropTableIfExists('scoring_models');
}
