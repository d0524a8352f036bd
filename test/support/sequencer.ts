// The files that start real processes run first, the longest of them leading: they spend most of
// their time waiting on real timers, so the quick files fill the test processes around them instead
// of one long file running alone at the end. Vitest orders by the durations of earlier runs, which a
// fresh clone (CI) does not have (it then orders by file size), so the long files are named here,
// longest first as `npm test` measures them. Every other file keeps vitest's order after them.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const STARTS_PROCESSES = /[\\/]test[\\/](e2e|browser)[\\/]/;

/** About a minute or more each on two cores, four files at a time; then the simulated-time
 * scenarios, which keep the CPU busy where the others wait. */
const LONGEST_FIRST = ['e2e/airtable', 'e2e/oncall', 'e2e/storm', 'e2e/exactlyOnce', 'e2e/startup', 'e2e/restart', 'workflow/simulatedTime'].map(
  (name) => new RegExp(`[\\\\/]test[\\\\/]${name}\\.test\\.ts$`),
);

const rank = (spec: TestSpecification): number => {
  const listed = LONGEST_FIRST.findIndex((re) => re.test(spec.moduleId));
  if (listed >= 0) return listed;
  return STARTS_PROCESSES.test(spec.moduleId) ? LONGEST_FIRST.length : LONGEST_FIRST.length + 1;
};

export class ProcessesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // a stable sort: within one rank, vitest's order holds
    return sorted.map((spec, i) => ({ spec, i, rank: rank(spec) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map(({ spec }) => spec);
  }
}
