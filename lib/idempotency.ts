import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Knex } from 'knex';

import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredResponse,
} from './db/idempotency.js';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './errors.js';

export type { StoredResponse };

export interface IdempotentRequest {
  method: string;
  path: string;
  body: unknown;
}

/** What makes two requests "the same" for a key: method, path and the parsed JSON body. */
function requestHash(request: IdempotentRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

/**
 * Starts a request under an Idempotency-Key. Returns undefined when this request may run (it holds the
 * key now), or the stored answer of the first request with this key. Throws when the key was used for
 * another request (422) or its first request is still running (409).
 */
export async function beginIdempotent(
  db: Knex,
  clientId: string,
  key: string,
  request: IdempotentRequest,
  limits: { ttlHours: number; requestTimeoutMs: number },
): Promise<StoredResponse | undefined> {
  // No request runs longer than the request timeout, so a claim older than that is one nobody will finish.
  const claim = await claimIdempotencyKey(
    db,
    clientId,
    key,
    requestHash(request),
    limits.ttlHours,
    limits.requestTimeoutMs,
  );
  switch (claim.outcome) {
    case 'claimed':
      return undefined;
    case 'replay':
      return claim.response;
    case 'in-progress':
      throw new IdempotencyKeyInUseError(
        `A request with Idempotency-Key ${key} is still being processed; retry in a moment.`,
      );
    case 'other-request':
      throw new IdempotencyKeyReusedError(
        `Idempotency-Key ${key} was used for another request (a different method, path or body). Use a new key for a new request.`,
        [{ pointer: '', detail: 'must be the same request as the first one sent with this Idempotency-Key' }],
      );
  }
}

/**
 * Keeps the answer for retries. Never throws: the work is done, so the client gets its answer; when
 * Postgres is what failed (a restart), keeping it is retried in the background for a while, and retries
 * meanwhile get a 409 and then the answer.
 */
export async function finishIdempotent(
  db: Knex,
  clientId: string,
  key: string,
  response: StoredResponse,
): Promise<void> {
  const keep = () => completeIdempotencyKey(db, clientId, key, response);
  try {
    await keep();
  } catch {
    void retryInBackground(keep);
  }
}

/** Waits between attempts to write a key's outcome while Postgres is away: about half a minute in all. */
const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 16000];

/**
 * Gives the key back after its request failed on our side, so the client's retry runs the request. Never
 * throws: when Postgres is what failed, the release is retried in the background for a while (a restart
 * takes seconds), and a claim nobody gives back is taken over after the request timeout anyway.
 */
export async function abandonIdempotent(db: Knex, clientId: string, key: string): Promise<void> {
  const release = () => releaseIdempotencyKey(db, clientId, key);
  try {
    await release();
  } catch {
    void retryInBackground(release);
  }
}

async function retryInBackground(write: () => Promise<unknown>): Promise<void> {
  for (const delay of RETRY_DELAYS_MS) {
    await sleep(delay);
    try {
      await write();
      return;
    } catch {
      // Still away; the next attempt waits longer.
    }
  }
}
