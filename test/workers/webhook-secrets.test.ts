import { randomBytes } from 'node:crypto';

import { afterAll, describe, expect, it } from 'vitest';

import { createClient } from '../../lib/clients.js';
import { loadConfig } from '../../lib/config.js';
import { resealWebhookSecrets } from '../../lib/notifications/webhooks.js';
import { useTestContext } from '../support/context.js';
import { registerReceiver, waitForNotifications, WebhookReceiver } from '../support/webhooks.js';
import { WorkerProcesses } from '../support/worker-process.js';

const oldKey = `k1:${randomBytes(32).toString('base64')}`;
const newKey = `k2:${randomBytes(32).toString('base64')}`;
const stack = useTestContext({
  env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1', WEBHOOK_SECRET_KEYS: oldKey },
});
const processes = new WorkerProcesses(stack);
const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await processes.stopAll();
  for (const receiver of receivers) await receiver.stop();
});

async function sealedSecretOf(clientId: string): Promise<string> {
  const row = (await stack.services.db('webhooks').where({ clientId }).first()) as { sealedSecret: string };
  return row.sealedSecret;
}

describe('webhook secrets at rest', () => {
  it('are stored sealed, and keep signing through a key rotation, secrets stored before sealing included', async () => {
    const clients = [];
    for (let index = 0; index < 2; index += 1) {
      const { client, apiKey: key } = await createClient(stack.services.db, `tenant ${index}`);
      const receiver = await new WebhookReceiver(() => 200).start();
      receivers.push(receiver);
      await registerReceiver(stack, key, receiver);
      clients.push({ clientId: client.id, key, receiver });
    }
    for (const { clientId, receiver } of clients) {
      const sealed = await sealedSecretOf(clientId);
      expect(sealed).toMatch(/^sealed:v1:k1:/);
      expect(sealed).not.toContain(receiver.secret.slice(6, 20));
    }
    // The second client's secret as it was stored before secrets were sealed.
    const legacy = clients[1];
    if (!legacy) throw new Error('two clients were made');
    await stack.services
      .db('webhooks')
      .where({ clientId: legacy.clientId })
      .update({ sealedSecret: legacy.receiver.secret });

    // Rotation: the new key first, the old one still there to open; reseal; then only the new key.
    const rotating = loadConfig({ WEBHOOK_SECRET_KEYS: `${newKey},${oldKey}` });
    const deps = { db: stack.services.db, config: rotating };
    expect(await resealWebhookSecrets(deps)).toBe(2);
    expect(await resealWebhookSecrets(deps)).toBe(0);
    for (const { clientId } of clients) expect(await sealedSecretOf(clientId)).toMatch(/^sealed:v1:k2:/);

    processes.start({
      WORKER_QUEUES: 'notify',
      WEBHOOK_SECRET_KEYS: newKey,
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1',
    });
    for (const { key, receiver } of clients) {
      expect((await stack.request('POST', '/v1/webhook/test', { key })).status).toBe(202);
      const [notification] = await waitForNotifications(stack, key, 1);
      expect(notification?.status).toBe('delivered');
      expect(receiver.received.map((delivery) => delivery.verified)).toEqual([true]);
    }
  });
});
