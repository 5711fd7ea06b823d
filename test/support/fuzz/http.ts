import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

import { checkResponse } from '../contract.js';

export interface RawRequest {
  method: string;
  /** Path and query string, already encoded (or deliberately not). */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer | undefined;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  contentType: string | null;
  /** The parsed JSON when the answer says it is JSON, else the text. */
  body: unknown;
}

const ANSWER_WITHIN_MS = 20_000;

/**
 * Sends a request exactly as given, through node:http rather than fetch, which would refuse or normalise
 * the odd headers and bodies the fuzzers make (Latin-1 header bytes, a body on a DELETE, a wrong charset).
 * Each request has a connection of its own: on a kept-alive one, the server closing it after refusing a
 * body it did not read races the next request, and that reset would be the harness's fault, not the API's.
 */
export function send(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent: false,
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        // Framed explicitly: for GET and DELETE node:http would send a body without a length, and the
        // server would read it as the next request.
        headers:
          request.body === undefined || 'transfer-encoding' in request.headers
            ? request.headers
            : { 'content-length': String(Buffer.byteLength(request.body)), ...request.headers },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = incoming.headers['content-type'] ?? null;
          let body: unknown = text === '' ? undefined : text;
          if (text !== '' && contentType?.includes('json')) {
            try {
              body = JSON.parse(text);
            } catch {
              reject(
                new Error(
                  `the ${String(incoming.statusCode)} answer says JSON but is not: ${text.slice(0, 200)}`,
                ),
              );
              return;
            }
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, contentType, body });
        });
      },
    );
    outgoing.on('error', reject);
    // A request the server never answers is a failure to report, not a test that hangs until its timeout.
    outgoing.setTimeout(ANSWER_WITHIN_MS, () => {
      outgoing.destroy(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`));
    });
    outgoing.end(request.body);
  });
}

/** Sends, then checks the answer against the OpenAPI document as stack.request does for its own requests. */
export async function sendChecked(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const response = await send(baseUrl, request);
  checkResponse(request.method, request.path, response.status, response.contentType, response.body);
  return response;
}
