import { describe, expect, it } from 'vitest';

import { activateModel, insertModel } from '../../../lib/db/scoring-models.js';
import { defaultModel } from '../../../lib/matching/scorer-registry.js';
import { useTestContext } from '../../support/context.js';

const stack = useTestContext();

function modelEvents() {
  return stack.services
    .db('outbox')
    .where({ eventType: 'model.activated.v1' })
    .orderBy('id')
    .select<{ clientId: string | null; aggregateType: string; aggregateId: string; payload: unknown }[]>(
      'clientId',
      'aggregateType',
      'aggregateId',
      'payload',
    );
}

describe('activateModel', () => {
  it('records model.activated, with no client, naming the model it replaced', async () => {
    const first = await insertModel(stack.services.db, { ...defaultModel, name: 'activated-first' }, {});
    const second = await insertModel(stack.services.db, { ...defaultModel, name: 'activated-second' }, {});
    await activateModel(stack.services.db, first.id);
    await activateModel(stack.services.db, second.id);
    await activateModel(stack.services.db, second.id);

    expect(await modelEvents()).toEqual([
      {
        clientId: null,
        aggregateType: 'model',
        aggregateId: first.id,
        payload: {
          id: first.id,
          name: 'activated-first',
          featuresVersion: defaultModel.featuresVersion,
          previousId: null,
        },
      },
      {
        clientId: null,
        aggregateType: 'model',
        aggregateId: second.id,
        payload: {
          id: second.id,
          name: 'activated-second',
          featuresVersion: defaultModel.featuresVersion,
          previousId: first.id,
        },
      },
    ]);
  });
});
