import type { Knex } from 'knex';

import type { NotificationModel, NotificationStatus } from '../db/models.js';
import {
  abandonNotification,
  findNotification,
  findLatestEvent,
  insertNotification,
  lockNotification,
  recordAttempt,
  type Attempt,
  type NewNotification,
} from '../db/notifications.js';
import { recordEvent } from '../db/outbox.js';
import { findWebhook } from '../db/webhooks.js';
import { PermanentJobError, WebhookDeliveryError } from '../errors.js';
import type { Queues } from '../queues/queues.js';
import { currentRequestId } from '../request-context.js';
import type { SecretBox } from './secret-box.js';
import { signatureHeaders } from './signing.js';
import type { WebhookTransport } from './transport.js';

/** The type of a test ping (POST /v1/webhook/test); real notifications carry their domain event's type. */
export const TEST_EVENT_TYPE = 'webhook.test.v1';

export type MatchFinishedType = 'match.completed.v1' | 'match.failed.v1';

/**
 * Inserts the notification and queues its delivery in the caller's transaction, holding the notification's
 * lock until commit (see lockNotification): the job exists exactly when the notification does.
 */
async function enqueue(
  trx: Knex.Transaction,
  queues: Queues,
  fields: NewNotification,
): Promise<NotificationModel | undefined> {
  const notification = await insertNotification(trx, fields);
  if (!notification) return undefined;
  await lockNotification(trx, notification.id);
  await queues.add('notify', { notificationId: notification.id, clientId: notification.clientId });
  return notification;
}

/**
 * Queues a webhook notification for a match request that just completed or failed, in the transaction that
 * finished it and after its event went to the outbox. The notification carries that event (id and data), so
 * Kafka consumers and webhook receivers see one id and one shape for one event. No webhook, no notification.
 */
export async function notifyMatchFinished(
  trx: Knex.Transaction,
  queues: Queues,
  clientId: string,
  type: MatchFinishedType,
  requestId: string,
): Promise<void> {
  const webhook = await findWebhook(trx, clientId);
  if (!webhook) return;
  const event = await findLatestEvent(trx, requestId, type);
  if (!event) throw new Error(`${type} for ${requestId} is not in the outbox; record it first`);
  await enqueue(trx, queues, {
    clientId,
    eventId: event.eventId,
    eventType: type,
    requestId,
    url: webhook.url,
    payload: event.payload,
  });
}

/**
 * Queues the delivery of a notification that a one-statement write (completeMatchRequest, finishMatchRun)
 * recorded and committed; a worker lost before this leaves it pending, and the reconciler queues it again.
 */
export async function queueDelivery(
  queues: Queues | undefined,
  notification: { id: string; clientId: string } | null,
): Promise<void> {
  if (notification && queues) {
    await queues.add('notify', { notificationId: notification.id, clientId: notification.clientId });
  }
}

/** Queues a test ping to the client's webhook; undefined when the client has none. */
export async function enqueueTestNotification(
  deps: { db: Knex; queues: Queues },
  clientId: string,
): Promise<NotificationModel | undefined> {
  return deps.db.transaction(async (trx) => {
    const webhook = await findWebhook(trx, clientId);
    if (!webhook) return undefined;
    return enqueue(trx, deps.queues, {
      clientId,
      eventType: TEST_EVENT_TYPE,
      requestId: null,
      url: webhook.url,
      payload: { message: 'A test notification from Lookiy Match: your webhook works.' },
    });
  });
}

/** What receivers get: the Standard Webhooks envelope. The timestamp is when the event happened. */
function envelope(notification: NotificationModel): string {
  return JSON.stringify({
    type: notification.eventType,
    timestamp: notification.createdAt.toISOString(),
    data: notification.payload,
  });
}

export type DeliveryOutcome = 'delivered' | 'already-finished' | 'not-found';

export interface DeliveryDeps {
  db: Knex;
  transport: WebhookTransport;
  /** Opens the webhook's sealed secret; a secret sealed under a key no longer configured is retried. */
  secrets: SecretBox;
}

/**
 * One delivery attempt of a notification to the client's current webhook URL and secret. A 2xx answer
 * delivers it; a refused destination or a removed webhook fails it at once (PermanentJobError); any other
 * failure throws WebhookDeliveryError for the queue to retry, and fails it for good on the last attempt.
 * Delivered and failed notifications about match requests publish notification.delivered.v1 / .failed.v1.
 */
export async function deliverNotification(
  deps: DeliveryDeps,
  notificationId: string,
  options: { lastAttempt: boolean },
): Promise<DeliveryOutcome> {
  const notification = await deps.db.transaction(async (trx) => {
    await lockNotification(trx, notificationId);
    return findNotification(trx, notificationId);
  });
  if (!notification) return 'not-found';
  if (notification.status !== 'pending') return 'already-finished';

  const webhook = await findWebhook(deps.db, notification.clientId);
  if (!webhook) {
    const reason = 'the webhook was removed before the notification could be delivered';
    await finish(deps.db, notification.id, 'failed', (trx) =>
      abandonNotification(trx, notification.id, reason),
    );
    throw new PermanentJobError(reason);
  }

  const body = envelope(notification);
  const traceId = currentRequestId();
  const result = await deps.transport.post(webhook.url, body, {
    ...signatureHeaders(
      deps.secrets.open(webhook.sealedSecret, webhook.clientId),
      notification.eventId,
      new Date(),
      body,
    ),
    // Not signed: a correlation id for support, the X-Request-Id of the API call that led here.
    ...(traceId === undefined ? {} : { 'x-request-id': traceId }),
  });
  const attempt: Attempt = {
    url: webhook.url,
    responseStatus: result.status ?? null,
    error: result.error ?? null,
  };
  if (result.delivered) {
    await finish(deps.db, notification.id, 'delivered', (trx) =>
      recordAttempt(trx, notification.id, attempt, 'delivered'),
    );
    return 'delivered';
  }
  const failure = `${webhook.url} ${result.error ?? 'failed'}`;
  if (result.refused || options.lastAttempt) {
    await finish(deps.db, notification.id, 'failed', (trx) =>
      recordAttempt(trx, notification.id, attempt, 'failed'),
    );
    if (result.refused) throw new PermanentJobError(failure);
  } else {
    await recordAttempt(deps.db, notification.id, attempt, 'pending');
  }
  throw new WebhookDeliveryError(failure, result.retryAfterMs);
}

/**
 * Moves a notification to its final status and publishes the matching event in one transaction. Test
 * pings are about no match request, so they publish nothing.
 */
async function finish(
  db: Knex,
  id: string,
  status: Exclude<NotificationStatus, 'pending'>,
  update: (trx: Knex.Transaction) => Promise<NotificationModel | undefined>,
): Promise<void> {
  await db.transaction(async (trx) => {
    const finished = await update(trx);
    if (finished?.requestId == null) return;
    await recordEvent(
      trx,
      finished.clientId,
      status === 'delivered' ? 'notification.delivered.v1' : 'notification.failed.v1',
      id,
      {
        notificationId: id,
        requestId: finished.requestId,
        eventId: finished.eventId,
        url: finished.url,
        attempts: finished.attempts,
        ...(finished.lastResponseStatus === null ? {} : { status: finished.lastResponseStatus }),
        ...(finished.lastError === null ? {} : { error: finished.lastError }),
      },
    );
  });
}
