import type { Knex } from 'knex';

import { ClientModel } from './models.js';

export async function insertClient(
  db: Knex,
  client: Pick<ClientModel, 'name' | 'apiKeyPrefix' | 'apiKeyHash'>,
): Promise<ClientModel> {
  return ClientModel.query(db).insert(client).returning('*');
}

export async function findClientByKeyHash(db: Knex, apiKeyHash: string): Promise<ClientModel | undefined> {
  return ClientModel.query(db).findOne({ apiKeyHash });
}

export async function findClientByName(db: Knex, name: string): Promise<ClientModel | undefined> {
  return ClientModel.query(db).findOne({ name });
}

export async function findClientById(db: Knex, id: string): Promise<ClientModel | undefined> {
  return ClientModel.query(db).findById(id);
}
