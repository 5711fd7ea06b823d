import { describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({ workers: true });

interface Created {
  id: string;
  externalId: string;
  createdAt: string;
  updatedAt: string;
}

/** A board whose facts are stated, so each criterion's answer is known exactly. */
const board = [
  {
    externalId: 'go-k8s-senior',
    title: 'Senior Backend Engineer',
    description: 'Build Go services on Kubernetes for our payments platform.',
    skills: ['Go', 'Kubernetes'],
    seniority: 'senior',
    minYearsExperience: 5,
    salaryMin: 90_000,
    salaryMax: 120_000,
    remote: true,
  },
  {
    externalId: 'go-junior',
    title: 'Junior Go Developer',
    description: 'Write Go code for internal tools with a friendly team.',
    skills: ['Go'],
    seniority: 'junior',
    minYearsExperience: 1,
    salaryMin: 50_000,
    salaryMax: 60_000,
  },
  {
    externalId: 'k8s-mid',
    title: 'Platform Engineer',
    description: 'Run our k8s clusters and Terraform modules.',
    skills: ['k8s', 'Terraform'],
    seniority: 'mid',
    minYearsExperience: 3,
    salaryMin: 70_000,
    salaryMax: 90_000,
  },
  {
    externalId: 'go-k8s-lead',
    title: 'Lead Platform Engineer',
    description: 'Lead the team behind our golang and Kubernetes platform, with some Java services.',
    skills: ['golang', 'k8s', 'Java'],
    seniority: 'lead',
    minYearsExperience: 8,
    salaryMin: 140_000,
    salaryMax: 160_000,
  },
  {
    externalId: 'python-mid',
    title: 'Python Developer',
    description: 'Django services and data pipelines.',
    skills: ['Python'],
    seniority: 'mid',
    minYearsExperience: 3,
    salaryMin: 80_000,
    salaryMax: 100_000,
  },
  {
    externalId: 'nurse',
    title: 'Registered Nurse',
    description: 'Care for patients on a busy ward.',
    skills: ['Patient Care'],
  },
];

async function matchIds(key: string, body: Record<string, unknown>): Promise<string[]> {
  const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', { key, body });
  expect(submitted.status).toBe(202);
  const done = await waitForMatch(stack, key, submitted.body.id);
  expect(done.status).toBe('completed');
  return (done.results ?? []).map((result) => result.targetExternalId).sort();
}

describe('hard criteria in match requests', () => {
  it('rank only the targets that meet every criterion, and all of them when fewer than topK do', async () => {
    const key = await stack.newClient();
    const created = await stack.request<{ items: { id: string }[] }>('POST', '/v1/jobs/batch', {
      key,
      body: { items: board },
    });
    expect(created.status).toBe(200);
    const ids = new Map(board.map((job, index) => [job.externalId, created.body.items[index]?.id]));
    const { body: candidate } = await stack.request<Created>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const match = (filters: Record<string, unknown>): Promise<string[]> =>
      matchIds(key, { candidateId: candidate.id, topK: 10, filters });

    // Skills through the vocabulary's aliases: golang is Go, k8s is Kubernetes.
    expect(await match({ requiredSkills: ['golang', 'Kubernetes'] })).toEqual([
      'go-k8s-lead',
      'go-k8s-senior',
    ]);
    expect(await match({ anySkills: ['Go', 'terraform'], excludeSkills: ['java'] })).toEqual([
      'go-junior',
      'go-k8s-senior',
      'k8s-mid',
    ]);
    expect(await match({ seniority: ['mid', 'senior'], maxYearsExperience: 5 })).toEqual([
      'go-k8s-senior',
      'k8s-mid',
      'python-mid',
    ]);
    // A job that states no years asks for none, so it fails a minimum.
    expect(await match({ minYearsExperience: 2 })).toEqual([
      'go-k8s-lead',
      'go-k8s-senior',
      'k8s-mid',
      'python-mid',
    ]);
    // Ranges that overlap the one asked for; a job that states no pay never does.
    expect(await match({ salary: { min: 85_000, max: 100_000 } })).toEqual([
      'go-k8s-senior',
      'k8s-mid',
      'python-mid',
    ]);
    expect(await match({ requiredSkills: ['Go'], excludeIds: [ids.get('go-k8s-senior')] })).toEqual([
      'go-junior',
      'go-k8s-lead',
    ]);
    expect(await match({ remote: true })).toEqual(['go-k8s-senior']);

    const { body: first } = await stack.request<Created>('GET', `/v1/jobs/${ids.get('nurse')}`, { key });
    const later = await stack.request<Created>('POST', '/v1/jobs', {
      key,
      body: { ...board[0], externalId: 'posted-later' },
    });
    expect(await match({ postedAfter: first.createdAt })).toEqual(['posted-later']);
    const patched = await stack.request('PATCH', `/v1/jobs/${ids.get('go-junior')}`, {
      key,
      body: { salaryMax: 65_000 },
    });
    expect(patched.status).toBe(200);
    expect(await match({ updatedAfter: later.body.updatedAt })).toEqual(['go-junior']);
  });

  it('come with category scores and a summary read from the stated facts of both sides', async () => {
    const key = await stack.newClient();
    await stack.request('POST', '/v1/jobs/batch', { key, body: { items: board } });
    const { body: candidate } = await stack.request<Created>('POST', '/v1/candidates', {
      key,
      body: { ...kubernetesGoCandidate, seniority: 'senior', salaryExpectation: 130_000, location: 'Berlin' },
    });
    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId: candidate.id, topK: 10 },
    });
    const done = await waitForMatch(stack, key, submitted.body.id);
    const result = (externalId: string) => {
      const found = done.results?.find((each) => each.targetExternalId === externalId);
      if (!found) throw new Error(`${externalId} was not ranked`);
      return found;
    };

    const senior = result('go-k8s-senior');
    expect(senior.categoryScores).toMatchObject({
      experience: 0.96,
      seniority: 1,
      location: 1,
      salary: 0.917,
    });
    for (const part of [
      '2 of 2 required skills',
      '7 years for the 5 years asked',
      'remote',
      'expects 8% above',
    ])
      expect(senior.summary).toContain(part);
    expect(senior.summary).not.toContain('role');

    const lead = result('go-k8s-lead');
    expect(lead.categoryScores).toMatchObject({
      experience: 0.875,
      seniority: 0.667,
      location: null,
      salary: 1,
    });
    for (const part of [
      '2 of 3 required skills',
      '1 year short of the 8 years asked',
      'senior for a lead role',
    ])
      expect(lead.summary).toContain(part);
    expect(lead.summary).toContain('pay within range');

    for (const each of done.results ?? []) {
      expect(Object.keys(each.categoryScores ?? {}).sort()).toEqual([
        'experience',
        'location',
        'occupation',
        'salary',
        'seniority',
        'skills',
        'text',
      ]);
      for (const value of Object.values(each.categoryScores ?? {}))
        if (value !== null) expect(value).toBeGreaterThanOrEqual(0);
    }
  });

  it('apply to candidates as targets, where unknown years meet no bound', async () => {
    const key = await stack.newClient();
    const { body: job } = await stack.request<Created>('POST', '/v1/jobs', { key, body: board[0] });
    const people = [
      { ...kubernetesGoCandidate, externalId: 'seven-years', yearsExperience: 7 },
      { ...kubernetesGoCandidate, externalId: 'two-years', yearsExperience: 2 },
      {
        ...kubernetesGoCandidate,
        externalId: 'unknown-years',
        yearsExperience: null,
        resumeText: 'Backend engineer: Go services on Kubernetes, PostgreSQL, Terraform and Docker.',
      },
    ];
    const response = await stack.request('POST', '/v1/candidates/batch', { key, body: { items: people } });
    expect(response.status).toBe(200);
    expect(await matchIds(key, { jobId: job.id, topK: 10 })).toEqual([
      'seven-years',
      'two-years',
      'unknown-years',
    ]);
    expect(await matchIds(key, { jobId: job.id, topK: 10, filters: { minYearsExperience: 3 } })).toEqual([
      'seven-years',
    ]);
  });
});
