import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The production topology has its own command and config (npm run test:cluster).
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Files run three at a time; `npm test` runs the end-to-end and browser files after the rest,
    // one at a time: several of them assert timings (a page within 1 s of the call, a follow-up
    // within 3 s of a crash) that two cores shared with another stack of processes do not keep.
    fileParallelism: true,
    maxWorkers: 3,
    minWorkers: 1,
    reporters: ['default'],
    globalSetup: ['test/support/globalSetup.ts'],
  },
});
