import { describe, expect, it } from 'vitest';

import { activateModel, insertModel } from '../../lib/db/scoring-models.js';
import type { NetworkModel } from '../../lib/matching/network.js';
import { defaultModel } from '../../lib/matching/scorer-registry.js';
import { seedBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({ workers: true, env: { MODEL_REFRESH_MS: '100' } });

async function scorerOfNewMatch(key: string, candidateId: string): Promise<string | undefined> {
  const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
    key,
    body: { candidateId, topK: 3 },
  });
  const done = await waitForMatch(stack, key, submitted.body.id);
  expect(done.status).toBe('completed');
  return (done as MatchRequestBody & { scorer?: string }).scorer;
}

async function waitForScorer(key: string, candidateId: string, name: string): Promise<string | undefined> {
  let scorer: string | undefined;
  for (let attempt = 0; attempt < 50 && scorer !== name; attempt += 1)
    scorer = await scorerOfNewMatch(key, candidateId);
  return scorer;
}

describe('scoring models', () => {
  it('ranks with the committed default network on a fresh install, then with a newly activated model, without a restart', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedBoard(stack, key);

    expect(await scorerOfNewMatch(key, candidateId)).toBe(defaultModel.name);

    const retrained: NetworkModel = { ...defaultModel, name: 'network-hot-swap-test' };
    const row = await insertModel(stack.services.db, retrained, { note: 'test' });
    await activateModel(stack.services.db, row.id);
    expect(await waitForScorer(key, candidateId, 'network-hot-swap-test')).toBe('network-hot-swap-test');

    const incompatible: NetworkModel = {
      ...defaultModel,
      name: 'network-from-old-features',
      featuresVersion: 1,
    };
    const old = await insertModel(stack.services.db, incompatible, {});
    await activateModel(stack.services.db, old.id);
    expect(await waitForScorer(key, candidateId, defaultModel.name)).toBe(defaultModel.name);
  });
});
