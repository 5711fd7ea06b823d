import { jobCorpus, kubernetesGoCandidate } from '../fixtures/corpus.js';
import type { TestContext } from './context.js';

/** The fixture job board and the Go/Kubernetes candidate, written for one client through the API. */
export async function seedBoard(stack: TestContext, key: string): Promise<{ candidateId: string }> {
  const items = jobCorpus.map(({ family: _family, ...job }) => job);
  await stack.request('POST', '/v1/jobs/batch', { key, body: { items } });
  const { body } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
    key,
    body: kubernetesGoCandidate,
  });
  return { candidateId: body.id };
}

/**
 * 1,000 postings written through the API and the Go/Kubernetes candidate. With no features worker running
 * the postings stay stale, so a match job refreshes some itself (embeddings too): seconds of CPU, long
 * enough to be caught running.
 */
export async function seedStaleBoard(stack: TestContext, key: string): Promise<{ candidateId: string }> {
  const items = Array.from({ length: 1000 }, (_, index) => {
    const { family, ...job } = jobCorpus[index % jobCorpus.length] ?? {
      ...kubernetesGoCandidate,
      family: '',
    };
    return { ...job, externalId: `${family}-${job.externalId}-${index}` };
  });
  const written = await stack.request('POST', '/v1/jobs/batch', { key, body: { items } });
  if (written.status !== 200) throw new Error(`the batch of postings got ${String(written.status)}`);
  const { body } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
    key,
    body: kubernetesGoCandidate,
  });
  return { candidateId: body.id };
}
