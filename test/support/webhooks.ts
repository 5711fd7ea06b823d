import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { Webhook } from 'standardwebhooks';

import type { TestContext } from './context.js';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  /** Whether Webhook.verify (the Standard Webhooks reference library) accepted the signature. */
  verified: boolean;
  /** The X-Request-Id of the API call the notification descends from. */
  requestId: string | undefined;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
}

/** How the receiver answers its n-th request (from 1): an HTTP status, or 'hang' to never answer. */
export type Answer = (requestNumber: number) => number | 'hang';

/**
 * A real webhook receiver on 127.0.0.1 and an ephemeral port. It verifies each request as a client would,
 * with the secret it is given, and keeps every request in order.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  secret = '';
  private server: Server | undefined;

  constructor(private readonly answer: Answer) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('the receiver is not started');
    return `http://127.0.0.1:${address.port}/hooks/lookiy`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
    );
    let verified = true;
    try {
      new Webhook(this.secret).verify(raw, headers);
    } catch {
      verified = false;
    }
    this.received.push({
      id: headers['webhook-id'] ?? '',
      timestamp: headers['webhook-timestamp'] ?? '',
      verified,
      requestId: headers['x-request-id'],
      body: JSON.parse(raw) as ReceivedWebhook['body'],
    });
    const answer = this.answer(this.received.length);
    if (answer === 'hang') return;
    response.statusCode = answer;
    response.end();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
}

export interface NotificationBody {
  id: string;
  type: string;
  eventId: string;
  requestId: string | null;
  status: 'pending' | 'delivered' | 'failed';
  url: string;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  finishedAt: string | null;
}

/** Polls the client's notifications until `count` of them are finished (bounded by count, not asserted). */
export async function waitForNotifications(
  stack: TestContext,
  key: string,
  count: number,
): Promise<NotificationBody[]> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const { body } = await stack.request<{ items: NotificationBody[] }>(
      'GET',
      '/v1/notifications?limit=100',
      {
        key,
      },
    );
    const finished = body.items.filter((item) => item.status !== 'pending');
    if (finished.length >= count) return body.items;
    await sleep(50);
  }
  throw new Error(`${count} notification(s) did not finish`);
}

/** Registers the receiver as the client's webhook and hands it the generated secret. */
export async function registerReceiver(
  stack: TestContext,
  key: string,
  receiver: WebhookReceiver,
): Promise<void> {
  const response = await stack.request<{ secret: string }>('PUT', '/v1/webhook', {
    key,
    body: { url: receiver.url },
  });
  if (response.status !== 201) throw new Error(`registering the receiver answered ${response.status}`);
  receiver.secret = response.body.secret;
}
