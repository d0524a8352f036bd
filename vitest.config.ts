import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The production topology has its own command and config (npm run test:cluster).
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // End-to-end suites share one dev server and spawn processes: run files one at a time.
    fileParallelism: false,
    reporters: ['default'],
    globalSetup: ['test/support/globalSetup.ts'],
  },
});
