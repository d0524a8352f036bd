// Once per `npm run test:cluster`: the Temporal server and its schema tool at the pinned version
// (built from the Go module proxy on first use, reused after) and Debian's PostgreSQL server.
import { ensurePostgresServer } from '../../scripts/cluster/postgres';
import { ensureTemporalServer } from '../../scripts/cluster/temporalBuild';
import { loadTopology } from '../../scripts/cluster/topology';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const build = await ensureTemporalServer((line) => console.log(`[temporal-build] ${line}`));
  console.log(build.built ? `[cluster] built Temporal server ${build.version} in ${build.buildSeconds!.toFixed(0)} s` : `[cluster] Temporal server ${build.version} already built`);
  ensurePostgresServer(loadTopology().postgresql.major);
  console.log(`[cluster] tools ready after ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
