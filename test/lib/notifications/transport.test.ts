import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AddressPolicy, type Resolver } from '../../../lib/notifications/addresses.js';
import { checkDestination, WebhookTransport } from '../../../lib/notifications/transport.js';

/** A local receiver that records what reaches it and answers with the status (and headers) it is told. */
let server: Server;
let port = 0;
const seen: { host: string | undefined; headers: IncomingHttpHeaders; body: string }[] = [];
let answer: { status: number; headers?: Record<string, string> } | 'hang' = { status: 200 };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        host: request.headers.host,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (answer === 'hang') return;
      response.writeHead(answer.status, answer.headers);
      response.end('ignored body');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const loopbackAllowed = new AddressPolicy(['127.0.0.1/32']);
/** Plays a DNS server: every name resolves to whatever the test says at that moment. */
function dns(address: string): Resolver {
  return () => Promise.resolve([{ address, family: 4 }]);
}

function transport(policy: AddressPolicy, resolver: Resolver, timeoutMs = 2000): WebhookTransport {
  return new WebhookTransport({ timeoutMs, policy, resolver });
}

describe('WebhookTransport', () => {
  it('connects to the address its checked lookup resolved, and sends the Host the URL names', async () => {
    answer = { status: 204 };
    seen.length = 0;
    const result = await transport(loopbackAllowed, dns('127.0.0.1')).post(
      `http://receiver.example:${port}/hook`,
      '{"ok":true}',
      { 'webhook-id': 'msg_1' },
    );
    expect(result).toEqual({
      delivered: true,
      status: 204,
      error: undefined,
      refused: false,
      retryAfterMs: undefined,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      host: `receiver.example:${port}`,
      body: '{"ok":true}',
      headers: { 'webhook-id': 'msg_1', 'content-type': 'application/json' },
    });
  });

  it('refuses a name that was public at registration and resolves to loopback at delivery (DNS rebinding)', async () => {
    seen.length = 0;
    let answerWith = '93.184.215.14';
    const rebinding: Resolver = () => Promise.resolve([{ address: answerWith, family: 4 }]);
    const policy = new AddressPolicy([]);
    const url = `http://rebind.example:${port}/hook`;

    await expect(checkDestination(new URL(url), policy, rebinding)).resolves.toBeUndefined();
    answerWith = '127.0.0.1';
    const result = await transport(policy, rebinding).post(url, '{}', {});

    expect(result).toMatchObject({ delivered: false, refused: true, status: undefined });
    expect(result.error).toContain('resolves to 127.0.0.1, a loopback address');
    expect(seen).toHaveLength(0);
  });

  it('refuses IP literals that the policy refuses without connecting', async () => {
    seen.length = 0;
    const result = await transport(new AddressPolicy([]), dns('93.184.215.14')).post(
      `http://127.0.0.1:${port}/hook`,
      '{}',
      {},
    );
    expect(result).toMatchObject({ delivered: false, refused: true });
    expect(seen).toHaveLength(0);
  });

  it('reports a non-2xx answer with the Retry-After it asked for', async () => {
    answer = { status: 429, headers: { 'retry-after': '7' } };
    const result = await transport(loopbackAllowed, dns('127.0.0.1')).post(
      `http://127.0.0.1:${port}/hook`,
      '{}',
      {},
    );
    expect(result).toEqual({
      delivered: false,
      status: 429,
      error: 'answered HTTP 429',
      refused: false,
      retryAfterMs: 7000,
    });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    answer = 'hang';
    const result = await transport(loopbackAllowed, dns('127.0.0.1'), 200).post(
      `http://127.0.0.1:${port}/hook`,
      '{}',
      {},
    );
    expect(result).toMatchObject({ delivered: false, refused: false, error: 'no answer within 200 ms' });
  });

  it('reports a refused connection as a failed attempt', async () => {
    const unused = createServer();
    unused.listen(0, '127.0.0.1');
    await once(unused, 'listening');
    const closedPort = (unused.address() as AddressInfo).port;
    unused.close();
    await once(unused, 'close');
    const result = await transport(loopbackAllowed, dns('127.0.0.1')).post(
      `http://127.0.0.1:${closedPort}/hook`,
      '{}',
      {},
    );
    expect(result).toMatchObject({ delivered: false, refused: false, status: undefined });
    expect(result.error).toContain('ECONNREFUSED');
  });
});
