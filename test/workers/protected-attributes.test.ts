import { describe, expect, it } from 'vitest';

import { jobCorpus, kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({ workers: true });

/** The same resume told of a man born in 1984 and of a woman born in 1993. */
const person = (externalId: string, pronoun: 'He' | 'She', gender: string, born: number) => ({
  ...kubernetesGoCandidate,
  externalId,
  headline: `Backend engineer (${gender})`,
  resumeText: `Gender: ${gender}. Date of birth: 02.05.${born}.
${pronoun} has built Go microservices on Kubernetes for 7 years; ${pronoun.toLowerCase()} ran PostgreSQL and Kafka,
and ${pronoun === 'He' ? 'his' : 'her'} team moved the platform to Terraform. Born ${born}, married.`,
});

async function scores(key: string, body: Record<string, unknown>): Promise<Map<string, number>> {
  const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', { key, body });
  const done = await waitForMatch(stack, key, submitted.body.id);
  expect(done.status).toBe('completed');
  return new Map((done.results ?? []).map((result) => [result.targetExternalId, result.score]));
}

describe('protected attributes', () => {
  it('never score: swapping gender words and birth year in a resume changes no score, either way', async () => {
    const key = await stack.newClient();
    const items = jobCorpus.map(({ family: _family, ...job }) => job);
    await stack.request('POST', '/v1/jobs/batch', { key, body: { items } });
    const posted = await stack.request<{ items: { id: string }[] }>('POST', '/v1/candidates/batch', {
      key,
      body: { items: [person('him', 'He', 'male', 1984), person('her', 'She', 'female', 1993)] },
    });
    const [him, her] = posted.body.items.map((item) => item.id);

    const hisJobs = await scores(key, { candidateId: him, topK: 20 });
    const herJobs = await scores(key, { candidateId: her, topK: 20 });
    expect(hisJobs.size).toBe(20);
    expect(herJobs).toEqual(hisJobs);

    const { body: job } = await stack.request<{ id: string }>('POST', '/v1/jobs', {
      key,
      body: {
        externalId: 'male-only',
        title: 'Backend Engineer',
        description: 'Male candidates preferred, aged 25-35. Go, Kubernetes and PostgreSQL every day.',
        skills: ['Go', 'Kubernetes'],
      },
    });
    const candidates = await scores(key, { jobId: job.id, topK: 10 });
    expect(candidates.get('her')).toBe(candidates.get('him'));
  });
});
