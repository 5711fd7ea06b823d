import type { Knex } from 'knex';

/**
 * Bulk match runs (issue 14): one run ranks targets for every subject a filter selects, in the background.
 * Its subjects are split into lanes (by a hash of the subject id) that workers rank side by side; each lane
 * keeps its place (`cursor`, the last subject id done) so that a worker that dies resumes after the last
 * chunk it committed. A subject's results are one row, keyed by (run, subject), so no subject is ever
 * written twice whoever runs the chunk again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('match_runs', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    table.text('subject_type').notNullable();
    table.jsonb('filter').notNullable().defaultTo('{}');
    table.jsonb('target_filters').notNullable().defaultTo('{}');
    table.integer('top_k').notNullable();
    table.text('status').notNullable().defaultTo('queued');
    table.text('error');
    // Subjects the filter selected when the run started, and how many have their results written.
    table.integer('total');
    table.integer('done').notNullable().defaultTo(0);
    table.integer('lanes').notNullable().defaultTo(1);
    table.text('scorer');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('started_at', { useTz: true });
    table.timestamp('completed_at', { useTz: true });
    table.index(['client_id', 'created_at']);
  });
  await knex.raw(
    "ALTER TABLE match_runs ADD CONSTRAINT match_runs_subject_type_check CHECK (subject_type IN ('candidate', 'job'))",
  );
  await knex.raw(
    "ALTER TABLE match_runs ADD CONSTRAINT match_runs_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed'))",
  );
  // The reconciler walks the unfinished runs.
  await knex.raw(
    "CREATE INDEX match_runs_unfinished ON match_runs (id) WHERE status IN ('queued', 'running')",
  );

  await knex.schema.createTable('match_run_lanes', (table) => {
    table.uuid('run_id').notNullable().references('match_runs.id').onDelete('CASCADE');
    table.integer('lane').notNullable();
    // The last subject id of the lane whose results are written: the lane goes on after it.
    table.uuid('cursor');
    table.boolean('finished').notNullable().defaultTo(false);
    table.primary(['run_id', 'lane']);
  });

  // A run reads its subjects in id order, one chunk after the last one it wrote.
  for (const subjects of ['jobs', 'candidates']) {
    await knex.raw('CREATE INDEX ?? ON ?? (client_id, id)', [`${subjects}_client_id_order`, subjects]);
  }

  await knex.schema.createTable('match_run_results', (table) => {
    table.uuid('run_id').notNullable().references('match_runs.id').onDelete('CASCADE');
    table.uuid('subject_id').notNullable();
    table.text('subject_external_id').notNullable();
    // [{rank, targetId, targetExternalId, score}], best first.
    table.jsonb('results').notNullable();
    table.primary(['run_id', 'subject_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('match_run_results');
  await knex.schema.dropTableIfExists('match_run_lanes');
  await knex.schema.dropTableIfExists('match_runs');
  for (const subjects of ['jobs', 'candidates']) {
    await knex.raw('DROP INDEX IF EXISTS ??', [`${subjects}_client_id_order`]);
  }
}
