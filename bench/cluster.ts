// `npm run bench:cluster`: the PostgreSQL-backed Temporal server of the production topology and
// the dev server side by side, each with one and with two workers, in one run:
//   - the stack's ceiling: a bare workflow with one activity (bench/clusterBareWorkflow.ts),
//     started as fast as the server takes them; sustained rate = completed / elapsed;
//   - the product: dispatches through the API as fast as it takes them (16 at a time), sustained
//     rate = first pages / elapsed, with the first-page latency under that load, and one at a time.
// Figures only, no thresholds. Counts and time are bounded (`--quick` for smaller counts).
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeClusterPorts, startCluster, type Cluster } from '../scripts/cluster/cluster';
import type { DevServer } from '../src/temporal/devServer';
import setup from '../test/support/globalSetup';
import { ARTIFACTS, ROOT } from '../test/support/paths';
import { ROSTER, Stack } from '../test/support/stack';
import { startTemporal } from '../test/support/temporal';
import { waitFor } from '../test/support/wait';
import { percentile } from './stats';

const quick = process.argv.includes('--quick');
const COUNTS = quick ? { bare: 300, dispatches: 100, oneAtATime: 10 } : { bare: 1000, dispatches: 300, oneAtATime: 20 };
/** no measurement runs longer than this; what finished by then is what counts */
const CAP_MS = quick ? 60_000 : 120_000;
const BARE_CONCURRENCY = 64;
const DISPATCH_CONCURRENCY = 16;
// Each of the many waits in flight listens on a shared abort signal of the client.
EventEmitter.defaultMaxListeners = 4 * BARE_CONCURRENCY;
const BARE_BUNDLE = path.join(ARTIFACTS, 'bare-workflow-bundle.js');
const tier1 = ROSTER[0]!.phone;

interface Row {
  server: string;
  workers: number;
  bare: string;
  dispatchRate: string;
  underLoad: string;
  oneAtATime: string;
  load: string;
}

/** What is running right now, for a crash to stop. */
const running = new Set<() => Promise<void>>();
function track(stop: () => Promise<void>): () => void {
  running.add(stop);
  return () => running.delete(stop);
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)}` : '-');
const loadavg = () => os.loadavg()[0]!.toFixed(1);

// ---- the ceiling: a bare workflow ------------------------------------------------------------------

function startBareWorker(address: string, taskQueue: string, name: string): Promise<ChildProcess> {
  const log = fs.createWriteStream(path.join(ARTIFACTS, 'logs', `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', 'clusterBareWorker.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: address, BARE_TASK_QUEUE: taskQueue, BARE_BUNDLE_PATH: BARE_BUNDLE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      out += chunk.toString();
      if (/bare worker polling/.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${out.slice(-500)}`)));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await gone;
  clearTimeout(timer);
}

async function ceiling(address: string, workers: number): Promise<string> {
  const taskQueue = `bare-${randomUUID().slice(0, 8)}`;
  const procs: ChildProcess[] = [];
  const connection = await Connection.connect({ address });
  try {
    const untrack = track(() => Promise.all(procs.map(stopProcess)).then(() => undefined));
    for (let i = 0; i < workers; i++) procs.push(await startBareWorker(address, taskQueue, `${taskQueue}-worker-${i + 1}`));
    const client = new Client({ connection });
    const runMany = async (label: string, count: number, capMs: number) => {
      const started = performance.now();
      const deadline = started + capMs;
      let next = 0;
      let done = 0;
      let lastStart = started;
      const open = new Map<string, Promise<unknown>>();
      await Promise.all(
        Array.from({ length: BARE_CONCURRENCY }, async () => {
          while (next < count && performance.now() < deadline) {
            const n = next++;
            const handle = await client.workflow.start('bare', { taskQueue, workflowId: `${taskQueue}-${label}-${n}`, args: [n] });
            lastStart = performance.now();
            open.set(handle.workflowId, handle.result().then(() => void done++, () => undefined).finally(() => open.delete(handle.workflowId)));
          }
        }),
      );
      const startedAll = lastStart;
      await Promise.race([Promise.all(open.values()), new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())))]);
      const elapsed = (performance.now() - started) / 1000;
      const finished = done;
      // Past the cap: end what is left, so nothing outlives this measurement.
      await Promise.all([...open.keys()].map((id) => client.workflow.getHandle(id).terminate('bench cap reached').catch(() => undefined)));
      await Promise.all(open.values());
      return { done: finished, count, elapsed, startRate: next / ((startedAll - started) / 1000) };
    };
    await runMany('warm-up', 30, 30_000); // warm-up: caches, pollers, connections
    const r = await runMany('run', COUNTS.bare, CAP_MS);
    const capped = r.done < r.count ? ` (${r.done} of ${r.count} in the cap)` : '';
    untrack();
    return `${(r.done / r.elapsed).toFixed(0)}/s (started ${r.startRate.toFixed(0)}/s)${capped}`;
  } finally {
    await Promise.all(procs.map(stopProcess));
    await connection.close();
  }
}

// ---- the product: dispatches through the API ---------------------------------------------------------

/** When the first tier-1 page of each reply code reached the Twilio stand-in (its own timestamp). */
function pageWatcher(stack: Stack) {
  const firstPage = new Map<string, number>();
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const m of stack.twilio.state.messages({ to: tier1 })) {
      if (seen.has(m.sid)) break; // newest first: the rest are known
      seen.add(m.sid);
      const code = /job (\S+)/.exec(m.body)?.[1];
      if (code && !firstPage.has(code)) firstPage.set(code, m.dateCreated.getTime());
    }
  }, 10);
  return {
    pagedAt: (code: string) => waitFor(`first page of ${code}`, () => firstPage.get(code), CAP_MS, 10),
    stop: () => clearInterval(timer),
  };
}

async function product(temporal: DevServer, workers: number): Promise<Pick<Row, 'dispatchRate' | 'underLoad' | 'oneAtATime'>> {
  const stack = await Stack.start({ temporal, workers, env: { DISPATCH_VOICE: 'false', DISPATCH_T1: '30m', DISPATCH_T2: '30m' } });
  const untrack = track(() => stack.stop());
  const watcher = pageWatcher(stack);
  try {
    const one = async () => {
      const t0 = Date.now();
      const { dispatch } = await stack.startDispatch({ callId: `CAbc${randomUUID().replace(/-/g, '')}`, callerPhone: '+12125550192', urgency: 'emergency', summary: 'Cluster bench' });
      return (await watcher.pagedAt(dispatch.replyCode)) - t0;
    };
    for (let i = 0; i < 5; i++) await one(); // warm-up
    const single: number[] = [];
    for (let i = 0; i < COUNTS.oneAtATime; i++) single.push(await one());

    const loaded: number[] = [];
    const started = Date.now();
    const deadline = started + CAP_MS;
    let next = 0;
    let lastPage = started;
    await Promise.all(
      Array.from({ length: DISPATCH_CONCURRENCY }, async () => {
        while (next < COUNTS.dispatches && Date.now() < deadline) {
          next++;
          const latency = await one();
          loaded.push(latency);
          lastPage = Math.max(lastPage, Date.now());
        }
      }),
    );
    const rate = loaded.length / ((lastPage - started) / 1000);
    const capped = loaded.length < COUNTS.dispatches ? ` (${loaded.length} of ${COUNTS.dispatches} in the cap)` : '';
    return {
      dispatchRate: `${rate.toFixed(1)}/s${capped}`,
      underLoad: `${ms(percentile(loaded, 50))} / ${ms(percentile(loaded, 99))}`,
      oneAtATime: `${ms(percentile(single, 50))} / ${ms(percentile(single, 99))}`,
    };
  } finally {
    watcher.stop();
    await stack.stop();
    untrack();
  }
}

// ---- the run -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = Date.now();
  await setup();
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'bench', 'clusterBareWorkflow.ts'), logger: quiet });
  fs.writeFileSync(BARE_BUNDLE, code);

  const id = randomUUID().slice(0, 8);
  const devDb = path.join(ARTIFACTS, `bench-dev-${id}.db`);
  const clusterDir = path.join(ARTIFACTS, `bench-cluster-${id}`);
  let dev: DevServer | undefined;
  let cluster: Cluster | undefined;
  const rows: Row[] = [];
  // A crash anywhere still stops the servers this run started (the stacks stop in their finally).
  const cleanUp = async () => {
    for (const stop of running) await stop().catch(() => undefined);
    await dev?.stop();
    await cluster?.destroy();
    fs.rmSync(devDb, { force: true });
  };
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.once(event, (err) => {
      console.error(err);
      void cleanUp().finally(() => process.exit(1));
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(1)));
  try {
    cluster = await startCluster({ dataDir: clusterDir, ports: await freeClusterPorts(), log: (l) => console.error(`[cluster] ${l}`) });
    dev = await startTemporal({ dbFile: devDb });
    const servers: Array<[string, () => DevServer]> = [
      [`PostgreSQL ${cluster.topology.postgresql.major}, Temporal ${cluster.build.version}`, () => cluster!.temporal],
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

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
