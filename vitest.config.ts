import { configDefaults, defineConfig } from 'vitest/config';
import { ProcessesFirstSequencer } from './test/support/sequencer';

/** Files that start nothing that outlives them: they share their test processes. */
const IN_PROCESS = ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/deploy/**/*.test.ts'];
/**
 * Files that run once every other file is done, one at a time: fifty dispatches at once through two
 * APIs and two workers need the machine's two CPUs to themselves for technicians' replies to be
 * answered within Twilio's 15 s (docs/bench.md, "What the machine can carry"); beside the other
 * long files the fleet test's replies waited past it about one run in six.
 */
const ALONE = ['test/e2e/fleet.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Files run four at a time, those that start real processes first (they mostly wait on real
    // timers). Their assertions hold what the product decides (order, counts, exactly once, bounds
    // far from the goal); the latency figures themselves are measured by `npm run bench`. A fixed
    // number of test processes: with fewer kept alive, vitest could end one still reused by
    // another file ("Terminating worker thread").
    fileParallelism: true,
    poolOptions: {
      forks: { maxForks: 4, minForks: 4 },
      threads: { isolate: false, maxThreads: 1, minThreads: 1 },
    },
    reporters: ['default'],
    sequence: { sequencer: ProcessesFirstSequencer },
    globalSetup: ['test/support/globalSetup.ts'],
    projects: [
      // Each file in a fresh process: its SDK runtime, its servers and the processes it starts.
      // (The production topology has its own command and config: npm run test:cluster.)
      {
        extends: true,
        test: { name: 'processes', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/cluster/**', ...IN_PROCESS, ...ALONE], sequence: { groupOrder: 0 } },
      },
      // Unit, integration and deploy files load the same modules: loading them once per test
      // process instead of once per file saves about a third of their CPU.
      { extends: true, test: { name: 'in-process', include: IN_PROCESS, pool: 'threads', sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
