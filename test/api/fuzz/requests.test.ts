import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';

import { useTestContext } from '../../support/context.js';
import {
  exercise,
  exerciseOtherMethod,
  FUZZ_ENV,
  OTHER_METHODS,
  startFuzzRun,
  type FuzzRun,
} from '../../support/fuzz/exercise.js';
import { DOCUMENT, OPERATIONS } from '../../support/fuzz/operations.js';
import { fuzzParameters } from '../../support/fuzz/parameters.js';
import { plans, type Profile } from '../../support/fuzz/plans.js';

const stack = useTestContext({ env: FUZZ_ENV });

let run: FuzzRun;

beforeAll(async () => {
  run = await startFuzzRun(stack);
});

const PLAIN: Profile = {
  body: { valid: 3, mutated: 1, garbage: 0 },
  oddHeaders: false,
  oddParams: false,
  oddQuery: false,
};

describe('fuzzing every documented operation beyond its body', () => {
  it('refuses garbage bodies and wrong content types cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(
        plans(run.world, OPERATIONS, {
          ...PLAIN,
          body: { valid: 1, mutated: 0, garbage: 4 },
          oddHeaders: true,
        }),
        (plan) => exercise(run, plan),
      ),
      fuzzParameters(700),
    );
  }, 300_000);

  it('answers odd Authorization, Content-Type, Idempotency-Key, X-Request-Id and other headers', async () => {
    await fc.assert(
      fc.asyncProperty(plans(run.world, OPERATIONS, { ...PLAIN, oddHeaders: true }), (plan) =>
        exercise(run, plan),
      ),
      fuzzParameters(700),
    );
  }, 300_000);

  it('answers odd ids in paths and odd query strings (limits, cursors, repeated and unknown parameters)', async () => {
    await fc.assert(
      fc.asyncProperty(plans(run.world, OPERATIONS, { ...PLAIN, oddParams: true, oddQuery: true }), (plan) =>
        exercise(run, plan),
      ),
      fuzzParameters(900),
    );
  }, 300_000);

  it('answers methods a documented path lacks with a problem+json 405 naming the allowed ones', async () => {
    const others = Object.entries(DOCUMENT.paths ?? {}).flatMap(([template, item]) =>
      OTHER_METHODS.filter((method) => !(method.toLowerCase() in (item as object))).map(
        (method) => [template, method] as const,
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.tuple(fc.constantFrom(...others), fc.boolean()), ([[template, method], withKey]) =>
        exerciseOtherMethod(run, template, method, withKey),
      ),
      fuzzParameters(200),
    );
  }, 300_000);
});
