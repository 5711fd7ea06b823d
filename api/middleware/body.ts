import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';

import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../lib/errors.js';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** JSON bodies only, up to `limitBytes`; everything else is a clear 4xx before any handler runs. */
export function jsonBody(limitBytes: number): Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: limitBytes,
    jsonStrict: true,
    onError: (error: Error & { status?: number; type?: string }) => {
      if (error.status === 413 || error.type === 'entity.too.large') {
        throw new PayloadTooLargeError(`The request body is larger than the limit of ${limitBytes} bytes.`);
      }
      throw new MalformedRequestError(`The request body is not valid JSON: ${error.message}`);
    },
  }) as Middleware;
  return async (ctx, next) => {
    if (
      ['POST', 'PUT', 'PATCH'].includes(ctx.method) &&
      hasBody(ctx.headers) &&
      !ctx.is('application/json')
    ) {
      throw new UnsupportedMediaTypeError(
        'Send the request body as JSON with Content-Type: application/json.',
      );
    }
    const declared = Number(ctx.get('content-length'));
    if (Number.isFinite(declared) && declared > limitBytes) {
      throw new PayloadTooLargeError(`The request body is ${declared} bytes; the limit is ${limitBytes}.`);
    }
    await parse(ctx, next);
  };
}
