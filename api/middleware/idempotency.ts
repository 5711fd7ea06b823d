import type { Knex } from 'knex';
import type { Middleware } from 'koa';

import { abandonIdempotent, beginIdempotent, finishIdempotent } from '../../lib/idempotency.js';
import { idempotencyKey, parse } from '../../lib/schemas.js';
import type { AppState } from '../state.js';

/** Answer headers a replay repeats; the others belong to the moment of each answer. */
const KEPT_HEADERS = ['location', 'retry-after'];

/**
 * Idempotency-Key on every POST: the first request with a key runs and its answer is kept; a retry with
 * the same key and request gets that answer again (marked Idempotent-Replayed) without doing the work
 * twice; the same key with another request is a 422. Answers of our own failures (5xx) are not kept, so a
 * retry after an outage runs the request again.
 */
export function idempotency(
  db: Knex,
  limits: { ttlHours: number; requestTimeoutMs: number },
): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('idempotency-key');
    if (ctx.method !== 'POST' || header === '') {
      await next();
      return;
    }
    const key = parse(idempotencyKey, header, 'Idempotency-Key header') ?? header;
    const clientId = ctx.state.client.id;
    const request = { method: ctx.method, path: ctx.path, body: ctx.request.body };
    const replay = await beginIdempotent(db, clientId, key, request, limits);
    if (replay) {
      ctx.status = replay.status;
      ctx.set(replay.headers);
      ctx.set('Idempotent-Replayed', 'true');
      if (replay.body !== null) ctx.body = replay.body;
      return;
    }
    try {
      await next();
    } catch (error) {
      await abandonIdempotent(db, clientId, key);
      throw error;
    }
    if (ctx.status >= 500) {
      await abandonIdempotent(db, clientId, key);
      return;
    }
    const headers = Object.fromEntries(
      KEPT_HEADERS.flatMap((name) => {
        const value = ctx.response.get(name);
        return value ? [[name, value]] : [];
      }),
    );
    await finishIdempotent(db, clientId, key, { status: ctx.status, body: ctx.body ?? null, headers });
  };
}
