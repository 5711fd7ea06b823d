import type { Knex } from 'knex';

/**
 * The file a resume or posting was sent as (issue 15), kept as it came; its text is the profile's text. The
 * bytes live in a table of their own, so no profile read carries them; deleting a profile deletes its file.
 */
export async function up(knex: Knex): Promise<void> {
  for (const [table, files] of [
    ['jobs', 'job_documents'],
    ['candidates', 'candidate_documents'],
  ] as const) {
    await knex.schema.alterTable(table, (columns) => {
      columns.text('document_filename');
      columns.text('document_content_type');
      columns.integer('document_size');
      columns.integer('document_pages');
    });
    await knex.schema.createTable(files, (columns) => {
      columns.uuid('profile_id').primary().references(`${table}.id`).onDelete('CASCADE');
      columns.binary('bytes').notNullable();
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, files] of [
    ['jobs', 'job_documents'],
    ['candidates', 'candidate_documents'],
  ] as const) {
    await knex.schema.dropTableIfExists(files);
    await knex.schema.alterTable(table, (columns) => {
      columns.dropColumns('document_filename', 'document_content_type', 'document_size', 'document_pages');
    });
  }
}
