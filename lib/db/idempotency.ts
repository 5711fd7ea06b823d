import type { Knex } from 'knex';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type Claim =
  | { outcome: 'claimed' }
  | { outcome: 'in-progress' }
  | { outcome: 'other-request' }
  | { outcome: 'replay'; response: StoredResponse };

/**
 * Claims `key` for a request, or says why not. One statement decides, so two concurrent requests with the
 * same key cannot both run: an expired key, or a claim older than `abandonAfterMs` whose request never
 * finished (its process died, or Postgres went away before the claim could be given back), is taken over;
 * anything else stays.
 */
export async function claimIdempotencyKey(
  db: Knex,
  clientId: string,
  key: string,
  requestHash: string,
  ttlHours: number,
  abandonAfterMs: number,
): Promise<Claim> {
  const claimed = await db.raw<{ rows: unknown[] }>(
    `INSERT INTO idempotency_keys AS k (client_id, key, request_hash, expires_at)
     VALUES (?, ?, ?, now() + make_interval(hours => ?))
     ON CONFLICT (client_id, key) DO UPDATE
       SET request_hash = excluded.request_hash, response_status = NULL, response_body = NULL,
           response_headers = NULL, created_at = now(), expires_at = excluded.expires_at
       WHERE k.expires_at < now()
          OR (k.response_status IS NULL AND k.created_at < now() - ? * interval '1 millisecond')
     RETURNING 1`,
    [clientId, key, requestHash, ttlHours, abandonAfterMs],
  );
  if (claimed.rows.length > 0) return { outcome: 'claimed' };
  const existing = (await db('idempotencyKeys').where({ clientId, key }).first()) as
    | {
        requestHash: string;
        responseStatus: number | null;
        responseBody: unknown;
        responseHeaders: Record<string, string> | null;
      }
    | undefined;
  // Deleted between the two statements (its request failed): the client may simply retry.
  if (!existing) return { outcome: 'in-progress' };
  if (existing.requestHash !== requestHash) return { outcome: 'other-request' };
  if (existing.responseStatus === null) return { outcome: 'in-progress' };
  return {
    outcome: 'replay',
    response: {
      status: existing.responseStatus,
      body: existing.responseBody,
      headers: existing.responseHeaders ?? {},
    },
  };
}

export async function completeIdempotencyKey(
  db: Knex,
  clientId: string,
  key: string,
  response: StoredResponse,
): Promise<void> {
  await db('idempotencyKeys')
    .where({ clientId, key })
    .update({
      responseStatus: response.status,
      responseBody: JSON.stringify(response.body ?? null),
      responseHeaders: JSON.stringify(response.headers),
    });
}

/** Gives a key back after its request failed on our side, so a retry runs the request again. */
export async function releaseIdempotencyKey(db: Knex, clientId: string, key: string): Promise<void> {
  await db('idempotencyKeys').where({ clientId, key }).whereNull('responseStatus').delete();
}
