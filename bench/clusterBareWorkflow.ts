// The stack's ceiling for `npm run bench:cluster` and `npm run bench -- --only=cost`: a workflow
// that runs one activity and ends, nothing of the product in it.
import { proxyActivities } from '@temporalio/workflow';

const { touch } = proxyActivities<{ touch(n: number): Promise<number> }>({ startToCloseTimeout: '30s' });

/** Returns when its activity started, by the worker's clock (ms since the epoch). */
export async function bare(n: number): Promise<number> {
  return touch(n);
}
