// Worker figures for `npm run bench`: start-up to first poll (against the floor of a bare SDK
// worker, measured in the same run), follow-up lateness after a kill -9 of the only worker (against
// the lateness of the same follow-up with the worker alive), and memory with many dispatches waiting.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { phoneTaskQueueFor } from '../src/contract/phone';
import { WORKFLOW_BUNDLE } from '../src/temporal/workflowBundle';
import { ROOT } from '../test/support/paths';
import { watchPollers, workerIdentity as identityOf } from '../test/support/pollers';
import { RoleProcess } from '../test/support/processes';
import { ROSTER, type Stack } from '../test/support/stack';
import { waitFor } from '../test/support/wait';

const tier1 = ROSTER[0]!.phone;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const callId = () => `CAw${randomUUID().replace(/-/g, '')}`;
/** The i-th caller of a storm: distinct valid New York numbers. */
const callerNumber = (i: number) => `+1646${2_000_000 + i}`;

/**
 * Process start (spawn) to the server seeing the first poll on the dispatch queue, for the product's
 * worker (`npm run worker`) and for a bare SDK worker on the same bundle, interleaved so both meet
 * the same machine; and for the product's worker, to its phone queue polling too (no page goes out
 * before both do).
 */
export async function workerStartup(stack: Stack, runs: number): Promise<{ product: number[]; paging: number[]; floor: number[] }> {
  const watcher = await watchPollers(stack.temporal.address);
  const product: number[] = [];
  const paging: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const floorQueue = `${stack.env.TEMPORAL_TASK_QUEUE}-floor-${i}`;
      let t0 = Date.now();
      const bare = spawn(process.execPath, [path.join(ROOT, 'bench', 'sdkWorker.cjs'), stack.temporal.address, floorQueue, WORKFLOW_BUNDLE.codePath], { stdio: 'ignore' });
      const bareExit = new Promise((r) => bare.once('exit', r));
      try {
        floor.push((await watcher.firstPoll(floorQueue, identityOf(bare.pid!))) - t0);
      } finally {
        bare.kill('SIGKILL');
        await bareExit;
      }
      t0 = Date.now();
      const worker = new RoleProcess('worker', `bench-startup-${stack.env.TEMPORAL_TASK_QUEUE}-${i}`, stack.env);
      try {
        const queue = stack.env.TEMPORAL_TASK_QUEUE!;
        const identity = identityOf(worker.pid);
        const [dispatchPoll, phonePoll] = await Promise.all([watcher.firstPoll(queue, identity), watcher.firstPoll(phoneTaskQueueFor(queue), identity)]);
        product.push(dispatchPoll - t0);
        paging.push(Math.max(dispatchPoll, phonePoll) - t0);
      } finally {
        await worker.stop('SIGKILL');
      }
    }
  } finally {
    await watcher.close();
  }
  return { product, paging, floor };
}

export interface KillRun {
  /** how long after the kill the follow-up came due */
  dueAfterKillMs: number;
  /** the follow-up's send (the stand-in's clock) after its due time */
  latenessMs: number;
  /** the restarted worker's process start to its first poll */
  restartToPollMs: number;
}

/**
 * The scenario of a crash between two pages, with one worker: the worker is killed (-9) while a
 * dispatch waits on T1, the follow-up comes due `dueAfterKillMs` later, and a new worker starts 2 s
 * after the kill. Needs a stack with one worker and DISPATCH_T1 of a few seconds. The control is
 * the same follow-up with the worker alive.
 */
export async function followUpAfterKill(stack: Stack, dueAfterKill: number[]): Promise<{ control: number; runs: KillRun[] }> {
  const watcher = await watchPollers(stack.temporal.address);
  try {
    const control = await followUpLateness(stack, async () => undefined);
    const runs: KillRun[] = [];
    for (const dueAfterKillMs of dueAfterKill) {
      let restartToPollMs = NaN;
      const latenessMs = await followUpLateness(stack, async (dueAt) => {
        await sleep(dueAt - dueAfterKillMs - Date.now());
        const killedAt = Date.now();
        await stack.workers.find((w) => w.running)!.stop('SIGKILL');
        await sleep(killedAt + 2_000 - Date.now());
        const t0 = Date.now();
        const restarting = stack.startWorker();
        const restarted = stack.workers[stack.workers.length - 1]!;
        restartToPollMs = (await watcher.firstPoll(stack.env.TEMPORAL_TASK_QUEUE!, identityOf(restarted.pid))) - t0;
        await restarting;
      });
      runs.push({ dueAfterKillMs, latenessMs, restartToPollMs });
    }
    return { control, runs };
  } finally {
    await watcher.close();
  }
}

/** Starts a dispatch, runs `meanwhile(dueAt)` once it waits on T1, and returns how late its follow-up went out. */
async function followUpLateness(stack: Stack, meanwhile: (dueAt: number) => Promise<void>): Promise<number> {
  const id = callId();
  const { dispatch } = await stack.startDispatch({ callId: id, callerPhone: '+12125550192', urgency: 'emergency', summary: 'Bench crash' });
  const sent = () => stack.twilio.state.inbox(tier1).filter((m) => m.body.includes(dispatch.replyCode));
  await waitFor('first page', () => sent().length >= 1, 30_000, 10);
  const state = await waitFor('the follow-up time', async () => (await stack.dispatch(id)).nextEscalationAt, 10_000);
  const dueAt = Date.parse(state);
  await meanwhile(dueAt);
  const followUp = await waitFor('the follow-up', () => sent().find((m) => m.body.startsWith('FOLLOW-UP')), 60_000, 10);
  return followUp.dateCreated.getTime() - dueAt;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
}

/**
 * Worker memory with `count` dispatches waiting on their timers: started 8 at a time through the
 * API, measured once every first page has gone out, or after `settleMs` more when the worker has
 * not caught up by then (the figure then says how many were paged). Peak is the process's
 * high-water mark over the whole run.
 */
export async function rssWithWaiting(
  stack: Stack,
  count: number,
  settleMs = 20 * 60_000,
): Promise<{ idleMiB: number; waitingMiB: number; peakMiB: number; seconds: number; paged: number; whilePaging: { min: number; max: number } }> {
  const pid = stack.workers[0]!.pid;
  const idleMiB = procStatus(pid, 'VmRSS');
  const before = stack.twilio.state.messages({ to: tier1 }).length;
  const paged = () => stack.twilio.state.messages({ to: tier1 }).length - before;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < count) {
        // A storm's calls come from as many numbers: each caller's phone has a workflow of its own.
        await stack.startDispatch({ callId: callId(), callerPhone: callerNumber(next), urgency: 'emergency', summary: 'Bench wait' });
      }
    }),
  );
  // One reading at the end can land on either side of a collection: the range once every call is in.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(procStatus(pid, 'VmRSS')), 5_000);
  await waitFor(`${count} first pages`, () => paged() >= count, settleMs, 500).catch(() => undefined);
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const waitingMiB = procStatus(pid, 'VmRSS');
  samples.push(waitingMiB);
  const whilePaging = { min: Math.min(...samples), max: Math.max(...samples) };
  return { idleMiB, waitingMiB, peakMiB: procStatus(pid, 'VmHWM'), seconds, paged: Math.min(paged(), count), whilePaging };
}
