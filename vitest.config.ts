import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The production topology has its own command and config (npm run test:cluster).
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Each file starts its own servers and processes on free ports, and an end-to-end file spends
    // most of its time waiting on timers of seconds: three at a time keep two cores busy (four
    // starve the timing-sensitive ones).
    fileParallelism: true,
    maxWorkers: 3,
    minWorkers: 1,
    reporters: ['default'],
    globalSetup: ['test/support/globalSetup.ts'],
  },
});
