import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests isolate their data (schema, queue prefix, topic names), so files run in parallel.
    fileParallelism: true,
    reporters: ['default'],
  },
});
