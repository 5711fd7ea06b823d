import type { Middleware } from 'koa';

import { requestIdFrom, withRequestId } from '../../lib/request-context.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Gives each request an id (the caller's X-Request-Id when it is a sane one), echoes it in the response,
 * and runs the request under it, so everything the request causes can be followed by that id.
 */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const id = requestIdFrom(ctx.get(REQUEST_ID_HEADER) || undefined);
    ctx.set(REQUEST_ID_HEADER, id);
    await withRequestId(id, next);
  };
}
