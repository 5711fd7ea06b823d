import type { Knex } from 'knex';

import { OutboxModel } from './models.js';
import { aggregateTypeOf, type DomainEvents, type EventType } from '../events/registry.js';

/**
 * Records a domain event in the outbox inside the caller's transaction, so the event exists exactly when
 * the change it describes does. A relay publishes outbox rows to Kafka.
 */
export async function recordEvent<Type extends EventType>(
  trx: Knex.Transaction,
  clientId: string,
  type: Type,
  aggregateId: string,
  data: DomainEvents[Type],
): Promise<void> {
  await OutboxModel.query(trx).insert({
    clientId,
    aggregateType: aggregateTypeOf(type),
    aggregateId,
    eventType: type,
    payload: data as unknown as Record<string, unknown>,
  });
}
