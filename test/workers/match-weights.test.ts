import { describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({ workers: true });

/** Backend jobs in two cities, the closer fitting a little weaker on skills; two the same but for the city. */
const board = [
  {
    externalId: 'munich-strong',
    title: 'Backend Engineer',
    description: 'Go microservices on Kubernetes with PostgreSQL, Kafka and Docker. gRPC APIs, Terraform.',
    skills: ['Go', 'Kubernetes', 'PostgreSQL', 'Kafka', 'Docker'],
    location: 'Munich',
    remote: false,
  },
  {
    externalId: 'munich-good',
    title: 'Platform Engineer',
    description: 'Kubernetes platform, Terraform and Go tooling, Prometheus monitoring.',
    skills: ['Kubernetes', 'Terraform', 'Go'],
    location: 'Munich',
    remote: false,
  },
  {
    externalId: 'berlin-good',
    title: 'Backend Developer',
    description: 'Go services and PostgreSQL databases, some Python scripting.',
    skills: ['Go', 'PostgreSQL', 'Python'],
    location: 'Berlin',
    remote: false,
  },
  {
    externalId: 'berlin-twin',
    title: 'Site Reliability Engineer',
    description: 'On-call for Go services, Linux and Prometheus alerting.',
    skills: ['Go', 'Linux', 'Prometheus'],
    location: 'Berlin',
    remote: false,
  },
  {
    externalId: 'munich-twin',
    title: 'Site Reliability Engineer',
    description: 'On-call for Go services, Linux and Prometheus alerting.',
    skills: ['Go', 'Linux', 'Prometheus'],
    location: 'Munich',
    remote: false,
  },
  {
    externalId: 'berlin-fair',
    title: 'Software Engineer',
    description: 'Python and Go services, REST APIs, Docker.',
    skills: ['Python', 'Go', 'Docker'],
    location: 'Berlin',
    remote: false,
  },
];

interface Weighted extends MatchRequestBody {
  weights: Record<string, number>;
}

describe('weights in match requests', () => {
  it('move the scores of every target toward the weighted category, and are echoed with the defaults', async () => {
    const key = await stack.newClient();
    await stack.request('POST', '/v1/jobs/batch', { key, body: { items: board } });
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key,
      body: { ...kubernetesGoCandidate, location: 'Berlin' },
    });
    const match = async (weights?: Record<string, number>): Promise<Weighted> => {
      const submitted = await stack.request<Weighted>('POST', '/v1/match-requests', {
        key,
        body: { candidateId: candidate.id, topK: 10, ...(weights ? { weights } : {}) },
      });
      expect(submitted.status).toBe(202);
      return (await waitForMatch(stack, key, submitted.body.id)) as Weighted;
    };
    const order = (done: Weighted): string[] => (done.results ?? []).map((result) => result.targetExternalId);
    const scores = (done: Weighted): Map<string, number> =>
      new Map((done.results ?? []).map((result) => [result.targetExternalId, result.score]));
    const berlinLead = (done: Weighted): number => {
      const score = scores(done);
      return (score.get('berlin-good') ?? 0) - (score.get('munich-strong') ?? 0);
    };

    const balanced = await match();
    expect(balanced.weights).toEqual({
      skills: 0.5,
      occupation: 0.5,
      text: 0.5,
      experience: 0.5,
      seniority: 0.5,
      location: 0.5,
      salary: 0.5,
    });
    const explicitDefaults = await match({ location: 0.5, skills: 0.5 });
    expect(scores(explicitDefaults)).toEqual(scores(balanced));

    const nearby = await match({ location: 1 });
    expect(nearby.weights.location).toBe(1);
    expect(nearby.weights.skills).toBe(0.5);
    expect(berlinLead(nearby)).toBeGreaterThan(berlinLead(balanced));
    expect(order(nearby).slice(0, 3).sort()).toEqual(['berlin-fair', 'berlin-good', 'berlin-twin']);

    const twins = (done: Weighted): number =>
      (scores(done).get('berlin-twin') ?? 0) - (scores(done).get('munich-twin') ?? 0);
    expect(twins(nearby)).toBeGreaterThan(0.1);
    // Weight 0 takes location out: two postings that differ only in their city score the same.
    expect(twins(await match({ location: 0 }))).toBeCloseTo(0, 6);
    // Category scores are read from the profiles: weights never change them.
    const categories = (done: Weighted) =>
      new Map((done.results ?? []).map((result) => [result.targetExternalId, result.categoryScores]));
    expect(categories(nearby)).toEqual(categories(balanced));
  });

  it('refuses weights outside 0 to 1 and unknown categories with 422, writing nothing', async () => {
    const key = await stack.newClient();
    const before = await stack.countRows('matchRequests');
    for (const [weights, pointer] of [
      [{ location: 1.5 }, '/weights/location'],
      [{ colour: 1 }, '/weights'],
      [{ skills: -0.1 }, '/weights/skills'],
    ] as const) {
      const response = await stack.request<{ errors?: { pointer: string }[] }>('POST', '/v1/match-requests', {
        key,
        body: { candidateId: '00000000-0000-4000-8000-000000000000', weights },
      });
      expect(response.status).toBe(422);
      expect(response.body.errors?.map((error) => error.pointer)).toContain(pointer);
    }
    expect(await stack.countRows('matchRequests')).toBe(before);
  });
});
