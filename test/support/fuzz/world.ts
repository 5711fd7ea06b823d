import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import { createClient } from '../../../lib/clients.js';
import { jobCorpus, kubernetesGoCandidate } from '../../fixtures/corpus.js';
import { ADMIN_TOKEN, type TestContext } from '../context.js';
import { waitForMatch } from '../polling.js';

/** The kinds of resource a path parameter can name; anything else gets random and garbage ids only. */
export type ResourceKind =
  'job' | 'candidate' | 'matchRequest' | 'matchRun' | 'notification' | 'client' | 'apiKey';

export interface Tenant {
  key: string;
  clientId: string;
  ids: Record<ResourceKind, string[]>;
  /** A match request that completed, with the targets feedback may name. */
  completed: { id: string; targetIds: string[] } | undefined;
  /** nextCursor of a one-item page of each list, by path. */
  cursors: Record<string, string>;
}

export interface World {
  stack: TestContext;
  own: Tenant;
  foreign: Tenant;
  adminToken: string;
  /** Makes a new resource of the kind for the own tenant (for DELETE, so fixtures are never deleted). */
  fresh(kind: ResourceKind): Promise<string>;
}

interface Created {
  id: string;
}

const PUBLIC_WEBHOOK = 'https://93.184.215.14/hooks/fuzz';

async function created(stack: TestContext, key: string, path: string, body: unknown): Promise<string> {
  const response = await stack.request<Created>('POST', path, { key, body });
  if (response.status >= 300) throw new Error(`fixture ${path} answered ${response.status}`);
  return response.body.id;
}

async function cursorsOf(
  stack: TestContext,
  key: string | undefined,
  paths: string[],
  headers: Record<string, string> = {},
): Promise<Record<string, string>> {
  const cursors: Record<string, string> = {};
  for (const path of paths) {
    const page = await stack.request<{ nextCursor: string | null }>('GET', `${path}?limit=1`, {
      key,
      headers,
    });
    if (page.body.nextCursor) cursors[path] = page.body.nextCursor;
  }
  return cursors;
}

/**
 * A tenant with three jobs, three candidates, a webhook, match requests, a match run and notifications: real ids for
 * the fuzzers to put in paths and bodies. With `complete`, one match request is run to completion by a
 * match worker that is stopped again before fuzzing, so nothing writes in the background meanwhile.
 */
async function tenant(stack: TestContext, name: string, complete: boolean): Promise<Tenant> {
  const { apiKey: key, client } = await createClient(stack.services.db, name);
  const clientId = client.id;
  const ids: Record<ResourceKind, string[]> = {
    job: [],
    candidate: [],
    matchRequest: [],
    matchRun: [],
    notification: [],
    client: [],
    apiKey: [],
  };
  const batch = await stack.request<{ items: { id: string }[] }>('POST', '/v1/jobs/batch', {
    key,
    body: { items: jobCorpus.slice(0, 3).map(({ family: _family, ...job }) => job) },
  });
  ids.job.push(...batch.body.items.map((item) => item.id));
  for (const suffix of ['a', 'b', 'c']) {
    ids.candidate.push(
      await created(stack, key, '/v1/candidates', { ...kubernetesGoCandidate, externalId: `cand-${suffix}` }),
    );
  }
  await stack.request('PUT', '/v1/webhook', { key, body: { url: PUBLIC_WEBHOOK } });

  let completed: Tenant['completed'];
  if (complete) {
    const workers = await stack.startWorkers(['match']);
    try {
      const requestId = await created(stack, key, '/v1/match-requests', { candidateId: ids.candidate[0] });
      const match = await waitForMatch(stack, key, requestId);
      completed = { id: requestId, targetIds: (match.results ?? []).map((result) => result.targetId) };
      ids.matchRequest.push(requestId);
    } finally {
      await workers.close();
    }
  }
  ids.matchRequest.push(await created(stack, key, '/v1/match-requests', { jobId: ids.job[0] }));
  ids.matchRun.push(await created(stack, key, '/v1/match-runs', { subject: 'candidates' }));
  ids.notification.push(await created(stack, key, '/v1/webhook/test', undefined));
  ids.notification.push(
    ...(await stack.services.db('notifications').where({ clientId }).pluck<string[]>('id')),
  );
  return {
    key,
    clientId,
    ids: { ...ids, notification: [...new Set(ids.notification)] },
    completed,
    cursors: await cursorsOf(stack, key, ['/v1/jobs', '/v1/candidates', '/v1/notifications']),
  };
}

export async function buildWorld(stack: TestContext): Promise<World> {
  const own = await tenant(stack, 'fuzz-own', true);
  const foreign = await tenant(stack, 'fuzz-foreign', false);
  const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  // A client whose keys the admin fuzzing may revoke: revoking the fuzzers' own keys would end the run.
  const spare = await stack.request<{ id: string; keyId?: string }>('POST', '/admin/clients', {
    headers: asAdmin,
    body: { name: 'fuzz-spare' },
  });
  own.ids.client.push(spare.body.id, own.clientId);
  foreign.ids.client.push(foreign.clientId);
  if (spare.body.keyId !== undefined) own.ids.apiKey.push(spare.body.keyId);
  Object.assign(own.cursors, await cursorsOf(stack, undefined, ['/admin/clients'], asAdmin));

  let counter = 0;
  const fresh = async (kind: ResourceKind): Promise<string> => {
    counter += 1;
    const key = own.key;
    switch (kind) {
      case 'job':
        return created(stack, key, '/v1/jobs', {
          externalId: `fresh-job-${counter}`,
          title: 'Go developer',
          description: 'Go services on Kubernetes.',
        });
      case 'candidate':
        return created(stack, key, '/v1/candidates', {
          externalId: `fresh-candidate-${counter}`,
          resumeText: 'Go developer, Kubernetes and PostgreSQL.',
        });
      case 'matchRequest':
        return created(stack, key, '/v1/match-requests', { candidateId: own.ids.candidate[0] });
      case 'matchRun':
        return created(stack, key, '/v1/match-runs', { subject: 'jobs' });
      case 'notification': {
        await stack.request('PUT', '/v1/webhook', { key, body: { url: PUBLIC_WEBHOOK } });
        return created(stack, key, '/v1/webhook/test', undefined);
      }
      case 'client':
        return (await createClient(stack.services.db, `fresh-${counter}`)).client.id;
      case 'apiKey': {
        const issued = await stack.request<Created>('POST', `/admin/clients/${spare.body.id}/keys`, {
          headers: asAdmin,
          body: { name: `fresh-${counter}` },
        });
        return issued.status === 201 ? issued.body.id : randomUUID();
      }
    }
  };
  return { stack, own, foreign, adminToken: ADMIN_TOKEN, fresh };
}

/**
 * What a write leaves behind, table by table: cheap aggregates over the columns a write changes. Tables
 * added later are still covered by their row count. Left out: the migrations' own tables, scoring models
 * (workers write them), and idempotency_keys (the Idempotency-Key middleware's bookkeeping, which records
 * refusals too, so a retry gets the same refusal). api_keys.last_used_at changes on any authenticated
 * request, so only the count and the revocations of api_keys are compared.
 */
const FINGERPRINTS: Record<string, string> = {
  jobs: 'count(*), sum(revision), max(updated_at), count(*) filter (where status = $$open$$)',
  candidates: 'count(*), sum(revision), max(updated_at)',
  match_requests: 'count(*), max(created_at), count(*) filter (where status = $$queued$$)',
  match_results: 'count(*)',
  match_feedback: 'count(*), max(updated_at), md5(string_agg(outcome, $$,$$ order by request_id, target_id))',
  outbox: 'count(*), max(id)',
  webhooks: 'count(*), max(updated_at), md5(string_agg(url || sealed_secret, $$,$$ order by client_id))',
  notifications: 'count(*), max(created_at)',
  clients: 'count(*), md5(string_agg(name, $$,$$ order by id))',
  api_keys: 'count(*), count(revoked_at)',
};
const NOT_COMPARED = new Set([
  'knex_migrations',
  'knex_migrations_lock',
  'scoring_models',
  'idempotency_keys',
]);

export type Snapshot = Record<string, string>;

export async function snapshotQuery(db: Knex, schema: string): Promise<() => Promise<Snapshot>> {
  const tables = (
    await db.raw<{ rows: { name: string }[] }>(
      "select table_name as name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' order by 1",
      [schema],
    )
  ).rows
    .map((row) => row.name)
    .filter((table) => !NOT_COMPARED.has(table));
  const sql = `select ${tables
    .map((table) => `(select row(${FINGERPRINTS[table] ?? 'count(*)'})::text from "${table}") as "${table}"`)
    .join(', ')}`;
  return async () => {
    const result = await db.raw<{ rows: Snapshot[] }>(sql);
    return result.rows[0] ?? {};
  };
}
