import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';

import {
  MalformedRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../lib/errors.js';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The deepest nesting of arrays and objects in `value`, iteratively: a hostile body must not blow the stack. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * JSON bodies only, up to `limits.bytes` and `limits.depth` levels of nesting; everything else is a clear
 * 4xx before any handler runs.
 */
export function jsonBody(limits: { bytes: number; depth: number }): Middleware {
  const limitBytes = limits.bytes;
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
    await parse(ctx, async () => {
      if (depthOf(ctx.request.body) > limits.depth) {
        throw new ValidationError(
          `The request body nests objects and arrays deeper than ${limits.depth} levels.`,
          [{ pointer: '', detail: `at most ${limits.depth} levels of nesting` }],
        );
      }
      await next();
    });
  };
}
