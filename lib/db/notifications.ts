import type { Knex } from 'knex';

import { NotificationModel, OutboxModel, type NotificationStatus } from './models.js';
import type { ListPosition, Page } from './profiles.js';

export type NewNotification = Pick<
  NotificationModel,
  'clientId' | 'eventType' | 'requestId' | 'payload' | 'url'
> & {
  /** Omitted for events that are not in the outbox (test pings): the database makes one up. */
  eventId?: string;
};

/** Inserts a notification; undefined when this event already has one. */
export async function insertNotification(
  trx: Knex.Transaction,
  notification: NewNotification,
): Promise<NotificationModel | undefined> {
  const [row] = (await trx(NotificationModel.tableName)
    .insert({ ...notification, payload: JSON.stringify(notification.payload) })
    .onConflict('eventId')
    .ignore()
    .returning('*')) as Record<string, unknown>[];
  return row ? NotificationModel.fromDatabaseJson(row) : undefined;
}

/** The latest outbox event of this type about this aggregate (recordEvent returns nothing). */
export async function findLatestEvent(
  trx: Knex.Transaction,
  aggregateId: string,
  eventType: string,
): Promise<Pick<OutboxModel, 'eventId' | 'payload'> | undefined> {
  return OutboxModel.query(trx)
    .select('eventId', 'payload')
    .where({ aggregateId, eventType })
    .orderBy('id', 'desc')
    .first();
}

/**
 * A transaction-scoped advisory lock on the notification. The transaction that creates one holds it until
 * commit while it enqueues the delivery; the worker takes it before reading, so a fast worker waits for the
 * commit instead of finding nothing, and finds nothing only when that transaction rolled back.
 */
export async function lockNotification(trx: Knex.Transaction, id: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`notification:${id}`]);
}

export async function findNotification(
  db: Knex,
  id: string,
  clientId?: string,
): Promise<NotificationModel | undefined> {
  const query = NotificationModel.query(db).findById(id);
  if (clientId !== undefined) query.where('clientId', clientId);
  return query;
}

/** The client's notifications, oldest first, after a position (see listProfiles for how positions work). */
export async function listNotifications(
  db: Knex,
  clientId: string,
  limit: number,
  after: ListPosition | undefined,
): Promise<Page<NotificationModel>> {
  const query = NotificationModel.query(db)
    .select(
      '*',
      db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at`),
    )
    .where('clientId', clientId)
    .orderBy([
      { column: 'createdAt', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit + 1);
  if (after) query.whereRaw('(created_at, id) > (?::timestamptz, ?)', [after.createdAt, after.id]);
  const rows = (await query) as (NotificationModel & { positionAt: string })[];
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextPosition: rows.length > limit && last ? { createdAt: last.positionAt, id: last.id } : undefined,
  };
}

export interface Attempt {
  url: string;
  responseStatus: number | null;
  error: string | null;
}

/**
 * Counts one delivery attempt and moves the notification to `status`. Guarded on 'pending', so a duplicate
 * job cannot change a finished notification; undefined when it was finished already.
 */
export async function recordAttempt(
  db: Knex,
  id: string,
  attempt: Attempt,
  status: NotificationStatus,
): Promise<NotificationModel | undefined> {
  const [row] = await NotificationModel.query(db)
    .patch({
      status,
      url: attempt.url,
      attempts: NotificationModel.raw('attempts + 1'),
      lastResponseStatus: attempt.responseStatus,
      lastError: attempt.error,
      lastAttemptAt: new Date(),
      finishedAt: status === 'pending' ? null : new Date(),
    })
    .where('id', id)
    .where('status', 'pending')
    .returning('*');
  return row;
}

/** Fails a notification that was never attempted (its webhook was removed); guarded like recordAttempt. */
export async function abandonNotification(
  db: Knex,
  id: string,
  reason: string,
): Promise<NotificationModel | undefined> {
  const [row] = await NotificationModel.query(db)
    .patch({ status: 'failed', lastError: reason, finishedAt: new Date() })
    .where('id', id)
    .where('status', 'pending')
    .returning('*');
  return row;
}

/**
 * A page of notifications still pending that were created more than `minAgeMs` ago (database clock), in id
 * order after `afterId`, for the reconciler.
 */
export async function findPendingNotifications(
  db: Knex,
  minAgeMs: number,
  afterId: string | null,
  limit: number,
): Promise<{ id: string; clientId: string }[]> {
  const query = NotificationModel.query(db)
    .select('id', 'clientId')
    .where('status', 'pending')
    .whereRaw("created_at < now() - ? * interval '1 millisecond'", [minAgeMs])
    .orderBy('id')
    .limit(limit);
  if (afterId !== null) query.where('id', '>', afterId);
  return (await query).map(({ id, clientId }) => ({ id, clientId }));
}
