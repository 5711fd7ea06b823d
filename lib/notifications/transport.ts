import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

import { DestinationRefusedError } from '../errors.js';
import { checkedLookup, type AddressPolicy, type Resolver } from './addresses.js';

export interface AttemptResult {
  delivered: boolean;
  /** The receiver's HTTP status, when it answered. */
  status: number | undefined;
  /** What went wrong, when not delivered. */
  error: string | undefined;
  /** The destination is one webhooks may not reach: retrying cannot help. */
  refused: boolean;
  /** How long the receiver asked us to wait before the next attempt (Retry-After). */
  retryAfterMs: number | undefined;
}

export interface TransportSettings {
  timeoutMs: number;
  policy: AddressPolicy;
  resolver: Resolver;
}

/** The host part of a URL as DNS and address checks want it: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Throws DestinationRefusedError unless every address the URL's host resolves to may be reached (DNS errors
 * propagate). Registration uses it to refuse a bad URL at once; deliveries check again as they connect.
 */
export async function checkDestination(url: URL, policy: AddressPolicy, resolver: Resolver): Promise<void> {
  const host = hostOf(url);
  const addresses = isIP(host) !== 0 ? [host] : (await resolver(host)).map((entry) => entry.address);
  policy.check(host, addresses);
}

/**
 * POSTs webhook bodies. Each request resolves its host through the policy-checking lookup and connects to
 * the address that passed (no shared connection pool, no redirects followed), so what was checked is what
 * is called. Any answer other than 2xx, a timeout or a network error is a failed attempt.
 */
export class WebhookTransport {
  private readonly lookup: LookupFunction;

  constructor(private readonly settings: TransportSettings) {
    this.lookup = checkedLookup(settings.policy, settings.resolver);
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<AttemptResult> {
    const target = new URL(url);
    const host = hostOf(target);
    // Node connects to IP literals without a lookup, so they are checked here.
    if (isIP(host) !== 0) {
      const range = this.settings.policy.refusal(host);
      if (range !== undefined) return refused(new DestinationRefusedError(host, host, range));
    }
    const { timeoutMs } = this.settings;
    const signal = AbortSignal.timeout(timeoutMs);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const request = send(
        target,
        {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'Lookiy-Match-Webhooks/1',
          },
          lookup: this.lookup,
          agent: false,
          signal,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          // Only the status matters; the body is not read, so a receiver cannot hold the worker by streaming.
          response.destroy();
          resolve(
            status >= 200 && status < 300
              ? { delivered: true, status, error: undefined, refused: false, retryAfterMs: undefined }
              : {
                  delivered: false,
                  status,
                  error: `answered HTTP ${status}`,
                  refused: false,
                  retryAfterMs: retryAfterMs(response.headers),
                },
          );
        },
      );
      request.on('error', (error) => {
        if (error instanceof DestinationRefusedError) resolve(refused(error));
        else
          resolve({
            delivered: false,
            status: undefined,
            error: signal.aborted ? `no answer within ${timeoutMs} ms` : error.message,
            refused: false,
            retryAfterMs: undefined,
          });
      });
      request.end(body);
    });
  }
}

function refused(error: DestinationRefusedError): AttemptResult {
  return {
    delivered: false,
    status: undefined,
    error: error.message,
    refused: true,
    retryAfterMs: undefined,
  };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
