// The stack's floors and ceiling: a bare workflow with one activity (bench/clusterBareWorkflow.ts),
// run by bare SDK worker processes (bench/clusterBareWorker.ts) on any Temporal server. Nothing of
// the product runs in it, so what it costs is what Temporal, the SDK and this machine cost.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, ROOT } from '../test/support/paths';
import { track } from './running';

const BARE_BUNDLE = path.join(ARTIFACTS, 'bare-workflow-bundle.js');
/** bare workflows started at once when measuring the ceiling */
export const BARE_CONCURRENCY = 64;
// Each of the many waits in flight listens on a shared abort signal of the client.
EventEmitter.defaultMaxListeners = Math.max(EventEmitter.defaultMaxListeners, 4 * BARE_CONCURRENCY);

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

/** Bundles the bare workflow once per run, for the bare workers to load. */
export async function buildBareBundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'bench', 'clusterBareWorkflow.ts'), logger: quiet });
  fs.writeFileSync(BARE_BUNDLE, code);
}

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

export interface BareRun {
  /** completed within the cap */
  done: number;
  count: number;
  elapsedS: number;
  /** completions per second over the whole run */
  rate: number;
  /** starts per second while starting */
  startRate: number;
}

/** Bare workers polling a task queue of their own, and a client to start bare workflows on it. */
export interface BareWorkers {
  client: Client;
  taskQueue: string;
  /** `count` workflows, `concurrency` starts in flight, each awaited; what is open after `capMs` is terminated */
  runMany(label: string, count: number, capMs: number, concurrency?: number): Promise<BareRun>;
  /** open loop: starts `total` at `perSecond`; each one's start call to its activity's start, ms */
  startToActivityAtRate(perSecond: number, total: number): Promise<number[]>;
}

/** Starts `workers` bare worker processes on a fresh task queue of `address`, runs `use`, stops them. */
export async function withBareWorkers<T>(address: string, workers: number, use: (bare: BareWorkers) => Promise<T>): Promise<T> {
  const taskQueue = `bare-${randomUUID().slice(0, 8)}`;
  const procs: ChildProcess[] = [];
  const untrack = track(() => Promise.all(procs.map(stopProcess)).then(() => undefined));
  const connection = await Connection.connect({ address });
  try {
    for (let i = 0; i < workers; i++) procs.push(await startBareWorker(address, taskQueue, `${taskQueue}-worker-${i + 1}`));
    const client = new Client({ connection });
    return await use({
      client,
      taskQueue,
      runMany: (label, count, capMs, concurrency = BARE_CONCURRENCY) => runMany(client, taskQueue, label, count, capMs, concurrency),
      startToActivityAtRate: (perSecond, total) => startToActivityAtRate(client, taskQueue, perSecond, total),
    });
  } finally {
    await Promise.all(procs.map(stopProcess));
    untrack();
    await connection.close();
  }
}

async function runMany(client: Client, taskQueue: string, label: string, count: number, capMs: number, concurrency: number): Promise<BareRun> {
  const started = performance.now();
  const deadline = started + capMs;
  let next = 0;
  let done = 0;
  let lastStart = started;
  const open = new Map<string, Promise<unknown>>();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < deadline) {
        const n = next++;
        const handle = await client.workflow.start('bare', { taskQueue, workflowId: `${taskQueue}-${label}-${n}`, args: [n] });
        lastStart = performance.now();
        const result = handle.result().then(() => void done++, () => undefined).finally(() => open.delete(handle.workflowId));
        open.set(handle.workflowId, result);
        // one at a time means one at a time: the next starts when this one has completed
        if (concurrency === 1) await result;
      }
    }),
  );
  const startedAll = lastStart;
  await Promise.race([Promise.all(open.values()), new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())))]);
  const elapsedS = (performance.now() - started) / 1000;
  const finished = done;
  // Past the cap: end what is left, so nothing outlives this measurement.
  await Promise.all([...open.keys()].map((id) => client.workflow.getHandle(id).terminate('bench cap reached').catch(() => undefined)));
  await Promise.all(open.values());
  return { done: finished, count, elapsedS, rate: finished / elapsedS, startRate: next / ((startedAll - started) / 1000) };
}

async function startToActivityAtRate(client: Client, taskQueue: string, perSecond: number, total: number): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: total }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / perSecond));
      const t0 = Date.now();
      const handle = await client.workflow.start('bare', { taskQueue, workflowId: `${taskQueue}-rate-${randomUUID()}`, args: [i] });
      const activityStartedAt: number = await handle.result();
      latencies.push(activityStartedAt - t0);
    }),
  );
  return latencies;
}
