import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clients', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.text('name').notNullable();
    table.text('api_key_prefix').notNullable();
    table.text('api_key_hash').notNullable().unique();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  const profileColumns = (table: Knex.CreateTableBuilder): void => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    table.text('external_id').notNullable();
    table.text('location');
    table.boolean('remote');
    table.specificType('skills', 'text[]').notNullable().defaultTo('{}');
    table.integer('revision').notNullable().defaultTo(1);
    // Canonical skill ids found by feature extraction; the GIN index makes skill overlap the candidate filter.
    table.specificType('skill_keys', 'text[]').notNullable().defaultTo('{}');
    table.jsonb('features');
    table.integer('features_version');
    table.integer('features_revision');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.unique(['client_id', 'external_id']);
    table.index(['client_id', 'created_at', 'id']);
  };

  await knex.schema.createTable('jobs', (table) => {
    profileColumns(table);
    table.text('title').notNullable();
    table.text('description').notNullable();
    table.decimal('min_years_experience', 4, 1);
    table.text('seniority');
    table.integer('salary_min');
    table.integer('salary_max');
    table.text('status').notNullable().defaultTo('open');
  });
  await knex.raw(`
    ALTER TABLE jobs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
      (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B')) STORED`);
  await knex.raw('CREATE INDEX jobs_skill_keys_gin ON jobs USING gin (skill_keys)');
  await knex.raw('CREATE INDEX jobs_search_vector_gin ON jobs USING gin (search_vector)');

  await knex.schema.createTable('candidates', (table) => {
    profileColumns(table);
    table.text('name');
    table.text('headline');
    table.text('resume_text').notNullable();
    table.decimal('years_experience', 4, 1);
    table.text('seniority');
    table.integer('salary_expectation');
  });
  await knex.raw(`
    ALTER TABLE candidates ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
      (setweight(to_tsvector('english', coalesce(headline, '')), 'A') || setweight(to_tsvector('english', resume_text), 'B')) STORED`);
  await knex.raw('CREATE INDEX candidates_skill_keys_gin ON candidates USING gin (skill_keys)');
  await knex.raw('CREATE INDEX candidates_search_vector_gin ON candidates USING gin (search_vector)');

  await knex.schema.createTable('match_requests', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('client_id').notNullable().references('clients.id').onDelete('CASCADE');
    table.text('subject_type').notNullable();
    // No foreign key: a request outlives the deletion of its subject and then fails with that reason.
    table.uuid('subject_id').notNullable();
    table.integer('top_k').notNullable();
    table.jsonb('filters').notNullable().defaultTo('{}');
    table.text('status').notNullable().defaultTo('queued');
    table.text('error');
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('idempotency_key');
    table.text('scorer');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('started_at', { useTz: true });
    table.timestamp('completed_at', { useTz: true });
    table.unique(['client_id', 'idempotency_key']);
    table.index(['status', 'created_at']);
  });
  await knex.raw(
    "ALTER TABLE match_requests ADD CONSTRAINT match_requests_subject_type_check CHECK (subject_type IN ('candidate', 'job'))",
  );
  await knex.raw(
    "ALTER TABLE match_requests ADD CONSTRAINT match_requests_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed'))",
  );

  await knex.schema.createTable('match_results', (table) => {
    table.uuid('request_id').notNullable().references('match_requests.id').onDelete('CASCADE');
    table.integer('rank').notNullable();
    table.uuid('target_id').notNullable();
    table.text('target_external_id').notNullable();
    table.double('score').notNullable();
    table.jsonb('explanation').notNullable();
    table.primary(['request_id', 'rank']);
  });

  await knex.schema.createTable('outbox', (table) => {
    table.bigIncrements('id').primary();
    table.uuid('event_id').notNullable().unique().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('client_id').references('clients.id').onDelete('SET NULL');
    table.text('aggregate_type').notNullable();
    table.uuid('aggregate_id').notNullable();
    table.text('event_type').notNullable();
    table.jsonb('payload').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('published_at', { useTz: true });
  });
  await knex.raw('CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['outbox', 'match_results', 'match_requests', 'candidates', 'jobs', 'clients']) {
    await knex.schema.dropTableIfExists(table);
  }
}
