// The stack's ceiling for `npm run bench:cluster`: a workflow that runs one activity and ends,
// nothing of the product in it.
import { proxyActivities } from '@temporalio/workflow';

const { touch } = proxyActivities<{ touch(n: number): Promise<number> }>({ startToCloseTimeout: '30s' });

export async function bare(n: number): Promise<number> {
  return touch(n);
}
