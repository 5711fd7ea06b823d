import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

import { afterAll, describe, expect, it } from 'vitest';

import { EXIT_BAD_SETTING } from '../../lib/listen.js';
import { useTestContext } from '../support/context.js';
import { WorkerProcesses } from '../support/worker-process.js';

const stack = useTestContext();
const processes = new WorkerProcesses(stack);
const holder = createServer();
afterAll(async () => {
  await processes.stopAll();
  holder.close();
});

describe('a worker whose OPS_PORT is taken', () => {
  it('ends with the bad-setting status, so npm start stops instead of restarting it forever', async () => {
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;

    const worker = processes.start({ OPS_PORT: String(port) });
    const [code] = (await once(worker, 'exit')) as [number | null];

    expect(code).toBe(EXIT_BAD_SETTING);
  });
});
