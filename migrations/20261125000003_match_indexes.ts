import type { Knex } from 'knex';

/**
 * Candidate generation at scale (100,000 rows per client):
 *
 * - Stale-features check: a btree on (client_id, features_version) answers "missing or another extractor
 *   version" (IS NULL, < v, > v) and a partial index holds only rows whose features are from an older
 *   revision, so a match no longer scans every row of the client to find that nothing is stale.
 * - The pool query leaves out the subject's words and skills that match a large share of the table, using
 *   the planner's per-lexeme and per-skill frequencies (pg_stats most_common_elems). The default statistics
 *   target keeps ~1,000 lexemes, all of them words in 5% or more of the rows; 1,000 keeps ~10,000, down to
 *   words in a few postings. ANALYZE reads more rows for these two columns (3 s for 100,000 jobs).
 */
const TABLES = ['jobs', 'candidates'] as const;
const STATISTICS_TARGET = 1000;

export async function up(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.raw('CREATE INDEX ?? ON ?? (client_id, features_version)', [
      `${table}_client_features_version`,
      table,
    ]);
    await knex.raw('CREATE INDEX ?? ON ?? (client_id) WHERE features_revision IS DISTINCT FROM revision', [
      `${table}_stale_revision`,
      table,
    ]);
    for (const column of ['search_vector', 'skill_keys']) {
      await knex.raw(`ALTER TABLE ?? ALTER COLUMN ?? SET STATISTICS ${STATISTICS_TARGET}`, [table, column]);
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    for (const column of ['search_vector', 'skill_keys']) {
      await knex.raw('ALTER TABLE ?? ALTER COLUMN ?? SET STATISTICS -1', [table, column]);
    }
    await knex.raw('DROP INDEX IF EXISTS ??', [`${table}_stale_revision`]);
    await knex.raw('DROP INDEX IF EXISTS ??', [`${table}_client_features_version`]);
  }
}
