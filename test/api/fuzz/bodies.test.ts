import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { useTestContext } from '../../support/context.js';
import {
  answered,
  exercise,
  FUZZ_ENV,
  startFuzzRun,
  UNKNOWN_ORACLES,
  type FuzzRun,
} from '../../support/fuzz/exercise.js';
import { OPERATIONS, WRITE_OPERATIONS } from '../../support/fuzz/operations.js';
import { fuzzParameters } from '../../support/fuzz/parameters.js';
import { plans, type Profile } from '../../support/fuzz/plans.js';

const stack = useTestContext({ env: FUZZ_ENV });

let run: FuzzRun;

beforeAll(async () => {
  run = await startFuzzRun(stack);
});

const VALID: Profile = {
  body: { valid: 1, mutated: 0, garbage: 0 },
  oddHeaders: false,
  oddParams: false,
  oddQuery: false,
};
const MUTATED: Profile = { ...VALID, body: { valid: 0, mutated: 1, garbage: 0 } };

describe('fuzzing request bodies at every documented write operation', () => {
  it('takes its operations from the OpenAPI document, and its oracles name operations it has', () => {
    expect(OPERATIONS.length).toBeGreaterThan(20);
    expect(WRITE_OPERATIONS.map((operation) => operation.operationId)).toContain('upsert-job');
    expect(UNKNOWN_ORACLES).toEqual([]);
  });

  it('answers bodies built from the documented schemas as the schemas say, and writes read back', async () => {
    await fc.assert(
      fc.asyncProperty(plans(run.world, WRITE_OPERATIONS, VALID), (plan) => exercise(run, plan)),
      fuzzParameters(700),
    );
    // The generators must get past validation at every write operation, or the fuzzing says little.
    const successes = answered(run, 200, 300);
    for (const { operationId } of WRITE_OPERATIONS)
      expect(successes[operationId], operationId).toBeGreaterThan(0);
  }, 300_000);

  it('refuses mutated bodies cleanly: no 5xx, documented answers, nothing written on a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(plans(run.world, WRITE_OPERATIONS, MUTATED), (plan) => exercise(run, plan)),
      fuzzParameters(1200),
    );
  }, 300_000);
});
