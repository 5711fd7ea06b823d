import type { Knex } from 'knex';

/**
 * Webhook secrets sealed at rest (issue 13): the column holds what lib/notifications/secret-box.ts sealed,
 * and the hint the API shows is kept beside it, so answering GET /v1/webhook never opens a secret. Secrets
 * stored before stay plain until `npm run webhooks:reseal` seals them: a migration has no key to seal with.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhooks', (table) => {
    table.renameColumn('secret', 'sealed_secret');
    table.text('secret_hint');
  });
  await knex('webhooks').update({ secret_hint: knex.raw("substr(sealed_secret, 1, 10) || '…'") });
  await knex.schema.alterTable('webhooks', (table) => {
    table.text('secret_hint').notNullable().alter();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhooks', (table) => {
    table.dropColumn('secret_hint');
    table.renameColumn('sealed_secret', 'secret');
  });
}
