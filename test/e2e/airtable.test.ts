// Airtable as the business's record (spec section 6), end to end: real Temporal dev server, the API
// and the worker as their own processes, the Twilio and Airtable stand-ins in this process. Every
// wait is on something observable (a text in a phone's inbox, a row in the emulated base, the
// dispatch closing); the rows are checked against the dispatch's own list of messages
// (GET /api/dispatches/:callId) and against the messages Twilio actually carried.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmulatedMessage } from '../../emulators/twilio';
import type { DevServer } from '../../src/temporal/devServer';
import type { DispatchState } from '../../src/domain/types';
import { ROSTER, Stack } from '../support/stack';
import { startTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';
import {
  auditProblems,
  duplicateKeys,
  mapLimit,
  peakPerSecond,
  snapshot,
  specShapeProblems,
  temporalClient,
  twilioMessagesOf,
  workflowClosed,
  type AuditExpectation,
} from './airtableAudit';

const [alice, bob, carol] = ROSTER as [(typeof ROSTER)[0], (typeof ROSTER)[0], (typeof ROSTER)[0]];
const callerPhone = '+12125550177';
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;
// Nobody is followed up or escalated by the clock during these tests: every row comes from what
// the test does (accept, decline, cancel), so the expected rows are exact.
// BUSY_FOR: an accepted dispatch follows its job that long (spec section 11) and its technician is
// busy meanwhile (section 10); 1 ms closes each job at once, so every scenario pages Alice and Bob.
const ENV = { DISPATCH_T1: '10m', DISPATCH_T2: '10m', DISPATCH_MAX_ROUNDS: '1', BUSY_FOR: '1ms' };
const CEILING = 5; // Airtable: 5 requests/s per base

/** The page that carries this dispatch's code, once it is in the phone's inbox. */
function waitForPage(stack: Stack, phone: string, code: string, timeoutMs = 15_000): Promise<EmulatedMessage> {
  const page = new RegExp(`Reply YES ${code} to accept`);
  return waitFor(
    `${phone} to be paged for ${code}`,
    () => stack.twilio.state.inbox(phone).find((m) => m.direction === 'outbound-api' && page.test(m.body)),
    timeoutMs,
    100, // the arrival time comes from the stand-in (dateCreated), not from this poll
  );
}

/**
 * Waits until every one of these dispatches has closed (its audit lane has drained) and its rows
 * are in the emulated base exactly as its final state says; throws with what is still missing.
 */
async function waitForCompleteAudit(
  stack: Stack,
  client: Client,
  expectations: AuditExpectation[],
  timeoutMs: number,
): Promise<Map<string, DispatchState>> {
  const finals = new Map<string, DispatchState>();
  await waitFor(
    `the audit rows of ${expectations.length} dispatch(es)`,
    async () => {
      for (const e of expectations) {
        if (finals.has(e.callId)) continue;
        if (await workflowClosed(client, e.callId)) finals.set(e.callId, await stack.dispatch(e.callId));
      }
      const open = expectations.filter((e) => !finals.has(e.callId)).length;
      if (open) throw new Error(`${open} dispatch(es) still running`);
      const base = snapshot(stack);
      const problems = expectations.flatMap((e) => auditProblems(stack, base, finals.get(e.callId)!, e));
      if (problems.length) throw new Error(`${problems.length} problem(s): ${problems.slice(0, 5).join('; ')}`);
      return true;
    },
    timeoutMs,
    1_000,
  );
  return finals;
}

/** Requests per wall-clock second, the five busiest, for the report. */
function busiestSeconds(log: { time: string }[]): Array<[string, number]> {
  const perSecond = new Map<string, number>();
  for (const r of log) perSecond.set(r.time.slice(11, 19), (perSecond.get(r.time.slice(11, 19)) ?? 0) + 1);
  return [...perSecond].sort((a, b) => b[1] - a[1]).slice(0, 5);
}

function expectNoDuplicates(stack: Stack): void {
  expect(duplicateKeys(snapshot(stack))).toEqual({ callIds: [], eventKeys: [] });
}

let temporal: DevServer;
beforeAll(async () => {
  temporal = await startTemporal();
});
afterAll(async () => temporal?.stop());

// "All workers together stay under Airtable's 5 requests/s per base": one worker, and two.
describe.each([1, 2])('Airtable audit trail under a burst of calls, %i worker(s)', (workers) => {
  let stack: Stack;
  let temporalConn: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    stack = await Stack.start({ temporal, env: ENV, workers });
    temporalConn = await temporalClient(stack);
  });
  afterAll(async () => {
    await temporalConn?.close();
    await stack?.stop();
  });

  test('30 dispatches within 3 s: no 429, at most 5 requests in any second, every row once with its final values', async () => {
    const N = 30;
    const callIds = Array.from({ length: N }, newCallId);
    // The stand-in clocks arrivals on this process's event loop: a stall here bunches them up.
    const stalls = monitorEventLoopDelay({ resolution: 20 });
    stalls.enable();
    const firstStart = Date.now();
    // Fire the starts 80 ms apart without waiting for each other: all 30 inside 3 s.
    const started = await Promise.all(
      callIds.map(async (callId, i) => {
        await new Promise((r) => setTimeout(r, i * 80));
        const postedAt = Date.now();
        const res = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: `Burst pipe #${i}`, address: `${i} Elm St` });
        return { callId, postedAt, status: res.status, code: res.dispatch.replyCode };
      }),
    );
    expect(started.every((s) => s.status === 201)).toBe(true);
    expect(Math.max(...started.map((s) => s.postedAt)) - firstStart).toBeLessThan(3_000);

    // Two of three are accepted (by Alice or Bob), every third is cancelled by ops.
    const expectations = await mapLimit(started, 6, async ({ callId, code }, i): Promise<AuditExpectation> => {
      await waitForPage(stack, alice.phone, code, 30_000);
      await waitForPage(stack, bob.phone, code, 30_000);
      if (i % 3 === 2) {
        const res = await stack.request('POST', `/api/dispatches/${callId}/cancel`);
        expect(res.status).toBe(202);
        return { callId, otherEvents: ['CANCELLED'] };
      }
      const tech = i % 2 ? bob : alice;
      const [answer] = await stack.phone(tech.phone).reply(`YES ${code}`);
      expect(answer).toContain(callerPhone);
      return { callId, otherEvents: ['ACCEPTED'] };
    });

    const finals = await waitForCompleteAudit(stack, temporalConn.client, expectations, 180_000);
    const drainedAt = Date.now();
    expect([...finals.values()].map((s) => s.status).sort()).toEqual([
      ...Array<string>(N / 3 * 2).fill('ACCEPTED'),
      ...Array<string>(N / 3).fill('CANCELLED'),
    ].sort());

    const stats = stack.airtable.state.stats();
    const log = stack.airtable.state.requestLog();
    const writes = log.filter((r) => r.method === 'PATCH');
    const base = snapshot(stack);
    console.log(
      `[airtable burst, ${workers} worker(s)] ${N} dispatches, ${base.calls.length} Calls + ${base.events.length} Dispatch Events rows, ` +
        `${stats.requests} requests (${writes.filter((r) => r.table === 'Calls').length} Calls, ${writes.filter((r) => r.table === 'Dispatch Events').length} Events), ` +
        `${(writes.reduce((n, r) => n + (r.records ?? 0), 0) / Math.max(1, writes.length)).toFixed(2)} records/request, ` +
        `drained ${((drainedAt - firstStart) / 1000).toFixed(1)} s after the first start, peak ${stats.peakRequestsPerSecond}/s, 429s ${stats.rateLimited}`,
    );
    stalls.disable();
    console.log(
      `[airtable burst, ${workers} worker(s)] busiest seconds: ${JSON.stringify(busiestSeconds(log))}; ` +
        `longest event-loop stall of the stand-ins' process ${(stalls.max / 1e6).toFixed(0)} ms`,
    );
    expect(stats.rateLimited).toBe(0);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(stats.peakRequestsPerSecond).toBeLessThanOrEqual(CEILING);
    expect(peakPerSecond(log.map((r) => Date.parse(r.time)))).toBeLessThanOrEqual(CEILING);
    expect(base.calls).toHaveLength(N);
    expectNoDuplicates(stack);
    expect(specShapeProblems(stack)).toEqual([]);
  }, 300_000);
});

describe('Airtable audit trail through faults', () => {
  let stack: Stack;
  let temporalConn: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    stack = await Stack.start({ temporal, env: ENV });
    temporalConn = await temporalClient(stack);
    // Warm the worker (workflow bundle loaded, connections open) so a first-page latency measured
    // below is about Airtable, not about a cold process.
    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Warm-up' });
    await waitForPage(stack, alice.phone, dispatch.replyCode);
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await waitForCompleteAudit(stack, temporalConn.client, [{ callId, otherEvents: ['CANCELLED'] }], 60_000);
  });
  afterAll(async () => {
    stack?.airtable.state.setOutage(null);
    await temporalConn?.close();
    await stack?.stop();
  });

  test('Airtable down (503) for 10 s: the pages go out at once regardless, and the rows are complete within 60 s of recovery', async () => {
    const OUTAGE_MS = 10_000;
    const callId = newCallId();
    stack.airtable.state.setOutage(503);
    const postedAt = Date.now();
    const outageEndsAt = postedAt + OUTAGE_MS;
    try {
      const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Gas smell', address: '5 Oak Ave' });
      const code = dispatch.replyCode;
      const [pageA, pageB] = await Promise.all([waitForPage(stack, alice.phone, code, 5_000), waitForPage(stack, bob.phone, code, 5_000)]);
      const firstPageMs = Math.min(pageA.dateCreated.getTime(), pageB.dateCreated.getTime()) - postedAt;
      const lastPageMs = Math.max(pageA.dateCreated.getTime(), pageB.dateCreated.getTime()) - postedAt;
      console.log(`[airtable outage] first page ${firstPageMs} ms, last tier-1 page ${lastPageMs} ms after the start call`);
      // Nothing waits on Airtable: the pages go out long before the outage ends. The product's
      // latency goal (under 1 s) is measured by `npm run bench:first-page` on a quiet machine; a
      // test sharing two cores with other stacks holds the order of magnitude, not the figure.
      expect(lastPageMs).toBeLessThan(3_000);

      // The rest of the dispatch goes on during the outage too: accept, caller told, stand-down.
      const [answer] = await stack.phone(alice.phone).reply(`YES ${code}`);
      expect(answer).toContain(callerPhone);
      await waitFor('the caller to be told', () => twilioMessagesOf(stack, callId).find((m) => m.to === callerPhone), 10_000);
      await waitFor('Bob to be stood down', () => twilioMessagesOf(stack, callId).filter((m) => m.to === bob.phone).length === 2, 10_000);
      expect(Date.now()).toBeLessThan(outageEndsAt);

      // Nothing got in meanwhile, though the product kept trying.
      await new Promise((r) => setTimeout(r, Math.max(0, outageEndsAt - Date.now())));
      expect(snapshot(stack).callsById.get(callId)).toBeUndefined();
      const refused = stack.airtable.state.requestLog().filter((r) => r.status === 503 && Date.parse(r.time) >= postedAt);
      expect(refused.length).toBeGreaterThan(0);
    } finally {
      stack.airtable.state.setOutage(null);
    }
    const recoveredAt = Date.now();
    await waitForCompleteAudit(stack, temporalConn.client, [{ callId, otherEvents: ['ACCEPTED'] }], 60_000);
    console.log(`[airtable outage] rows complete ${((Date.now() - recoveredAt) / 1000).toFixed(1)} s after Airtable came back`);
    expectNoDuplicates(stack);
    expect(stack.airtable.state.stats().rateLimited).toBe(0);
  }, 150_000);

  test('duplicate and out-of-order status callbacks: one row per message, Delivery Status delivered', async () => {
    stack.twilio.state.duplicateCallbacks(true);
    stack.twilio.state.outOfOrderCallbacks(true);
    const callId = newCallId();
    try {
      const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'urgent', summary: 'Boiler out' });
      const code = dispatch.replyCode;
      await waitForPage(stack, alice.phone, code);
      await waitForPage(stack, bob.phone, code);
      const [answer] = await stack.phone(bob.phone).reply(`YES ${code}`);
      expect(answer).toContain(callerPhone);
      await waitForCompleteAudit(stack, temporalConn.client, [{ callId, otherEvents: ['ACCEPTED'] }], 60_000);
    } finally {
      stack.twilio.state.duplicateCallbacks(false);
      stack.twilio.state.outOfOrderCallbacks(false);
    }

    // The faults really happened: each message's callbacks came twice, `delivered` before `sent`.
    const sent = twilioMessagesOf(stack, callId);
    // Alice and Bob paged, the caller told, Alice stood down (Bob accepted by SMS).
    expect(sent.map((m) => m.to).sort()).toEqual([alice.phone, alice.phone, bob.phone, callerPhone].sort());
    for (const m of sent) {
      const callbacks = stack.twilio.state.callbacks().filter((c) => c.messageSid === m.sid);
      expect(callbacks.map((c) => c.status)).toEqual(['delivered', 'delivered', 'sent', 'sent']);
      // Every one of them answered 204, duplicates and latecomers alike (anything else, Twilio retries).
      expect(callbacks.map((c) => c.responseStatus)).toEqual([204, 204, 204, 204]);
    }
    const base = snapshot(stack);
    const rows = base.events.filter((r) => r.fields['Call ID'] === callId && r.fields['Message SID']);
    expect(rows).toHaveLength(sent.length);
    for (const m of sent) {
      const own = rows.filter((r) => r.fields['Message SID'] === m.sid);
      expect(own).toHaveLength(1);
      expect(own[0]!.fields['Delivery Status']).toBe('delivered');
    }
    expectNoDuplicates(stack);
  }, 120_000);

  test('slow delivery callbacks (seconds apart, as carriers report): every row still ends delivered', async () => {
    // sending, sent, delivered 1.5 s apart: `delivered` comes about 4.5 s after each message.
    const config = stack.twilio.state.config;
    const fastDelay = config.callbackDelayMs;
    config.callbackDelayMs = 1_500;
    const callId = newCallId();
    try {
      const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'No heat' });
      const code = dispatch.replyCode;
      await waitForPage(stack, alice.phone, code);
      await waitForPage(stack, bob.phone, code);
      await stack.phone(alice.phone).reply(`YES ${code}`);
      // The dispatch must still be listening when the last callbacks come (or ask Twilio itself,
      // spec section 3), or the last rows keep a status the carrier has long moved past.
      await waitForCompleteAudit(stack, temporalConn.client, [{ callId, otherEvents: ['ACCEPTED'] }], 45_000);
    } finally {
      config.callbackDelayMs = fastDelay;
    }
    const rows = snapshot(stack).events.filter((r) => r.fields['Call ID'] === callId && r.fields['Message SID']);
    expect(rows.map((r) => r.fields['Delivery Status'])).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  }, 90_000);

  test('rows use exactly the spec field names and values; no request is refused with 422', async () => {
    // A dispatch that touches most fields: an address, a decline, an undeliverable page with an
    // error code, an escalation, an accept with its technician and time.
    stack.twilio.state.undeliverable(bob.phone, 30003);
    const callId = newCallId();
    try {
      const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Flooded basement', address: '9 Pine Rd, Apt 2' });
      const code = dispatch.replyCode;
      await waitForPage(stack, alice.phone, code);
      await waitForPage(stack, bob.phone, code);
      await stack.phone(alice.phone).reply(`NO ${code}`);
      await waitForPage(stack, carol.phone, code); // Bob unreachable, Alice declined: tier 2 at once
      const [answer] = await stack.phone(carol.phone).reply(`YES ${code}`);
      expect(answer).toContain(callerPhone);
      // Two ESCALATED rows: the tier-1 follow-up step (nobody left to follow up: Alice declined,
      // Bob unreachable) and tier 2.
      const finals = await waitForCompleteAudit(
        stack,
        temporalConn.client,
        [{ callId, otherEvents: ['DECLINED', 'ESCALATED', 'ESCALATED', 'ACCEPTED'] }],
        60_000,
      );
      expect(finals.get(callId)!.assigned?.name).toBe(carol.name);
    } finally {
      stack.twilio.state.faults.clearPhone(bob.phone);
    }

    const bobRow = snapshot(stack).events.find((r) => r.fields['Call ID'] === callId && r.fields.Recipient === bob.phone && r.fields['Event Type'] === 'PAGE_SENT');
    expect(bobRow?.fields).toMatchObject({ 'Event Type': 'PAGE_SENT', 'Delivery Status': 'undelivered', 'Error Code': '30003' });
    const call = snapshot(stack).callsById.get(callId)![0]!.fields;
    expect(Object.keys(call).sort()).toEqual(
      ['Call ID', 'Caller Phone', 'Urgency', 'Summary', 'Address', 'Status', 'Assigned Technician', 'Accepted At', 'Created At', 'Workflow ID'].sort(),
    );

    // Every row this stack wrote (all the tests above), every field and select value, the schema.
    expect(specShapeProblems(stack)).toEqual([]);
    const log = stack.airtable.state.requestLog();
    expect(log.filter((r) => r.status === 422)).toEqual([]);
    expect(log.filter((r) => r.status >= 400 && r.status !== 503)).toEqual([]);
    expectNoDuplicates(stack);
  }, 120_000);
});
