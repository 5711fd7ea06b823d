import { afterAll, describe, expect, it } from 'vitest';

import { createClient } from '../../lib/clients.js';
import { insertMatchRun, lockMatchRun } from '../../lib/db/match-runs.js';
import { jobCorpus, kubernetesGoCandidate, nurseCandidate, type JobFixture } from '../fixtures/corpus.js';
import { useTestContext, type TestContext } from '../support/context.js';
import { until } from '../support/until.js';
import { registerReceiver, WebhookReceiver } from '../support/webhooks.js';

// The receiver listens on loopback, which webhooks may not reach unless allowed.
const stack = useTestContext({ workers: true, env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' } });
const receiver = await new WebhookReceiver(() => 204).start();
afterAll(() => receiver.stop());

interface RunBody {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  subject: 'candidates' | 'jobs';
  topK: number;
  progress: { done: number; total: number | null; ratePerSecond: number | null; etaSeconds: number | null };
  error?: string;
}

interface SubjectResults {
  subjectId: string;
  subjectExternalId: string;
  results: { rank: number; targetId: string; targetExternalId: string; score: number }[];
}

interface ResultsPage {
  items: SubjectResults[];
  nextCursor: string | null;
}

/** Candidates of two trades, each under several external ids. */
function candidates(perTrade: number) {
  return Array.from({ length: perTrade }, (_, index) => [
    { ...kubernetesGoCandidate, externalId: `go-${index}`, location: index % 2 === 0 ? 'Berlin' : 'Lisbon' },
    { ...nurseCandidate, externalId: `nurse-${index}`, location: 'Berlin' },
  ]).flat();
}

async function seed(key: string, candidateCount: number): Promise<Map<string, JobFixture>> {
  const items = jobCorpus.map(({ family: _family, ...job }) => job);
  expect((await stack.request('POST', '/v1/jobs/batch', { key, body: { items } })).status).toBe(200);
  const people = candidates(candidateCount / 2);
  expect((await stack.request('POST', '/v1/candidates/batch', { key, body: { items: people } })).status).toBe(
    200,
  );
  return new Map(jobCorpus.map((job) => [job.externalId, job]));
}

async function waitForRun(context: TestContext, key: string, id: string): Promise<RunBody> {
  return until(`match run ${id} finished`, async () => {
    const { body } = await context.request<RunBody>('GET', `/v1/match-runs/${id}`, { key });
    return body.status === 'completed' || body.status === 'failed' ? body : undefined;
  });
}

async function allResults(key: string, id: string, limit: number): Promise<SubjectResults[]> {
  const items: SubjectResults[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? `limit=${limit}` : `limit=${limit}&cursor=${cursor}`;
    const page = await stack.request<ResultsPage>('GET', `/v1/match-runs/${id}/results?${query}`, { key });
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return items;
}

describe('bulk match runs (POST /v1/match-runs → worker → results, events, webhook)', () => {
  it('ranks jobs for every candidate exactly once, pages the results and ends with one event and one webhook', async () => {
    const key = await stack.newClient();
    await registerReceiver(stack, key, receiver);
    const jobs = await seed(key, 8);

    const submitted = await stack.request<RunBody>('POST', '/v1/match-runs', {
      key,
      body: { subject: 'candidates', topK: 3 },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.headers.get('location')).toBe(`/v1/match-runs/${submitted.body.id}`);
    expect(submitted.body).toMatchObject({ status: 'queued', subject: 'candidates', topK: 3 });
    expect(submitted.body.progress).toEqual({ done: 0, total: null, ratePerSecond: null, etaSeconds: null });

    const run = await waitForRun(stack, key, submitted.body.id);
    expect(run.status).toBe('completed');
    expect(run.progress).toMatchObject({ done: 8, total: 8, etaSeconds: null });

    const results = await allResults(key, run.id, 3);
    expect(results.map((item) => item.subjectExternalId).sort()).toEqual(
      candidates(4)
        .map((candidate) => candidate.externalId)
        .sort(),
    );
    for (const item of results) {
      expect(item.results.map((result) => result.rank)).toEqual([1, 2, 3]);
      const families = item.results.map((result) => jobs.get(result.targetExternalId)?.family);
      if (item.subjectExternalId.startsWith('go-')) expect(families[0]).toMatch(/backend|devops/);
      else expect(families[0]).toBe('nursing');
    }

    const events = (await stack.services.db('outbox').where({ aggregateId: run.id }).orderBy('id')) as {
      eventType: string;
      payload: { subject?: { externalId: string }; done?: number };
    }[];
    const perSubject = events.filter((event) => event.eventType === 'match-run.results.v1');
    expect(perSubject.map((event) => event.payload.subject?.externalId).sort()).toEqual(
      results.map((item) => item.subjectExternalId).sort(),
    );
    expect(events.filter((event) => event.eventType === 'match-run.completed.v1')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ eventType: 'match-run.completed.v1', payload: { done: 8 } });

    const hook = await until('the run’s webhook arrived', () =>
      receiver.received.find((received) => received.body.data.id === run.id),
    );
    expect(hook).toMatchObject({ verified: true, body: { type: 'match-run.completed.v1' } });
  });

  it('ranks candidates for each open job a filter selects, and candidates only as the target filters allow', async () => {
    const key = await stack.newClient();
    await seed(key, 4);
    const closed = jobCorpus[0]?.externalId ?? '';
    await stack.request('POST', '/v1/jobs', {
      key,
      body: { ...jobCorpus[0], family: undefined, status: 'closed', externalId: closed },
    });

    const submitted = await stack.request<RunBody>('POST', '/v1/match-runs', {
      key,
      body: { subject: 'jobs', topK: 2, targetFilters: { location: 'Lisbon' } },
    });
    const run = await waitForRun(stack, key, submitted.body.id);
    expect(run.status).toBe('completed');
    const results = await allResults(key, run.id, 100);
    expect(run.progress.done).toBe(jobCorpus.length - 1);
    expect(results.map((item) => item.subjectExternalId)).not.toContain(closed);
    const targets = new Set(results.flatMap((item) => item.results.map((result) => result.targetExternalId)));
    expect([...targets].every((target) => target === 'go-1')).toBe(true);

    const filtered = await stack.request<RunBody>('POST', '/v1/match-runs', {
      key,
      body: { subject: 'candidates', filter: { location: 'berlin' } },
    });
    const berlin = await waitForRun(stack, key, filtered.body.id);
    expect(berlin.progress).toMatchObject({ done: 3, total: 3 });
  });

  it('has a worker that takes a lane before the run is committed wait for the commit, then rank it', async () => {
    const { client, apiKey: key } = await createClient(stack.services.db, 'early-worker');
    await seed(key, 2);
    let runId = '';
    await stack.services.db.transaction(async (trx) => {
      const run = await insertMatchRun(trx, {
        clientId: client.id,
        subjectType: 'candidate',
        filter: {},
        targetFilters: {},
        topK: 2,
        lanes: 1,
      });
      runId = run.id;
      await lockMatchRun(trx, run.id);
      await stack.services.queues.addBulk('match-run', [{ runId: run.id, lane: 0 }]);
      // The worker has the job while this transaction is still open.
      await until('the lane job is active', async () =>
        (await stack.services.queues.get('match-run').getJob(`${run.id}-0`))?.isActive(),
      );
    });
    const run = await waitForRun(stack, key, runId);
    expect(run).toMatchObject({ status: 'completed', progress: { done: 2, total: 2 } });
  });

  it('refuses a bad run with a 422 that points at the field, and writes nothing', async () => {
    const key = await stack.newClient();
    const before = await stack.countRows('matchRuns');
    for (const [body, pointer] of [
      [{ subject: 'resumes' }, '/subject'],
      [{ subject: 'jobs', topK: 0 }, '/topK'],
      [{ subject: 'jobs', filter: { updatedAfter: 'yesterday' } }, '/filter/updatedAfter'],
    ] as const) {
      const response = await stack.request<{ errors: { pointer: string }[] }>('POST', '/v1/match-runs', {
        key,
        body,
      });
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((error) => error.pointer)).toContain(pointer);
    }
    const unknownKey = await stack.request('POST', '/v1/match-runs', {
      key,
      body: { subject: 'jobs', priority: 1 },
    });
    expect(unknownKey.status).toBe(422);
    expect(await stack.countRows('matchRuns')).toBe(before);
    expect((await stack.request('GET', '/v1/match-runs/not-a-uuid', { key })).status).toBe(404);
    const badCursor = await stack.request('GET', `/v1/match-runs/${crypto.randomUUID()}/results?cursor=x`, {
      key,
    });
    expect(badCursor.status).toBe(422);
  });

  it('cancels with DELETE: the run and its results are gone, and another client cannot see or cancel it', async () => {
    const key = await stack.newClient();
    const other = await stack.newClient();
    await seed(key, 4);
    const submitted = await stack.request<RunBody>('POST', '/v1/match-runs', {
      key,
      body: { subject: 'candidates' },
    });
    const id = submitted.body.id;
    expect((await stack.request('GET', `/v1/match-runs/${id}`, { key: other })).status).toBe(404);
    expect((await stack.request('DELETE', `/v1/match-runs/${id}`, { key: other })).status).toBe(404);

    expect((await stack.request('DELETE', `/v1/match-runs/${id}`, { key })).status).toBe(204);
    expect((await stack.request('GET', `/v1/match-runs/${id}`, { key })).status).toBe(404);
    expect((await stack.request('GET', `/v1/match-runs/${id}/results`, { key })).status).toBe(404);
    expect((await stack.request('DELETE', `/v1/match-runs/${id}`, { key })).status).toBe(404);
    // Whatever the worker had under way stops there: no results row outlives the run.
    await until('the run’s job is over', async () => {
      const job = await stack.services.queues.get('match-run').getJob(id);
      return job === undefined || (await job.isCompleted()) || (await job.isFailed());
    });
    expect(await stack.services.db('matchRunResults').where({ runId: id })).toHaveLength(0);
  });
});
