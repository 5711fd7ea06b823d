import type { Knex } from 'knex';

import { ClientModel } from './models.js';
import { ticketSequenceOf } from './queue-tickets.js';
import type { ListPosition, Page } from './profiles.js';

/** Inserts the client with the sequence its match requests take queue tickets from; call it in a transaction. */
export async function insertClient(
  trx: Knex.Transaction,
  client: Pick<ClientModel, 'name'>,
): Promise<ClientModel> {
  const inserted = await ClientModel.query(trx).insert(client).returning('*');
  await trx.raw('CREATE SEQUENCE ?? START 1', [ticketSequenceOf(inserted.id)]);
  return inserted;
}

export async function findClientByName(db: Knex, name: string): Promise<ClientModel | undefined> {
  return ClientModel.query(db).findOne({ name });
}

/** Names are not unique, so a lookup by name may find several. */
export async function findClientsByName(db: Knex, name: string): Promise<ClientModel[]> {
  return ClientModel.query(db).where({ name }).orderBy('createdAt');
}

export async function findClientById(db: Knex, id: string): Promise<ClientModel | undefined> {
  return ClientModel.query(db).findById(id);
}

export type ClientWithKeyCount = ClientModel & { activeKeys: number };

/** Clients oldest first, after a position (see listProfiles), each with its number of unrevoked keys. */
export async function listClients(
  db: Knex,
  limit: number,
  after: ListPosition | undefined,
): Promise<Page<ClientWithKeyCount>> {
  const query = ClientModel.query(db)
    .select(
      'clients.*',
      db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at`),
      db.raw(
        '(SELECT count(*) FROM api_keys k WHERE k.client_id = clients.id AND k.revoked_at IS NULL)::int AS active_keys',
      ),
    )
    .orderBy([
      { column: 'createdAt', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit + 1);
  if (after) query.whereRaw('(created_at, id) > (?::timestamptz, ?)', [after.createdAt, after.id]);
  const rows = (await query) as (ClientWithKeyCount & { positionAt: string })[];
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextPosition: rows.length > limit && last ? { createdAt: last.positionAt, id: last.id } : undefined,
  };
}
