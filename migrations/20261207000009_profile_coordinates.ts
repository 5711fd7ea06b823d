import type { Knex } from 'knex';

/**
 * Where profiles are (issue 15): the coordinates a client may send instead of a place name, and those the
 * features hold (given, or resolved from the place name through the gazetteer), in columns of their own so
 * a `near` filter reads them without the features document.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['jobs', 'candidates']) {
    await knex.schema.alterTable(table, (columns) => {
      columns.double('latitude');
      columns.double('longitude');
      columns.double('features_latitude');
      columns.double('features_longitude');
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['jobs', 'candidates']) {
    await knex.schema.alterTable(table, (columns) => {
      columns.dropColumns('latitude', 'longitude', 'features_latitude', 'features_longitude');
    });
  }
}
