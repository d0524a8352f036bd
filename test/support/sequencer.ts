// The files that start real processes run first: they spend most of their time waiting on real
// timers, so the quick in-process files fill the workers around them instead of making them wait
// at the end. Within each group the default order holds (failed, then longest, then largest first).
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const STARTS_PROCESSES = /[\\/]test[\\/](e2e|browser)[\\/]/;

export class ProcessesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter((f) => STARTS_PROCESSES.test(f.moduleId)), ...sorted.filter((f) => !STARTS_PROCESSES.test(f.moduleId))];
  }
}
