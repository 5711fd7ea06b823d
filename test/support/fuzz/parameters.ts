import type fc from 'fast-check';

/**
 * fast-check settings for the fuzz properties. The seed is new on every developer run, so each run explores
 * other requests; a failure prints the seed and path that replay it. CI (CI=true, set by .ci/run) uses a
 * fixed seed, so whether a change lands never depends on a draw. To replay, or to fuzz longer:
 *
 *   FUZZ_SEED=<seed> npx vitest run test/api/fuzz
 *   FUZZ_SCALE=10 npx vitest run test/api/fuzz      (ten times the runs)
 *
 * Read here rather than in lib/config.ts: these knobs belong to the test run, not to the application.
 */
const CI_SEED = 20261125;
const seed =
  process.env.FUZZ_SEED !== undefined
    ? Number(process.env.FUZZ_SEED)
    : process.env.CI === 'true'
      ? CI_SEED
      : undefined;
const scale = Number(process.env.FUZZ_SCALE ?? '1');

export function fuzzParameters<Value>(
  numRuns: number,
  extra: fc.Parameters<[Value]> = {},
): fc.Parameters<[Value]> {
  return {
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
    ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
    ...extra,
  };
}
