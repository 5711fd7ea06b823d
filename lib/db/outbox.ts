import type { Knex } from 'knex';

import { OutboxModel } from './models.js';
import { OUTBOX_CHANNEL, type UnsentEvent } from './outbox-session.js';
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
  /** Rows waiting for the relay; parked rows wait for an admin instead, and are not counted here. */
  unsent: number;
  /** Age of the oldest row not published yet (parked rows left out); 0 when there is none. */
  oldestUnsentAgeSeconds: number;
  lastPublishedAt: Date | null;
  /** Rows the broker refused for good, set aside until an admin retries them. */
  parked: number;
}

/**
 * How far the relay is behind. Each part reads an index: the partial indexes of unpublished and of parked
 * rows, and the primary key backwards from the newest row to the newest published one (the relay publishes
 * in id order, so that is the last one it published; the walk is as long as the backlog).
 */
export async function outboxStatus(db: Knex): Promise<OutboxStatus> {
  const result = await db.raw<{
    rows: { unsent: string; age: number | null; published: Date | null; parked: string }[];
  }>(
    `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL AND parked_at IS NULL) AS unsent,
            (SELECT extract(epoch FROM now() - created_at)::float8 FROM outbox
              WHERE published_at IS NULL AND parked_at IS NULL ORDER BY id LIMIT 1) AS age,
            (SELECT published_at FROM outbox WHERE published_at IS NOT NULL ORDER BY id DESC LIMIT 1) AS published,
            (SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL) AS parked`,
  );
  const row = result.rows[0];
  return {
    unsent: Number(row?.unsent ?? 0),
    oldestUnsentAgeSeconds: Math.max(0, row?.age ?? 0),
    lastPublishedAt: row?.published ?? null,
    parked: Number(row?.parked ?? 0),
  };
}

/** A parked row as the admin view lists it: what identifies the event, without its payload. */
export interface ParkedEvent extends Omit<UnsentEvent, 'payload' | 'requestId'> {
  parkedAt: Date;
  /** What the broker answered, as the relay logged it. */
  parkReason: string;
}

export interface ParkedPage {
  items: ParkedEvent[];
  /** The id of the page's last row, to read on after it; null on the last page. */
  nextAfter: string | null;
}

/** Parked rows in outbox id order (the order they were recorded), `limit` at a time after row `after`. */
export async function listParked(db: Knex, limit: number, after?: string): Promise<ParkedPage> {
  const query = db('outbox')
    .select<ParkedEvent[]>(
      'id',
      'eventId',
      'clientId',
      'aggregateType',
      'aggregateId',
      'eventType',
      'createdAt',
      'parkedAt',
      'parkReason',
    )
    .whereNotNull('parkedAt')
    .orderBy('id')
    .limit(limit + 1);
  if (after !== undefined) void query.where('id', '>', after);
  const rows = await query;
  const items = rows.slice(0, limit);
  return { items, nextAfter: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * Un-parks one row (`id`) or every parked row, so the relay publishes it again, and wakes the relay. A
 * retried row goes out in outbox id order among the rows still unsent, so after the rows of its aggregate
 * recorded later if those were published meanwhile. Returns how many rows it un-parked: 0 when `id` names no
 * parked row.
 */
export async function retryParked(db: Knex, id?: string): Promise<number> {
  return db.transaction(async (trx) => {
    const rows = await trx('outbox')
      .update({ parkedAt: null, parkReason: null })
      .whereNotNull('parkedAt')
      .modify((query) => {
        if (id !== undefined) void query.where('id', id);
      })
      .returning<{ id: string }[]>('id');
    if (rows.length > 0) await trx.raw('SELECT pg_notify(?, current_schema())', [OUTBOX_CHANNEL]);
    return rows.length;
  });
}
