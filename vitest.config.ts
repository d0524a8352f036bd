import { configDefaults, defineConfig } from 'vitest/config';
import { ProcessesFirstSequencer } from './test/support/sequencer';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The production topology has its own command and config (npm run test:cluster).
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Files run three at a time, those that start real processes first (they mostly wait on real
    // timers). Their assertions hold what the product decides (order, counts, exactly once, bounds
    // far from the goal); the latency figures themselves are measured by `npm run bench`.
    fileParallelism: true,
    maxWorkers: 3,
    minWorkers: 1,
    reporters: ['default'],
    sequence: { sequencer: ProcessesFirstSequencer },
    globalSetup: ['test/support/globalSetup.ts'],
  },
});
