import { once } from 'node:events';
import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

import { afterAll, describe, expect, it } from 'vitest';

import { jobCorpus } from '../fixtures/corpus.js';
import { ApiProcesses } from '../support/api-process.js';
import { useTestContext } from '../support/context.js';
import { until } from '../support/until.js';

const stack = useTestContext();
const apis = new ApiProcesses(stack);
// A client that keeps connections open between requests, as most do.
const agent = new Agent({ keepAlive: true });
afterAll(async () => {
  agent.destroy();
  await apis.stopAll();
});

/** Whether a new TCP connection to the port is refused (nothing listens any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED');
    });
  });
}

/**
 * A batch POST whose headers are sent at once and whose body waits for `finish`: with Expect: 100-continue
 * the API answers "100 Continue" once it has the request, so the test knows the request is in flight.
 */
async function startBatchPost(
  port: number,
  key: string,
  body: Buffer,
): Promise<{ request: ClientRequest; response: Promise<IncomingMessage> }> {
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/jobs/batch',
    agent,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'content-length': String(body.length),
      expect: '100-continue',
    },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // Handled here so that a request cut off on purpose is no unhandled rejection; tests await it themselves.
  response.catch(() => undefined);
  request.flushHeaders();
  await once(request, 'continue');
  return { request, response };
}

async function readJson(response: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

describe('SIGTERM on an API process', () => {
  it('refuses new connections at once and still answers the request in flight, then exits 0', async () => {
    const key = await stack.newClient();
    const api = await apis.start();
    const items = jobCorpus.map(({ family, ...job }, index) => ({
      ...job,
      externalId: `${family}-${job.externalId}-${index}`,
    }));
    const body = Buffer.from(JSON.stringify({ items }));
    const { request, response } = await startBatchPost(api.port, key, body);
    const half = Math.floor(body.length / 2);
    request.write(body.subarray(0, half));

    const exited = once(api.child, 'exit');
    api.child.kill('SIGTERM');
    await until('the API refuses new connections', () => refused(api.port));
    request.end(body.subarray(half));

    const answer = await response;
    expect(answer.statusCode).toBe(200);
    // Told to take its next request elsewhere: this connection ends with the answer.
    expect(answer.headers.connection).toBe('close');
    expect(await readJson(answer)).toMatchObject({ created: items.length, invalid: 0 });
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(await stack.countRows('jobs')).toBe(items.length);
  });

  it('closes a connection still busy when the grace period ends, and exits 0', async () => {
    const key = await stack.newClient();
    const api = await apis.start({ SHUTDOWN_GRACE_MS: '200' });
    // A client that never sends the body it announced.
    const { response } = await startBatchPost(api.port, key, Buffer.from('{"items":[]}'));

    const exited = once(api.child, 'exit');
    api.child.kill('SIGTERM');
    await expect(response).rejects.toThrow(/socket hang up|ECONNRESET/);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
