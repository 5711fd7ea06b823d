import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '../../api/app.js';
import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext, type HttpResponse } from '../support/context.js';
import { waitForMatch } from '../support/polling.js';
import { clientRoutes } from '../support/routes.js';
import { until } from '../support/until.js';
import { registerReceiver, waitForNotifications, WebhookReceiver } from '../support/webhooks.js';

const stack = useTestContext({ workers: true, env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });

interface Created {
  id: string;
}

/** One client with something behind every /v1 route: what the others must not reach. */
interface Owner {
  key: string;
  jobId: string;
  jobExternalId: string;
  candidateId: string;
  candidateExternalId: string;
  matchId: string;
  matchIdempotencyKey: string;
  runId: string;
  /** A job among the owner's match results, so feedback on it is valid for the owner. */
  targetId: string;
  notificationId: string;
  webhookUrl: string;
}

/**
 * How to try a route as another client.
 *
 * - `foreignId`: the route names a resource; the intruder asks for the owner's and for an id nobody has,
 *   and the two answers must be the same 404 (status and body, ids aside), so an id that exists for
 *   someone else cannot be told from one that does not exist at all.
 * - `check`: what else the route must not leak or change (lists, upserts, counts, singletons), run with a
 *   fresh intruder's own key.
 */
interface Probe {
  foreignId?: (owner: Owner) => string;
  body?: (owner: Owner) => unknown;
  check?: (intruder: string, owner: Owner) => Promise<void>;
}

const unknownId = (): string => randomUUID();

/** The answer with every occurrence of `id` replaced, so answers about different ids can be compared. */
function withoutId(response: HttpResponse, id: string): unknown {
  return {
    status: response.status,
    body: JSON.parse(JSON.stringify(response.body ?? null).replaceAll(id, '<id>')) as unknown,
  };
}

async function emptyList(intruder: string, path: string): Promise<void> {
  const list = await stack.request<{ items: unknown[]; nextCursor: string | null }>(
    'GET',
    `${path}?limit=100`,
    {
      key: intruder,
    },
  );
  expect(list.status).toBe(200);
  expect(list.body).toEqual({ items: [], nextCursor: null });
}

/** Creating by an externalId another client uses creates the intruder's own row and reveals nothing. */
async function upsertSeparately(intruder: string, path: string, body: object, ownerId: string) {
  const created = await stack.request<Created>('POST', path, { key: intruder, body });
  expect(created.status).toBe(201);
  expect(created.body.id).not.toBe(ownerId);
  const batch = await stack.request<{ created: number; updated: number; items: { id?: string }[] }>(
    'POST',
    `${path}/batch`,
    { key: intruder, body: { items: [body] } },
  );
  expect(batch.body).toMatchObject({ created: 0, updated: 1, invalid: 0 });
  expect(batch.body.items[0]?.id).toBe(created.body.id);
}

async function batchSeparately(intruder: string, path: string, body: object, ownerId: string) {
  const batch = await stack.request<{ created: number; updated: number; items: { id?: string }[] }>(
    'POST',
    `${path}/batch`,
    { key: intruder, body: { items: [body, { externalId: 'invalid-item' }] } },
  );
  expect(batch.status).toBe(200);
  expect(batch.body).toMatchObject({ created: 1, updated: 0, invalid: 1 });
  expect(batch.body.items[0]?.id).not.toBe(ownerId);
}

/** An intruder's own completed match request for its own candidate, ranking its own job. */
async function intruderMatch(intruder: string): Promise<string> {
  await stack.request('POST', '/v1/jobs', {
    key: intruder,
    body: { externalId: 'intruder-job', title: 'Go engineer', description: 'Go services on Kubernetes.' },
  });
  const candidate = await stack.request<Created>('POST', '/v1/candidates', {
    key: intruder,
    body: kubernetesGoCandidate,
  });
  const match = await stack.request<Created>('POST', '/v1/match-requests', {
    key: intruder,
    body: { candidateId: candidate.body.id },
  });
  expect((await waitForMatch(stack, intruder, match.body.id)).status).toBe('completed');
  return match.body.id;
}

const jobBody = (owner: Owner) => ({
  externalId: owner.jobExternalId,
  title: 'Intruder posting',
  description: 'Nothing to do with the owner.',
});
const candidateBody = (owner: Owner) => ({
  ...kubernetesGoCandidate,
  externalId: owner.candidateExternalId,
  headline: 'Intruder',
});

const probes: Record<string, Probe> = {
  'POST /v1/jobs': {
    check: (intruder, owner) => upsertSeparately(intruder, '/v1/jobs', jobBody(owner), owner.jobId),
  },
  'POST /v1/jobs/batch': {
    check: (intruder, owner) => batchSeparately(intruder, '/v1/jobs', jobBody(owner), owner.jobId),
  },
  'GET /v1/jobs': { check: (intruder) => emptyList(intruder, '/v1/jobs') },
  'GET /v1/jobs/:id': { foreignId: (owner) => owner.jobId },
  'GET /v1/jobs/:id/document': { foreignId: (owner) => owner.jobId },
  'PATCH /v1/jobs/:id': { foreignId: (owner) => owner.jobId, body: () => ({ title: 'hijacked' }) },
  'DELETE /v1/jobs/:id': { foreignId: (owner) => owner.jobId },

  'POST /v1/candidates': {
    check: (intruder, owner) =>
      upsertSeparately(intruder, '/v1/candidates', candidateBody(owner), owner.candidateId),
  },
  'POST /v1/candidates/batch': {
    check: (intruder, owner) =>
      batchSeparately(intruder, '/v1/candidates', candidateBody(owner), owner.candidateId),
  },
  'GET /v1/candidates': { check: (intruder) => emptyList(intruder, '/v1/candidates') },
  'GET /v1/candidates/:id': { foreignId: (owner) => owner.candidateId },
  'GET /v1/candidates/:id/document': { foreignId: (owner) => owner.candidateId },
  'PATCH /v1/candidates/:id': {
    foreignId: (owner) => owner.candidateId,
    body: () => ({ headline: 'hijacked' }),
  },
  'DELETE /v1/candidates/:id': { foreignId: (owner) => owner.candidateId },

  'POST /v1/match-requests': {
    check: async (intruder, owner) => {
      // The owner's subjects are refused exactly like ids nobody has.
      for (const [field, id] of [
        ['candidateId', owner.candidateId],
        ['jobId', owner.jobId],
      ] as const) {
        const foreign = await stack.request('POST', '/v1/match-requests', {
          key: intruder,
          body: { [field]: id },
        });
        const other = unknownId();
        const unknown = await stack.request('POST', '/v1/match-requests', {
          key: intruder,
          body: { [field]: other },
        });
        expect(foreign.status).toBe(422);
        expect(withoutId(foreign, id)).toEqual(withoutId(unknown, other));
      }
      // The owner's Idempotency-Key means nothing to another client: a new request, not the owner's.
      const candidate = await stack.request<Created>('POST', '/v1/candidates', {
        key: intruder,
        body: kubernetesGoCandidate,
      });
      const submitted = await stack.request<Created>('POST', '/v1/match-requests', {
        key: intruder,
        body: { candidateId: candidate.body.id },
        headers: { 'idempotency-key': owner.matchIdempotencyKey },
      });
      expect(submitted.status).toBe(202);
      expect(submitted.body.id).not.toBe(owner.matchId);
    },
  },
  'GET /v1/match-requests/:id': { foreignId: (owner) => owner.matchId },
  'POST /v1/match-requests/:id/feedback': {
    foreignId: (owner) => owner.matchId,
    body: (owner) => ({ targetId: owner.targetId, outcome: 'hired' }),
    check: async (intruder, owner) => {
      // On its own request, the owner's job is refused like a target nobody has.
      const matchId = await intruderMatch(intruder);
      const path = `/v1/match-requests/${matchId}/feedback`;
      const foreign = await stack.request('POST', path, {
        key: intruder,
        body: { targetId: owner.targetId, outcome: 'hired' },
      });
      const other = unknownId();
      const unknown = await stack.request('POST', path, {
        key: intruder,
        body: { targetId: other, outcome: 'hired' },
      });
      expect(foreign.status).toBe(422);
      expect(withoutId(foreign, owner.targetId)).toEqual(withoutId(unknown, other));
    },
  },

  'POST /v1/match-runs': {
    check: async (intruder) => {
      // A run ranks the intruder's own subjects only: with none, it has nothing to do.
      const submitted = await stack.request<Created>('POST', '/v1/match-runs', {
        key: intruder,
        body: { subject: 'candidates' },
      });
      expect(submitted.status).toBe(202);
      const finished = await until('the intruder’s run finished', async () => {
        const run = await stack.request<{ status: string; progress: { done: number } }>(
          'GET',
          `/v1/match-runs/${submitted.body.id}`,
          { key: intruder },
        );
        return run.body.status === 'completed' ? run.body : undefined;
      });
      expect(finished.progress.done).toBe(0);
      const page = await stack.request<{ items: unknown[] }>(
        'GET',
        `/v1/match-runs/${submitted.body.id}/results`,
        { key: intruder },
      );
      expect(page.body.items).toEqual([]);
    },
  },
  'GET /v1/match-runs/:id': { foreignId: (owner) => owner.runId },
  'GET /v1/match-runs/:id/results': { foreignId: (owner) => owner.runId },
  'DELETE /v1/match-runs/:id': { foreignId: (owner) => owner.runId },

  'PUT /v1/webhook': {
    check: async (intruder) => {
      // 201 (registered), not 200 (replaced): the owner's webhook is not the intruder's.
      const put = await stack.request('PUT', '/v1/webhook', {
        key: intruder,
        body: { url: 'http://127.0.0.1:9/intruder' },
      });
      expect(put.status).toBe(201);
    },
  },
  'GET /v1/webhook': {
    check: async (intruder) => {
      expect((await stack.request('GET', '/v1/webhook', { key: intruder })).status).toBe(404);
    },
  },
  'DELETE /v1/webhook': {
    check: async (intruder) => {
      expect((await stack.request('DELETE', '/v1/webhook', { key: intruder })).status).toBe(404);
    },
  },
  'POST /v1/webhook/test': {
    check: async (intruder) => {
      expect((await stack.request('POST', '/v1/webhook/test', { key: intruder })).status).toBe(404);
    },
  },
  'GET /v1/notifications': { check: (intruder) => emptyList(intruder, '/v1/notifications') },
  'GET /v1/notifications/:id': { foreignId: (owner) => owner.notificationId },
};

let owner: Owner | undefined;
const receiver = new WebhookReceiver(() => 200);

/** What the owner sees of its own data, to compare before and after the intruders have been at it. */
async function ownerView(key: string, current: Owner): Promise<unknown[]> {
  const paths = [
    `/v1/jobs/${current.jobId}`,
    `/v1/candidates/${current.candidateId}`,
    `/v1/match-requests/${current.matchId}`,
    `/v1/match-runs/${current.runId}/results`,
    '/v1/webhook',
    '/v1/jobs?limit=100',
    '/v1/candidates?limit=100',
    `/v1/notifications/${current.notificationId}`,
  ];
  const views = await Promise.all(
    paths.map(async (path) => (await stack.request('GET', path, { key })).body),
  );
  return [...views, await stack.countRows('matchFeedback')];
}
let before: unknown[] = [];

beforeAll(async () => {
  await receiver.start();
  const key = await stack.newClient('owner');
  await registerReceiver(stack, key, receiver);
  const job = await stack.request<Created>('POST', '/v1/jobs', {
    key,
    body: {
      externalId: 'owner-job',
      title: 'Go engineer',
      description: 'Go services on Kubernetes.',
      skills: ['Go', 'Kubernetes'],
    },
  });
  const candidate = await stack.request<Created>('POST', '/v1/candidates', {
    key,
    body: { ...kubernetesGoCandidate, externalId: 'owner-candidate' },
  });
  const matchIdempotencyKey = 'owner-retry-1';
  const match = await stack.request<Created>('POST', '/v1/match-requests', {
    key,
    body: { candidateId: candidate.body.id },
    headers: { 'idempotency-key': matchIdempotencyKey },
  });
  const completed = await waitForMatch(stack, key, match.body.id);
  const targetId = completed.results?.[0]?.targetId;
  if (targetId === undefined) throw new Error('the owner’s match ranked nothing');
  const [notification] = await waitForNotifications(stack, key, 1);
  if (!notification) throw new Error('the owner got no notification');
  const run = await stack.request<Created>('POST', '/v1/match-runs', {
    key,
    body: { subject: 'candidates' },
  });
  await until('the owner’s run completed', async () => {
    const { body } = await stack.request<{ status: string }>('GET', `/v1/match-runs/${run.body.id}`, { key });
    return body.status === 'completed';
  });
  owner = {
    key,
    jobId: job.body.id,
    jobExternalId: 'owner-job',
    candidateId: candidate.body.id,
    candidateExternalId: 'owner-candidate',
    matchId: match.body.id,
    matchIdempotencyKey,
    runId: run.body.id,
    targetId,
    notificationId: notification.id,
    webhookUrl: receiver.url,
  };
  before = await ownerView(key, owner);
});

afterAll(async () => {
  await receiver.stop();
});

function theOwner(): Owner {
  if (!owner) throw new Error('the owner is not set up');
  return owner;
}

describe('a client sees only its own rows', () => {
  it('has a probe for every /v1 route the app serves, and none for a route it does not serve', () => {
    const served = clientRoutes(createApp(stack.services)).map(({ method, path }) => `${method} ${path}`);
    expect(Object.keys(probes).sort()).toEqual(served.sort());
  });

  for (const [route, probe] of Object.entries(probes)) {
    const [method = '', path = ''] = route.split(' ');
    const { foreignId, check } = probe;

    describe(`${route}, as another client`, () => {
      if (foreignId) {
        it('answers 404 for the owner’s id exactly as for an id nobody has', async () => {
          const current = theOwner();
          const intruder = await stack.newClient('intruder');
          const id = foreignId(current);
          const other = unknownId();
          const body = probe.body?.(current);
          const foreign = await stack.request(method, path.replace(':id', id), { key: intruder, body });
          const unknown = await stack.request(method, path.replace(':id', other), { key: intruder, body });
          expect(foreign.status).toBe(404);
          expect(foreign.headers.get('content-type')).toContain('application/problem+json');
          expect(withoutId(foreign, id)).toEqual(withoutId(unknown, other));
        });
      }
      if (check) {
        it('reveals and changes nothing of the owner’s', async () => {
          await check(await stack.newClient('intruder'), theOwner());
        });
      }
    });
  }

  it('leaves the owner’s data as it was after every probe', async () => {
    const current = theOwner();
    expect(await ownerView(current.key, current)).toEqual(before);
    const webhook = await stack.request<{ url: string }>('GET', '/v1/webhook', { key: current.key });
    expect(webhook.body.url).toBe(current.webhookUrl);
  });

  it('lets two clients use the same externalId independently', async () => {
    const first = await stack.newClient();
    const second = await stack.newClient();
    const body = { externalId: 'shared-ext', title: 'Nurse', description: 'Patient care.' };
    const a = await stack.request<Created>('POST', '/v1/jobs', { key: first, body });
    const b = await stack.request<Created>('POST', '/v1/jobs', { key: second, body });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
  });
});
