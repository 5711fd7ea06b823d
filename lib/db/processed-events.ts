import type { Knex } from 'knex';

export interface InboundEventKey {
  consumer: string;
  clientId: string;
  source: string;
  eventId: string;
}

/**
 * Claims an inbound event for a consumer inside the transaction that applies it: true the first time,
 * false when it was applied before. A concurrent claim of the same event waits for the first transaction
 * and then gets false, so two deliveries never both apply it.
 */
export async function claimEvent(trx: Knex.Transaction, key: InboundEventKey): Promise<boolean> {
  const inserted = (await trx('processedEvents')
    .insert(key)
    .onConflict(['consumer', 'clientId', 'source', 'eventId'])
    .ignore()
    .returning('eventId')) as unknown[];
  return inserted.length > 0;
}
