import { timingSafeEqual } from 'node:crypto';

import type { Middleware } from 'koa';
import type { Knex } from 'knex';

import type { ApiKeyCache } from '../../lib/api-key-cache.js';
import { authenticate } from '../../lib/clients.js';
import { ForbiddenError, UnauthorizedError } from '../../lib/errors.js';
import { identifyCaller } from '../../lib/request-context.js';
import type { AppState } from '../state.js';

function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the calling client from its API key; every /v1 route acts for that client only. A read-only
 * key is refused here, before any route runs, for every method that is not a read: one check that a new
 * route cannot forget. It comes before any lookup, so the refusal says nothing about whether an id exists.
 */
export function clientAuth(db: Knex, cache: ApiKeyCache): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token) throw new UnauthorizedError('Send your API key as Authorization: Bearer <key>.');
    const caller = await authenticate(db, token, cache);
    if (!caller) throw new UnauthorizedError('The API key is not valid (or has been revoked).');
    const { client, key } = caller;
    ctx.state.client = client;
    ctx.state.apiKey = { id: key.id, prefix: key.prefix, scope: key.scope };
    identifyCaller({ clientId: client.id, apiKeyPrefix: key.prefix });
    if (key.scope === 'read-only' && !READ_METHODS.has(ctx.method)) {
      throw new ForbiddenError(
        `The API key ${key.prefix} is read-only: it may read (GET) but not ${ctx.method}. ` +
          'Send a read-write key to change data.',
      );
    }
    await next();
  };
}

/** The password of HTTP Basic credentials (any user name), as a browser sends them. */
function basicPassword(header: string): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

function sameSecret(given: string, expected: Buffer): boolean {
  const buffer = Buffer.from(given);
  return buffer.length === expected.length && timingSafeEqual(buffer, expected);
}

/**
 * Guards the admin surface with its own token, compared in constant time. API callers send it as a
 * Bearer token; with `browser`, HTTP Basic credentials (any user name, the token as password) work too
 * and a refusal asks for them, so a person can open the admin UI (Bull Board) in a browser.
 */
export function adminAuth(adminToken: string | undefined, options: { browser?: boolean } = {}): Middleware {
  const expected = adminToken === undefined ? undefined : Buffer.from(adminToken);
  const challenge = options.browser ? 'Basic realm="Lookiy Match admin", charset="UTF-8"' : 'Bearer';
  return async (ctx, next) => {
    if (!expected) {
      throw new UnauthorizedError('The admin API is disabled: set ADMIN_TOKEN to enable it.', challenge);
    }
    const header = ctx.get('authorization');
    const given = bearerToken(header) ?? (options.browser ? basicPassword(header) : undefined) ?? '';
    if (!sameSecret(given, expected)) {
      throw new UnauthorizedError(
        options.browser
          ? 'Log in with any user name and the admin token (ADMIN_TOKEN) as the password.'
          : 'Send the admin token as Authorization: Bearer <ADMIN_TOKEN>.',
        challenge,
      );
    }
    await next();
  };
}

/**
 * For endpoints that are open unless a token is configured (metrics): with `token` set, callers must send it
 * as a Bearer token; `setting` names it in the refusal.
 */
export function bearerAuth(token: string | undefined, setting: string): Middleware {
  const expected = token === undefined ? undefined : Buffer.from(token);
  return async (ctx, next) => {
    if (expected && !sameSecret(bearerToken(ctx.get('authorization')) ?? '', expected)) {
      throw new UnauthorizedError(
        `Send the token configured as ${setting} as Authorization: Bearer <token>.`,
      );
    }
    await next();
  };
}
