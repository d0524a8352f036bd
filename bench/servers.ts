// Temporal servers and product stacks a benchmark starts for itself and throws away after.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { freeClusterPorts, startCluster, type Cluster } from '../scripts/cluster/cluster';
import { ARTIFACTS } from '../test/support/paths';
import { Stack, type StackOptions } from '../test/support/stack';
import { track } from './running';

/**
 * Runs `run` on a fresh stack (its own dev server unless `opts.temporal` is given; the API and one
 * worker as processes; no wake-up calls unless `env` asks for them), then stops it.
 */
export async function withStack<T>(env: Record<string, string>, run: (stack: Stack) => Promise<T>, opts: StackOptions = {}): Promise<T> {
  const stack = await Stack.start({ ...opts, env: { DISPATCH_VOICE: 'false', ...env } });
  const untrack = track(() => stack.stop());
  try {
    return await run(stack);
  } finally {
    await stack.stop();
    untrack();
  }
}

/**
 * The production topology's Temporal server on a throwaway PostgreSQL (scripts/cluster/): the
 * server is built into the tools folder on first use. destroy() deletes its databases.
 */
export async function startBenchCluster(): Promise<Cluster> {
  const dataDir = path.join(ARTIFACTS, `bench-cluster-${randomUUID().slice(0, 8)}`);
  return startCluster({ dataDir, ports: await freeClusterPorts(), log: (l) => console.error(`[cluster] ${l}`) });
}

/** How a table names the cluster's server. */
export const clusterName = (cluster: Cluster): string => `PostgreSQL ${cluster.topology.postgresql.major}, Temporal ${cluster.build.version}`;
