// Audit drain under a storm: N calls started at once, each accepted quickly by a technician's SMS
// reply or cancelled by ops, on a real dev server with the API and worker(s) as processes and the
// Airtable stand-in counting requests. Measures the time from the first start until every Calls
// and Dispatch Events row is in the base, and what that cost in requests against Airtable's
// 5 requests/s per base. No thresholds; exits 1 only when rows are missing or duplicated.
//
// Usage: node --import tsx bench/auditDrain.ts [calls=200] [workers=1] [cancelEvery=4]
import { randomUUID } from 'node:crypto';
import type { DispatchState } from '../src/domain/types';
import setup from '../test/support/globalSetup';
import { ROSTER, Stack } from '../test/support/stack';
import { startTemporal } from '../test/support/temporal';
import { waitFor } from '../test/support/wait';
import {
  auditProblems,
  duplicateKeys,
  mapLimit,
  peakPerSecond,
  snapshot,
  specShapeProblems,
  temporalClient,
  type AuditExpectation,
} from '../test/e2e/airtableAudit';

const CEILING = 5;
const callerPhone = '+12125550166';
const [alice, bob] = ROSTER as [(typeof ROSTER)[0], (typeof ROSTER)[0]];

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 200);
  const workers = Number(process.argv[3] ?? 1);
  const cancelEvery = Number(process.argv[4] ?? 4);
  await setup();
  // Our own dev server, so it is stopped even when the stack fails to come up.
  const server = await startTemporal();
  let stack: Stack;
  try {
    stack = await Stack.start({ temporal: server, workers, env: { DISPATCH_T1: '30m', DISPATCH_T2: '30m', DISPATCH_MAX_ROUNDS: '1' } });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const temporal = await temporalClient(stack);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await temporal.close().catch(() => undefined);
    await stack.stop();
    await server.stop();
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));

  try {
    const callIds = Array.from({ length: calls }, () => `CAdrain${randomUUID().replace(/-/g, '')}`);
    console.log(`storm: ${calls} calls, ${workers} worker(s), every ${cancelEvery}th cancelled, the rest accepted by SMS`);

    // The storm: every start fired at once (the API takes them as fast as it can).
    const firstStart = Date.now();
    const started = await mapLimit(callIds, 20, async (callId, i) => {
      const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: `Storm call ${i}`, address: `${i} Storm Rd` });
      return { callId, code: dispatch.replyCode, i };
    });
    const allStarted = Date.now();
    const codeCount = new Map<string, number>();
    for (const s of started) codeCount.set(s.code, (codeCount.get(s.code) ?? 0) + 1);

    // Each is settled as soon as its tier-1 pages are out.
    const pageOf = (phone: string, code: string) =>
      waitFor(`${phone} paged for ${code}`, () => stack.twilio.state.inbox(phone).some((m) => m.direction === 'outbound-api' && m.body.includes(`Reply YES ${code} to accept`)), 120_000, 20);
    const expectations = await mapLimit(started, 10, async ({ callId, code, i }): Promise<AuditExpectation> => {
      await pageOf(alice.phone, code);
      await pageOf(bob.phone, code);
      // A reply code two running dispatches share would be ambiguous: cancel those instead.
      if (i % cancelEvery === cancelEvery - 1 || codeCount.get(code)! > 1) {
        const res = await stack.request('POST', `/api/dispatches/${callId}/cancel`);
        if (res.status !== 202) throw new Error(`cancel ${callId}: ${res.status}`);
        return { callId, otherEvents: ['CANCELLED'] };
      }
      const [answer] = await stack.phone(i % 2 ? bob.phone : alice.phone).reply(`YES ${code}`);
      if (!answer?.includes(callerPhone)) throw new Error(`accept of ${callId} answered: ${answer}`);
      return { callId, otherEvents: ['ACCEPTED'] };
    });
    const allSettled = Date.now();
    console.log(`  all ${calls} started after ${seconds(allStarted - firstStart)} s, all accepted/cancelled after ${seconds(allSettled - firstStart)} s`);

    // Wait for every dispatch to close, then for its rows to be complete (whether the audit trail
    // is written before a dispatch closes or after), printing progress from the base meanwhile.
    let lastPrint = 0;
    await waitFor(
      'every dispatch to close',
      async () => {
        const { count } = await temporal.client.workflow.count(`WorkflowType = 'dispatchWorkflow' AND ExecutionStatus = 'Running'`);
        if (Date.now() - lastPrint > 15_000) {
          lastPrint = Date.now();
          const base = snapshot(stack);
          const stats = stack.airtable.state.stats();
          console.log(
            `  t+${seconds(Date.now() - firstStart)} s: ${count} running, ${base.calls.length} Calls / ${base.events.length} Events rows, ${stats.requests} requests, ${stats.rateLimited} × 429`,
          );
        }
        return count === 0;
      },
      30 * 60_000,
      1_000,
    );
    const allClosed = Date.now();

    // Every row present, once, with its final values (or the time runs out: report what is missing).
    const finals = await mapLimit(expectations, 10, (e) => stack.dispatch(e.callId));
    const byId = new Map<string, DispatchState>(finals.map((s) => [s.callId, s]));
    const check = () => {
      const base = snapshot(stack);
      return { base, problems: expectations.flatMap((e) => auditProblems(stack, base, byId.get(e.callId)!, e)) };
    };
    await waitFor('every row', () => check().problems.length === 0, 10 * 60_000, 1_000).catch(() => undefined);
    const { base, problems } = check();
    const dups = duplicateKeys(base);
    const shape = specShapeProblems(stack);

    const log = stack.airtable.state.requestLog();
    const stats = stack.airtable.state.stats();
    const ok = log.filter((r) => r.status < 300);
    const lastWrite = Math.max(...ok.map((r) => Date.parse(r.time)));
    const drainMs = lastWrite - firstStart;
    const writes = log.filter((r) => r.method === 'PATCH');
    const okWrites = writes.filter((r) => r.status < 300);
    const recordWrites = okWrites.reduce((n, r) => n + (r.records ?? 0), 0);
    const rows = base.calls.length + base.events.length;
    const byTable = (t: string) => okWrites.filter((r) => r.table === t).length;
    const messages = finals.reduce((n, s) => n + s.messages.length, 0);

    console.log('');
    console.log(`Audit drain: ${calls} calls (${expectations.filter((e) => e.otherEvents[0] === 'ACCEPTED').length} accepted, ${expectations.filter((e) => e.otherEvents[0] === 'CANCELLED').length} cancelled), ${workers} worker(s), ${messages} SMS sent`);
    console.log(`  rows           ${rows} (${base.calls.length} Calls, ${base.events.length} Dispatch Events)`);
    console.log(`  requests       ${stats.requests} (${byTable('Calls')} Calls + ${byTable('Dispatch Events')} Events upserts OK, ${stats.rateLimited} × 429, ${log.filter((r) => r.status >= 300 && r.status !== 429).length} other errors)`);
    console.log(`  records/req    ${(recordWrites / Math.max(1, okWrites.length)).toFixed(2)} of 10 possible (${recordWrites} record writes for ${rows} rows)`);
    console.log(`  drain          ${seconds(drainMs)} s from the first start to the last row written (all dispatches closed at ${seconds(allClosed - firstStart)} s)`);
    console.log(`  rows/s         ${(rows / (drainMs / 1000)).toFixed(2)}`);
    console.log(`  requests/s     ${(stats.requests / (drainMs / 1000)).toFixed(2)} against the ${CEILING}/s ceiling (${((stats.requests / (drainMs / 1000) / CEILING) * 100).toFixed(0)} % of it)`);
    console.log(`  peak           ${stats.peakRequestsPerSecond} requests in one second (emulator), ${peakPerSecond(log.map((r) => Date.parse(r.time)))} (request log)`);
    console.log(`  429s           ${stats.rateLimited}`);
    console.log(`  complete       ${problems.length === 0 && dups.callIds.length === 0 && dups.eventKeys.length === 0 && shape.length === 0 ? 'yes: every row once, final values, spec names' : 'NO'}`);
    for (const p of [...problems, ...dups.callIds.map((k) => `duplicate Call ID ${k}`), ...dups.eventKeys.map((k) => `duplicate Event Key ${k}`), ...shape].slice(0, 20)) {
      console.log(`    ${p}`);
    }
    process.exitCode = problems.length || dups.callIds.length || dups.eventKeys.length || shape.length ? 1 : 0;
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
