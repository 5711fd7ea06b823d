import type { Knex } from 'knex';

/**
 * The facts hard criteria read (issue 15: years, seniority, pay), copied out of each profile's features into
 * columns of their own, as skill_keys is: a filter on the features document would read every candidate
 * row's TOASTed JSON, which made a filtered match twice as dear as a plain one.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['jobs', 'candidates']) {
    await knex.schema.alterTable(table, (columns) => {
      columns.decimal('features_years', 4, 1);
      columns.text('features_seniority');
      columns.double('features_salary_min');
      columns.double('features_salary_max');
    });
    await knex.raw(
      `UPDATE ?? SET features_years = (features->>'years')::numeric,
                     features_seniority = features->>'seniority',
                     features_salary_min = (features->'salary'->>'min')::float8,
                     features_salary_max = (features->'salary'->>'max')::float8
        WHERE features IS NOT NULL`,
      [table],
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['jobs', 'candidates']) {
    await knex.schema.alterTable(table, (columns) => {
      columns.dropColumns(
        'features_years',
        'features_seniority',
        'features_salary_min',
        'features_salary_max',
      );
    });
  }
}
