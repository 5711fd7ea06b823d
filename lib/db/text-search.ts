import type { Knex } from 'knex';

/**
 * Postgres full-text search as a ranking baseline: the targets in a temporary table, the query's lexemes
 * OR-ed into a tsquery (AND would match almost nothing for a whole resume), ordered by ts_rank_cd.
 * Targets that share no lexeme with the query come last, in their given order.
 */
export async function rankByFullTextSearch(
  db: Knex,
  query: string,
  targets: readonly { id: string; text: string }[],
): Promise<string[]> {
  return db.transaction(async (trx) => {
    await trx.raw(
      'CREATE TEMPORARY TABLE fts_targets (position int, id text, document tsvector) ON COMMIT DROP',
    );
    await trx('fts_targets').insert(
      targets.map((target, position) => ({
        position,
        id: target.id,
        document: trx.raw("to_tsvector('english', ?)", [target.text]),
      })),
    );
    const result = await trx.raw<{ rows: { id: string }[] }>(
      `WITH q AS (
         -- Lexemes are already stemmed: the 'simple' configuration keeps them as they are.
         SELECT coalesce(to_tsquery('simple', string_agg(quote_literal(lexeme), ' | ')), ''::tsquery) AS query
         FROM unnest(to_tsvector('english', ?)) AS lexemes
       )
       SELECT id FROM fts_targets, q
       ORDER BY ts_rank_cd(document, q.query) DESC, position`,
      [query],
    );
    return result.rows.map((row) => row.id);
  });
}
