import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: the production topology (test/cluster). Its global setup builds the
// Temporal server at the pinned version on first use, which takes a while on a cold machine.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 30 * 60_000,
    fileParallelism: false,
    reporters: ['default'],
    globalSetup: ['test/support/globalSetup.ts', 'test/cluster/globalSetup.ts'],
  },
});
