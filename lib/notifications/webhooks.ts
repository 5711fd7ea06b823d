import type { Knex } from 'knex';

import type { Config } from '../config.js';
import type { NotificationModel, WebhookModel } from '../db/models.js';
import { findNotification, listNotifications } from '../db/notifications.js';
import {
  deleteWebhook,
  findWebhook,
  listWebhooksPage,
  resealWebhookSecret,
  upsertWebhook,
} from '../db/webhooks.js';
import { DestinationRefusedError, NotFoundError, WebhookUrlRefusedError } from '../errors.js';
import type { Queues } from '../queues/queues.js';
import type { WebhookInput } from '../schemas.js';
import { AddressPolicy, systemResolver, type Resolver } from './addresses.js';
import { enqueueTestNotification } from './notifications.js';
import { SecretBox } from './secret-box.js';
import { generateSecret, secretHint } from './signing.js';
import { checkDestination, hostOf } from './transport.js';

export interface RegisteredWebhook {
  webhook: WebhookModel;
  created: boolean;
  /** The secret we generated, to show once; undefined when the client chose one or the old one was kept. */
  generatedSecret: string | undefined;
}

const NO_WEBHOOK = 'No webhook is registered; PUT /v1/webhook registers one.';

/**
 * Registers the client's webhook, or changes its URL (and its secret, when one is given). A URL whose host
 * is or resolves to an address webhooks may not reach is refused before anything is stored.
 */
export async function registerWebhook(
  deps: { db: Knex; config: Pick<Config, 'webhooks'> },
  clientId: string,
  input: WebhookInput,
  resolver: Resolver = systemResolver,
): Promise<RegisteredWebhook> {
  const url = new URL(input.url);
  await refuseUnreachable(url, new AddressPolicy(deps.config.webhooks.allowedNetworks), resolver);
  const secret = input.secret ?? generateSecret();
  const sealedSecret = new SecretBox(deps.config.webhooks.secretKeys).seal(secret, clientId);
  const { webhook, created } = await upsertWebhook(
    deps.db,
    { clientId, url: url.href, sealedSecret, secretHint: secretHint(secret) },
    input.secret !== undefined,
  );
  return { webhook, created, generatedSecret: created && input.secret === undefined ? secret : undefined };
}

async function refuseUnreachable(url: URL, policy: AddressPolicy, resolver: Resolver): Promise<void> {
  try {
    await checkDestination(url, policy, resolver);
  } catch (error) {
    if (error instanceof DestinationRefusedError) {
      throw new WebhookUrlRefusedError(
        `${error.message}: webhooks may only call public addresses (loopback, private, link-local, ` +
          'unique-local, CGNAT, multicast and reserved ones are refused).',
      );
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      throw new WebhookUrlRefusedError(`The host ${hostOf(url)} does not resolve to any address.`);
    }
    throw error;
  }
}

export async function getWebhook(db: Knex, clientId: string): Promise<WebhookModel> {
  const webhook = await findWebhook(db, clientId);
  if (!webhook) throw new NotFoundError(NO_WEBHOOK);
  return webhook;
}

/** Removes the webhook; notifications still queued for it then fail without being sent. */
export async function removeWebhook(db: Knex, clientId: string): Promise<void> {
  if (!(await deleteWebhook(db, clientId))) throw new NotFoundError(NO_WEBHOOK);
}

/** Sends a test ping through the same queue, signing and checks as real notifications. */
export async function sendTestNotification(
  deps: { db: Knex; queues: Queues },
  clientId: string,
): Promise<NotificationModel> {
  const notification = await enqueueTestNotification(deps, clientId);
  if (!notification) throw new NotFoundError(NO_WEBHOOK);
  return notification;
}

export async function getNotification(db: Knex, clientId: string, id: string): Promise<NotificationModel> {
  const notification = await findNotification(db, id, clientId);
  if (!notification) throw new NotFoundError(`No notification with id ${id}.`);
  return notification;
}

/** Webhooks read per round trip by a reseal. */
const RESEAL_PAGE = 500;

/**
 * Seals every webhook secret under the current key (the first of WEBHOOK_SECRET_KEYS): the middle step of
 * a key rotation, and how secrets stored before sealing get sealed. Safe to repeat and to run beside the
 * service. Returns how many it resealed.
 */
export async function resealWebhookSecrets(deps: {
  db: Knex;
  config: Pick<Config, 'webhooks'>;
}): Promise<number> {
  const box = new SecretBox(deps.config.webhooks.secretKeys);
  let resealed = 0;
  let after: string | null = null;
  for (;;) {
    const page = await listWebhooksPage(deps.db, after, RESEAL_PAGE);
    for (const { clientId, sealedSecret } of page) {
      if (box.isCurrent(sealedSecret)) continue;
      const sealed = box.seal(box.open(sealedSecret, clientId), clientId);
      if (await resealWebhookSecret(deps.db, clientId, sealedSecret, sealed)) resealed += 1;
    }
    if (page.length < RESEAL_PAGE) return resealed;
    after = page.at(-1)?.clientId ?? null;
  }
}

export { listNotifications };
