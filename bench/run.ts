// `npm run bench`: the product's speed and memory figures on this machine, printed as a table.
// Each scenario runs on a fresh stack: a real Temporal dev server, the API and one worker as
// processes, the Twilio and Airtable stand-ins in this process. No thresholds: figures only.
//   npm run bench                 all scenarios
//   npm run bench -- --quick      smaller counts (1,000 in flight instead of 10,000)
//   npm run bench -- --only=rss   one group: floor, rates, timers, startup, crash, rss, cost, replies
//   npm run bench -- --only=replies --replies-rate=2   replies under another load than 8 dispatches/s
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createTwilioClient } from '../activities/twilio/client';
import setup from '../test/support/globalSetup';
import { ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, ROSTER, Stack } from '../test/support/stack';
import { waitFor } from '../test/support/wait';
import { buildBareBundle } from './bare';
import { costFigures } from './cost';
import { firstPageAtRate, newCallId as callId, pageWatcher } from './pages';
import { repliesFigures } from './replies';
import { cleanUpOnExit } from './running';
import { withStack } from './servers';
import { percentile } from './stats';
import { followUpAfterKill, rssWithWaiting, workerStartup } from './worker';

const quick = process.argv.includes('--quick');
/** `--only=timers` (or floor, rates, startup, crash, rss, cost, replies) runs one group of scenarios */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const runs = (group: 'floor' | 'rates' | 'timers' | 'startup' | 'crash' | 'rss' | 'cost' | 'replies') => !only || only === group;
const tier1 = ROSTER[0]!.phone;
const rows: Array<[string, string]> = [];

const ms = (v: number) => `${v.toFixed(0)} ms`;

/** The floor: an express handler that sends one SMS straight to the Twilio stand-in. */
async function directFloor(total: number): Promise<number[]> {
  return withStack({}, async (stack) => {
    const client = createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: stack.twilio.url });
    const app = express().post('/send', express.json(), async (req, res) => {
      await client.messages.create({ to: tier1, from: FROM_NUMBER, body: String(req.body.body) });
      res.status(201).end();
    });
    const server = app.listen(0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
    const latencies: number[] = [];
    for (let i = 0; i < total; i++) {
      const body = `floor ${i} ${randomUUID()}`;
      const t0 = performance.now();
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body }) });
      await waitFor('floor message', () => stack.twilio.state.messages({ to: tier1 }).some((m) => m.body === body), 10_000, 1);
      latencies.push(performance.now() - t0);
    }
    server.close();
    return latencies;
  });
}

/** Starts `count` dispatches as fast as the API takes them (8 at a time) and returns their codes. */
async function startMany(stack: Stack, count: number): Promise<string[]> {
  const codes: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < count) {
        const { dispatch } = await stack.startDispatch({ callId: callId(), callerPhone: '+12125550191', urgency: 'emergency', summary: 'Bench wait' });
        codes.push(dispatch.replyCode);
      }
    }),
  );
  return codes;
}

const median = (values: number[]) => percentile(values, 50);

/** Worker process start to its first poll, against a bare SDK worker on the same bundle. */
async function startupFigures(runs: number): Promise<void> {
  const stack = await Stack.start({ workers: 0 }); // nobody else polls meanwhile
  const { product, paging, floor } = await workerStartup(stack, runs).finally(() => stack.stop());
  rows.push([`bare SDK worker, process start → first poll (floor), ${runs} starts`, `median ${ms(median(floor))}, max ${ms(Math.max(...floor))}`]);
  rows.push([
    `worker process start → first poll (npm run worker), ${runs} starts`,
    `median ${ms(median(product))}, max ${ms(Math.max(...product))} (median ${ms(median(product) - median(floor))} above the floor)`,
  ]);
  rows.push([`worker process start → dispatch and phone queues both polling, ${runs} starts`, `median ${ms(median(paging))}, max ${ms(Math.max(...paging))}`]);
}

/**
 * kill -9 of the only worker while a dispatch waits on T1, a new worker started 2 s later, the
 * follow-up due in between: how late it goes out, against the same follow-up with the worker alive.
 */
async function crashFigures(): Promise<void> {
  const dueAfterKill = [250, 1000, 1750];
  const { control, runs: kills } = await withStack({ DISPATCH_T1: '6s', DISPATCH_T2: '30m' }, (stack) => followUpAfterKill(stack, dueAfterKill));
  rows.push(['follow-up lateness, worker alive (floor)', ms(control)]);
  for (const k of kills) {
    rows.push([
      `follow-up lateness, kill -9 of the only worker, due ${(k.dueAfterKillMs / 1000).toFixed(2)} s after, restart at 2 s`,
      `${ms(k.latenessMs)} (restarted worker polled ${ms(k.restartToPollMs)} after its start)`,
    ]);
  }
}

/** Worker RSS with many dispatches waiting on their timers (WORKER_MEMORY_MB left at its default). */
async function memoryFigures(counts: number[]): Promise<void> {
  for (const count of counts) {
    const rss = await withStack({ DISPATCH_T1: '30m', DISPATCH_T2: '30m' }, (stack) => rssWithWaiting(stack, count));
    const caughtUp = rss.paged >= count ? `all paged in ${rss.seconds.toFixed(0)} s` : `${rss.paged} paged after ${rss.seconds.toFixed(0)} s`;
    rows.push([
      `worker RSS with ${count} dispatches waiting (${caughtUp})`,
      `${rss.waitingMiB.toFixed(0)} MiB, peak ${rss.peakMiB.toFixed(0)} MiB (idle ${rss.idleMiB.toFixed(0)} MiB; ${rss.whilePaging.min.toFixed(0)}–${rss.whilePaging.max.toFixed(0)} MiB once all were started)`,
    ]);
  }
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!;
  cleanUpOnExit();
  await setup();
  const floor = runs('floor') || runs('rates') ? await directFloor(200) : [];
  if (floor.length) rows.push(['direct express → Twilio stand-in (floor), 200 sends', `p50 ${ms(percentile(floor, 50))}, p99 ${ms(percentile(floor, 99))}`]);

  for (const [rate, total] of runs('rates') ? ([[10, 100], [50, 250]] as const) : []) {
    const { latencies, achieved } = await withStack({ DISPATCH_T1: '30m', DISPATCH_T2: '30m' }, async (stack) => {
      const watcher = pageWatcher(stack, 120_000);
      return firstPageAtRate(stack, watcher, rate, total).finally(() => watcher.stop());
    });
    const p50 = percentile(latencies, 50);
    rows.push([
      `API → first page at ${rate}/s (${total} dispatches, achieved ${achieved.toFixed(1)}/s)`,
      `p50 ${ms(p50)}, p99 ${ms(percentile(latencies, 99))} (p50 ${(p50 / percentile(floor, 50)).toFixed(1)}× the floor)`,
    ]);
  }

  const waiting = quick ? 300 : 1000;
  const t1 = 60_000;
  const lateness = !runs('timers') ? [] : await withStack({ DISPATCH_T1: `${t1 / 1000}s`, DISPATCH_T2: '30m' }, async (stack) => {
    const codes = await startMany(stack, waiting);
    const sent = (code: string) => stack.twilio.state.inbox(tier1).filter((m) => m.body.includes(code)); // oldest first
    await waitFor('every follow-up', () => codes.every((code) => sent(code).length >= 2), t1 + 300_000, 500);
    return codes.map((code) => {
      const [page, followUp] = sent(code);
      return followUp!.dateCreated.getTime() - page!.dateCreated.getTime() - t1;
    });
  });
  if (lateness.length) rows.push([`timer lateness, ${waiting} dispatches waiting on T1 at once`, `p50 ${ms(percentile(lateness, 50))}, p99 ${ms(percentile(lateness, 99))}`]);

  if (runs('startup')) await startupFigures(quick ? 3 : 7);
  if (runs('crash')) await crashFigures();
  if (runs('rss')) await memoryFigures(quick ? [1000] : [1000, 10_000]);
  if (runs('cost')) {
    await buildBareBundle();
    rows.push(...(await costFigures(quick)));
  }
  const repliesRate = Number(process.argv.find((a) => a.startsWith('--replies-rate='))?.slice('--replies-rate='.length) ?? 8);
  if (runs('replies')) rows.push(...(await repliesFigures(quick, repliesRate)));

  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nAfter-hours dispatch benchmarks (${new Date().toISOString()})`);
  // a shared machine's figures mean little without its load: compare against the floors above
  console.log(`${os.cpus().length} CPUs, load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end\n`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
