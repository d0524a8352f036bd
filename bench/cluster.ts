// `npm run bench:cluster`: the PostgreSQL-backed Temporal server of the production topology and
// the dev server side by side, each with one and with two workers, in one run:
//   - the stack's ceiling: a bare workflow with one activity (bench/clusterBareWorkflow.ts),
//     started as fast as the server takes them; sustained rate = completed / elapsed;
//   - the product: dispatches through the API as fast as it takes them (16 at a time), sustained
//     rate = first pages / elapsed, with the first-page latency under that load, and one at a time.
// Figures only, no thresholds. Counts and time are bounded (`--quick` for smaller counts).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Cluster } from '../scripts/cluster/cluster';
import type { DevServer } from '../src/temporal/devServer';
import setup from '../test/support/globalSetup';
import { ARTIFACTS } from '../test/support/paths';
import { startTemporal } from '../test/support/temporal';
import { BARE_CONCURRENCY, buildBareBundle, withBareWorkers } from './bare';
import { pageWatcher, sustainedDispatches, timeToFirstPage } from './pages';
import { cleanUpOnExit, stopAllTracked } from './running';
import { clusterName, startBenchCluster, withStack } from './servers';
import { percentile } from './stats';

const quick = process.argv.includes('--quick');
const COUNTS = quick ? { bare: 300, dispatches: 100, oneAtATime: 10 } : { bare: 1000, dispatches: 300, oneAtATime: 20 };
/** no measurement runs longer than this; what finished by then is what counts */
const CAP_MS = quick ? 60_000 : 120_000;
const DISPATCH_CONCURRENCY = 16;

interface Row {
  server: string;
  workers: number;
  bare: string;
  dispatchRate: string;
  underLoad: string;
  oneAtATime: string;
  load: string;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)}` : '-');
const loadavg = () => os.loadavg()[0]!.toFixed(1);

// ---- the ceiling: a bare workflow ------------------------------------------------------------------

function ceiling(address: string, workers: number): Promise<string> {
  return withBareWorkers(address, workers, async (bare) => {
    await bare.runMany('warm-up', 30, 30_000); // warm-up: caches, pollers, connections
    const r = await bare.runMany('run', COUNTS.bare, CAP_MS);
    const capped = r.done < r.count ? ` (${r.done} of ${r.count} in the cap)` : '';
    return `${r.rate.toFixed(0)}/s (started ${r.startRate.toFixed(0)}/s)${capped}`;
  });
}

// ---- the product: dispatches through the API ---------------------------------------------------------

function product(temporal: DevServer, workers: number): Promise<Pick<Row, 'dispatchRate' | 'underLoad' | 'oneAtATime'>> {
  return withStack({ DISPATCH_T1: '30m', DISPATCH_T2: '30m' }, async (stack) => {
    const watcher = pageWatcher(stack, CAP_MS);
    try {
      for (let i = 0; i < 5; i++) await timeToFirstPage(stack, watcher); // warm-up
      const single: number[] = [];
      for (let i = 0; i < COUNTS.oneAtATime; i++) single.push(await timeToFirstPage(stack, watcher));
      const loaded = await sustainedDispatches(stack, watcher, { count: COUNTS.dispatches, concurrency: DISPATCH_CONCURRENCY, capMs: CAP_MS });
      const n = loaded.latencies.length;
      const capped = n < COUNTS.dispatches ? ` (${n} of ${COUNTS.dispatches} in the cap)` : '';
      return {
        dispatchRate: `${loaded.rate.toFixed(1)}/s${capped}`,
        underLoad: `${ms(percentile(loaded.latencies, 50))} / ${ms(percentile(loaded.latencies, 99))}`,
        oneAtATime: `${ms(percentile(single, 50))} / ${ms(percentile(single, 99))}`,
      };
    } finally {
      watcher.stop();
    }
  }, { temporal, workers });
}

// ---- the run -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = Date.now();
  await setup();
  await buildBareBundle();

  const devDb = path.join(ARTIFACTS, `bench-dev-${randomUUID().slice(0, 8)}.db`);
  let dev: DevServer | undefined;
  let cluster: Cluster | undefined;
  const rows: Row[] = [];
  // A crash anywhere still stops the servers this run started (the stacks stop in their finally).
  const cleanUp = async () => {
    await stopAllTracked();
    await dev?.stop();
    await cluster?.destroy();
    fs.rmSync(devDb, { force: true });
  };
  cleanUpOnExit(cleanUp);
  try {
    cluster = await startBenchCluster();
    dev = await startTemporal({ dbFile: devDb });
    const servers: Array<[string, () => DevServer]> = [
      [clusterName(cluster), () => cluster!.temporal],
      ['dev server (SQLite file)', () => dev!],
    ];
    for (const workers of [1, 2]) {
      for (const [name, server] of servers) {
        console.error(`[bench] ${name}, ${workers} worker(s): bare workflow`);
        const bare = await ceiling(server().address, workers);
        console.error(`[bench] ${name}, ${workers} worker(s): dispatches`);
        const p = await product(server(), workers);
        rows.push({ server: name, workers, bare, ...p, load: loadavg() });
        console.error(`[bench]   ${JSON.stringify(rows.at(-1))}`);
      }
    }
  } finally {
    await cleanUp();
  }

  const header: Row = {
    server: 'Temporal server',
    workers: 0,
    bare: 'ceiling: bare workflow, 1 activity',
    dispatchRate: 'dispatches, sustained',
    underLoad: `first page p50 / p99 ms, ${DISPATCH_CONCURRENCY} at a time`,
    oneAtATime: 'first page p50 / p99 ms, 1 at a time',
    load: 'load avg',
  };
  const cells = (r: Row, head = false) => [r.server, head ? 'workers' : String(r.workers), r.bare, r.dispatchRate, r.underLoad, r.oneAtATime, r.load];
  const table = [cells(header, true), ...rows.map((r) => cells(r))];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\nProduction topology benchmark (${new Date().toISOString()}, ${os.cpus().length} cores, ${((Date.now() - began) / 60_000).toFixed(1)} min)`);
  console.log(`bare: ${COUNTS.bare} workflows, ${BARE_CONCURRENCY} starts in flight; dispatches: ${COUNTS.dispatches} through one API, ${DISPATCH_CONCURRENCY} in flight, and ${COUNTS.oneAtATime} one at a time; cap ${CAP_MS / 1000} s each\n`);
  console.log(line(table[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table.slice(1)) console.log(line(row));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
