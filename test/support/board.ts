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
