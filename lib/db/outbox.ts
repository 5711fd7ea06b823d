import type { Knex } from 'knex';

import { OutboxModel } from './models.js';
import { currentRequestId } from '../request-context.js';
import { aggregateTypeOf, type DomainEvents, type EventType } from '../events/registry.js';

/**
 * Records a domain event in the outbox inside the caller's transaction, so the event exists exactly when
 * the change it describes does. The relay (lib/events/relay.ts) publishes outbox rows to Kafka; an insert
 * trigger wakes it. `clientId` is null only for events that belong to no client (model.activated).
 */
export async function recordEvent<Type extends EventType>(
  trx: Knex.Transaction,
  clientId: string | null,
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
    requestId: currentRequestId() ?? null,
  });
}

export interface OutboxStatus {
  unsent: number;
  /** Age of the oldest row not published yet; 0 when there is none. */
  oldestUnsentAgeSeconds: number;
  lastPublishedAt: Date | null;
}

/**
 * How far the relay is behind. Each part reads an index: the partial index of unpublished rows, and the
 * primary key backwards from the newest row to the newest published one (the relay publishes in id order,
 * so that is the last one it published; the walk is as long as the backlog).
 */
export async function outboxStatus(db: Knex): Promise<OutboxStatus> {
  const result = await db.raw<{ rows: { unsent: string; age: number | null; published: Date | null }[] }>(
    `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS unsent,
            (SELECT extract(epoch FROM now() - created_at)::float8 FROM outbox
              WHERE published_at IS NULL ORDER BY id LIMIT 1) AS age,
            (SELECT published_at FROM outbox WHERE published_at IS NOT NULL ORDER BY id DESC LIMIT 1) AS published`,
  );
  const row = result.rows[0];
  return {
    unsent: Number(row?.unsent ?? 0),
    oldestUnsentAgeSeconds: Math.max(0, row?.age ?? 0),
    lastPublishedAt: row?.published ?? null,
  };
}
