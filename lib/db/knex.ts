import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import pg from 'pg';

import type { Config } from '../config.js';
import { migrations } from '../../migrations/index.js';

// NUMERIC (years of experience) arrives as a string by default; the values we store fit a double exactly.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));

export type Database = Knex;

export function createDatabase(config: Config): Database {
  return knexFactory({
    client: 'pg',
    connection: config.database.url,
    searchPath: [config.database.schema],
    pool: { min: 0, max: config.database.poolMax },
    acquireConnectionTimeout: 10_000,
    ...knexSnakeCaseMappers(),
  });
}

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations).sort()),
  getMigrationName: (name) => name,
  getMigration: (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return Promise.resolve(migration);
  },
};

export async function migrateToLatest(db: Database, schema: string): Promise<string[]> {
  await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  const [, applied] = (await db.migrate.latest({ migrationSource, schemaName: schema })) as [
    number,
    string[],
  ];
  return applied;
}
