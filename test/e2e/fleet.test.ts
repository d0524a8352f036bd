// Several API and worker processes against one Temporal server: every dispatch ends right, no
// message goes out twice and no audit row is written twice — also across a rolling restart.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const [alice, bob, carol] = ROSTER;
const tier1 = [alice!, bob!];

/** Deterministic choices, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

function expectEverySmsOnce(stack: Stack): void {
  const seen = new Map<string, number>();
  for (const m of stack.twilio.state.messages()) {
    if (m.direction !== 'outbound-api') continue;
    const key = `${m.to}|${m.body}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, n]) => n > 1);
  expect(twice).toEqual([]);
}

async function expectAuditComplete(stack: Stack, callIds: string[]): Promise<void> {
  await waitFor('audit rows for every dispatch', () => {
    const calls = stack.airtable.state.records('Calls').map((r) => r.fields['Call ID']);
    return callIds.every((id) => calls.includes(id));
  }, 120_000, 500);
  const eventKeys = stack.airtable.state.records('Dispatch Events').map((r) => String(r.fields['Event Key']));
  expect(eventKeys.length).toBe(new Set(eventKeys).size);
  const callRows = stack.airtable.state.records('Calls').map((r) => String(r.fields['Call ID']));
  expect(callRows.length).toBe(new Set(callRows).size);
}

describe('a fleet of two APIs and two workers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      apis: 2,
      workers: 2,
      // BUSY_FOR 1 ms: an accepted job closes at once, so nobody is ever busy (spec section 10) and
      // every dispatch pages tier 1 and tier 2 as the plans expect; the storm test covers busy.
      env: { DISPATCH_T1: '4s', DISPATCH_T2: '3s', DISPATCH_MAX_ROUNDS: '1', DISPATCH_GRACE: '2s', BUSY_FOR: '1ms' },
    });
  });
  afterAll(async () => stack?.stop());

  test('50 dispatches with accepts, declines and silences, webhooks to either API: each ends in the right state', async () => {
    const random = seeded(42);
    const plans = Array.from({ length: 50 }, (_, i) => {
      const r = random();
      const plan = r < 0.5 ? 'accept' : r < 0.75 ? 'decline-then-tier2-accepts' : 'silence';
      return { callId: `CAfleet${i}x${randomUUID().slice(0, 8)}`, plan, tech: tier1[Math.floor(random() * 2)]!, api: stack.apiUrls[Math.floor(random() * 2)]! };
    });
    await Promise.all(
      plans.map(async ({ callId, plan, tech, api }) => {
        const started = await stack.request('POST', '/api/dispatches', { callId, callerPhone: '+12125550140', urgency: 'emergency', summary: `Fleet ${callId}` }, api);
        expect(started.status).toBe(201);
        const code: string = started.body.dispatch.replyCode;
        // 50 at once on two shared cores can hold a page up for seconds (the page latency is the
        // bench's to measure); since the step's clock starts when its page is out, the plan holds.
        await waitFor(`${callId} paged`, () => stack.twilio.state.messages({ to: tech.phone }).some((m) => m.body.includes(code)), 60_000);
        if (plan === 'accept') {
          expect(await stack.replyVia(api, tech.phone, `YES ${code}`)).toContain('+12125550140');
        } else if (plan === 'decline-then-tier2-accepts') {
          // Each declines once paged: a phone knows a job from its page on.
          for (const t of tier1) {
            await waitFor(`${callId} paged ${t.name}`, () => stack.twilio.state.messages({ to: t.phone }).some((m) => m.body.includes(code)), 60_000);
            expect(await stack.replyVia(api, t.phone, `NO ${code}`)).toMatch(/declin/i);
          }
          await waitFor(`${callId} tier 2`, () => stack.twilio.state.messages({ to: carol!.phone }).some((m) => m.body.includes(code)), 60_000);
          expect(await stack.replyVia(stack.apiUrls[1]!, carol!.phone, `YES ${code}`)).toContain('+12125550140');
        }
      }),
    );
    for (const { callId, plan, tech } of plans) {
      const final = await stack.waitForStatus(callId, plan === 'silence' ? 'UNANSWERED' : 'ACCEPTED', 60_000);
      if (plan === 'accept') expect(final.assigned?.phone).toBe(tech.phone);
      if (plan === 'decline-then-tier2-accepts') expect(final.assigned?.phone).toBe(carol!.phone);
    }
    expectEverySmsOnce(stack);
    await expectAuditComplete(stack, plans.map((p) => p.callId));
  });

  test('a rolling restart of both roles (SIGTERM, one at a time) loses and duplicates no page', async () => {
    const callIds = Array.from({ length: 8 }, (_, i) => `CAroll${i}x${randomUUID().slice(0, 8)}`);
    const codes = await Promise.all(
      callIds.map(async (callId) => (await stack.startDispatch({ callId, callerPhone: '+12125550141', urgency: 'emergency', summary: `Rolling ${callId}` })).dispatch.replyCode),
    );
    for (const old of [...stack.workers]) {
      await old.stop('SIGTERM');
      expect(await old.exited).toBe(0);
      await stack.startWorker();
    }
    for (const [i, old] of [...stack.apis].entries()) {
      await old.stop('SIGTERM');
      expect(await old.exited).toBe(0);
      await stack.startApi(Number(new URL(stack.apiUrls[i]!).port));
    }
    // Every dispatch pages tier 1, follows up, then tier 2 and tier 3, exactly once each.
    for (const code of codes) {
      for (const t of [alice!, bob!]) {
        await waitFor(`follow-up ${code} to ${t.name}`, () => stack.twilio.state.messages({ to: t.phone }).filter((m) => m.body.includes(code)).length >= 2, 60_000);
      }
      await waitFor(`tier 2 page ${code}`, () => stack.twilio.state.messages({ to: carol!.phone }).some((m) => m.body.includes(code)), 60_000);
    }
    await Promise.all(callIds.map((callId) => stack.waitForStatus(callId, 'UNANSWERED', 60_000)));
    expectEverySmsOnce(stack);
    for (const code of codes) {
      expect(stack.twilio.state.messages({ to: alice!.phone }).filter((m) => m.body.includes(code) && /job/.test(m.body))).toHaveLength(2);
    }
    await expectAuditComplete(stack, callIds);
  });
});
