import { timingSafeEqual } from 'node:crypto';

import type { Middleware } from 'koa';
import type { Knex } from 'knex';

import { authenticateClient } from '../../lib/clients.js';
import { UnauthorizedError } from '../../lib/errors.js';
import type { AppState } from '../state.js';

function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Resolves the calling client from its API key; every /v1 route acts for that client only. */
export function clientAuth(db: Knex): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token) throw new UnauthorizedError('Send your API key as Authorization: Bearer <key>.');
    const client = await authenticateClient(db, token);
    if (!client) throw new UnauthorizedError('The API key is not valid.');
    ctx.state.client = client;
    await next();
  };
}

/** Guards the admin surface with its own token, compared in constant time. */
export function adminAuth(adminToken: string | undefined): Middleware {
  const expected = adminToken === undefined ? undefined : Buffer.from(adminToken);
  return async (ctx, next) => {
    if (!expected) throw new UnauthorizedError('The admin API is disabled: set ADMIN_TOKEN to enable it.');
    const given = Buffer.from(bearerToken(ctx.get('authorization')) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedError('Send the admin token as Authorization: Bearer <ADMIN_TOKEN>.');
    }
    await next();
  };
}
