import { describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({ workers: true });

interface Profile {
  id: string;
  location: string | { lat: number; lon: number } | null;
  features: { status: string; place: Record<string, unknown> | null };
}

const job = (externalId: string, location: string | { lat: number; lon: number }, remote = false) => ({
  externalId,
  title: 'Backend Engineer',
  description: 'Go services on Kubernetes with PostgreSQL.',
  skills: ['Go', 'Kubernetes'],
  location,
  remote,
});

async function ready(key: string, path: string): Promise<Profile> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const { body } = await stack.request<Profile>('GET', path, { key });
    if (body.features.status === 'ready') return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} never had features`);
}

describe('locations and distance', () => {
  it('resolve a place name through the gazetteer, and say when a name is ambiguous or unknown', async () => {
    const key = await stack.newClient();
    const created = await stack.request<{ items: { id: string }[] }>('POST', '/v1/jobs/batch', {
      key,
      body: {
        items: [
          job('berlin', 'Berlin'),
          job('springfield', 'Springfield'),
          job('nowhere', 'Nowhereville Heights'),
          job('point', { lat: 52.39, lon: 13.06 }),
          job('austin', 'Austin, TX'),
        ],
      },
    });
    const [berlin, springfield, nowhere, point, austin] = await Promise.all(
      created.body.items.map((item) => ready(key, `/v1/jobs/${item.id}`)),
    );
    expect(berlin?.features.place).toMatchObject({ status: 'resolved', place: 'Berlin, DE' });
    expect(springfield?.features.place).toMatchObject({
      status: 'ambiguous',
      candidates: expect.arrayContaining(['Springfield, IL, US']) as unknown,
    });
    expect(nowhere?.features.place).toEqual({ status: 'unknown' });
    expect(point?.location).toEqual({ lat: 52.39, lon: 13.06 });
    expect(point?.features.place).toEqual({ status: 'given', lat: 52.39, lon: 13.06 });
    expect(austin?.features.place).toMatchObject({ status: 'resolved', place: 'Austin, TX, US' });
  });

  it('filter targets within a radius, show the distance, and refuse a place the filter cannot pin down', async () => {
    const key = await stack.newClient();
    await stack.request('POST', '/v1/jobs/batch', {
      key,
      body: {
        items: [
          job('potsdam', 'Potsdam, Germany'),
          job('cottbus', { lat: 51.7563, lon: 14.3329 }),
          job('hamburg', 'Hamburg'),
          job('remote', 'Lisbon', true),
        ],
      },
    });
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key,
      body: { ...kubernetesGoCandidate, location: 'Berlin' },
    });
    const match = async (filters: Record<string, unknown>) => {
      const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
        key,
        body: { candidateId: candidate.id, topK: 10, filters },
      });
      expect(submitted.status).toBe(202);
      return waitForMatch(stack, key, submitted.body.id);
    };

    const near = await match({ near: { place: 'Berlin' }, radiusKm: 60 });
    expect((near.results ?? []).map((result) => result.targetExternalId).sort()).toEqual([
      'potsdam',
      'remote',
    ]);
    const potsdam = near.results?.find((result) => result.targetExternalId === 'potsdam');
    expect(potsdam?.summary).toMatch(/\b2\d km away\b/);
    // 1 within 10 km, falling to 0 at 200 km.
    expect(potsdam?.categoryScores?.location).toBeCloseTo(0.91, 1);

    // Cottbus is about 110 km from Berlin: in at 150 km, out at 60.
    const wider = await match({ near: { lat: 52.52, lon: 13.405 }, radiusKm: 150 });
    expect((wider.results ?? []).map((result) => result.targetExternalId).sort()).toEqual([
      'cottbus',
      'potsdam',
      'remote',
    ]);
    const everywhere = await match({});
    const hamburg = everywhere.results?.find((result) => result.targetExternalId === 'hamburg');
    expect(hamburg?.categoryScores?.location).toBe(0);

    for (const [place, detail] of [
      ['Springfield', /several places/],
      ['Nowhereville Heights', /no place the gazetteer knows/],
    ] as const) {
      const refused = await stack.request<{ errors: { pointer: string; detail: string }[] }>(
        'POST',
        '/v1/match-requests',
        { key, body: { candidateId: candidate.id, filters: { near: { place } } } },
      );
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0]?.pointer).toBe('/filters/near/place');
      expect(refused.body.errors[0]?.detail).toMatch(detail);
    }
  });
});
