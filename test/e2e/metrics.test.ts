// The escalation ladder end to end, as the phones see it: real Temporal dev server, the API and
// the worker as their own processes, Twilio and Airtable stand-ins. Timers are seconds, not minutes.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ROSTER, Stack } from '../support/stack';
import { freePort } from '../support/wait';

const [alice, bob, carol, dave] = ROSTER;
const callerPhone = '+12125550199';
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;

describe('escalation ladder', () => {
  let stack: Stack;
  let workerMetrics = '';
  beforeAll(async () => {
    const metricsPort = await freePort();
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    stack = await Stack.start({
      env: { DISPATCH_T1: '3s', DISPATCH_T2: '2s', DISPATCH_MAX_ROUNDS: '1', DISPATCH_GRACE: '4s', WORKER_METRICS_PORT: String(metricsPort) },
    });
  });
  afterAll(async () => stack?.stop());
  // Like a real phone: any text a test did not expect fails it.
  afterEach(() => {
    for (const t of [...ROSTER, { phone: callerPhone }]) stack.phone(t.phone).expectNothingNew();
  });

  test('tier 1 is paged, the first accept wins, the caller is told and the others stand down', async () => {
    const callId = newCallId();
    const { status, dispatch } = await stack.startDispatch({
      callId,
      callerPhone: '(212) 555-0199',
      urgency: 'emergency',
      summary: 'Burst pipe in the basement',
      address: '12 Elm St',
    });
    expect(status).toBe(201);
    expect(dispatch.callerPhone).toBe(callerPhone);
    const code = dispatch.replyCode;
    const [a, b, c, caller] = [stack.phone(alice!.phone), stack.phone(bob!.phone), stack.phone(carol!.phone), stack.phone(callerPhone)];

    await a.expectSms(new RegExp(`Burst pipe[\\s\\S]*Reply YES ${code} to accept, NO ${code} to decline$`));
    await b.expectSms(new RegExp(`Reply YES ${code} to accept`));
    const [answer] = await a.reply(`yes ${code}`);
    expect(answer).toContain(callerPhone);
    expect(answer).toMatch(/Burst pipe/);

    await caller.expectSms(/Alice/);
    await b.expectSms(/Alice/); // stand-down names who took it
    const [late] = await b.reply(`YES ${code}`);
    expect(late).toMatch(/already taken by Alice/i);

    const final = await stack.waitForStatus(callId, 'ACCEPTED');
    expect(final.assigned?.name).toBe(alice!.name);
    expect(final.nextEscalationAt).toBeUndefined();
    c.expectNothingNew();
    a.expectNothingNew();
  });

  test('nobody answers: follow-up after T1, tier 2 and tier 3 after T2, then UNANSWERED with the caller and managers told', async () => {
    const callId = newCallId();
    const started = Date.now();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'No heat, infant at home' });
    const code = dispatch.replyCode;
    const [a, b, c, d, caller] = [alice, bob, carol, dave].map((t) => stack.phone(t!.phone)).concat(stack.phone(callerPhone));

    await a!.expectSms(/No heat/);
    await b!.expectSms(/No heat/);
    const firstPage = Date.now();
    await a!.expectSms(/FOLLOW-UP/i, 10_000);
    const followUp = Date.now();
    await b!.expectSms(/FOLLOW-UP/i);
    await c!.expectSms(/No heat/, 10_000);
    const tier2 = Date.now();
    await d!.expectSms(/No heat/, 10_000);
    const tier3 = Date.now();
    // T1 = 3 s before the follow-up, T2 = 2 s before each later step (with scheduling slack).
    expect(followUp - firstPage).toBeGreaterThanOrEqual(2_500);
    expect(followUp - firstPage).toBeLessThan(6_000);
    expect(tier2 - followUp).toBeGreaterThanOrEqual(1_500);
    expect(tier3 - tier2).toBeGreaterThanOrEqual(1_500);

    await caller!.expectSms(/no technician|could not reach|911|emergency services/i, 10_000);
    await d!.expectSms(/no one|nobody|unanswered|no technician/i);
    const state = await stack.waitForStatus(callId, 'UNANSWERED');
    expect(state.messages.filter((m) => m.to === alice!.phone).map((m) => m.kind)).toEqual(['PAGE', 'FOLLOW_UP']);

    // An accept inside the grace period still counts.
    const [answer] = await c!.reply(`YES ${code}`);
    expect(answer).toContain(callerPhone);
    await stack.waitForStatus(callId, 'ACCEPTED');
    await caller!.expectSms(/Carol/);
    for (const other of [a, b, d]) await other!.expectSms(/taken by Carol/);
    expect(Date.now() - started).toBeLessThan(40_000);
  });

  test('declines from everyone on a step escalate at once, without waiting for the timer', async () => {
    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'urgent', summary: 'Water heater leaking' });
    const code = dispatch.replyCode;
    const [a, b, c] = [alice, bob, carol].map((t) => stack.phone(t!.phone));
    await a!.expectSms(/Water heater/);
    await b!.expectSms(/Water heater/);
    // urgent T1 = 2.5 × 3 s: a follow-up would take 7.5 s; both decline and tier 2 is paged at once.
    expect(await a!.reply(`NO ${code}`)).toEqual([expect.stringMatching(/declin/i)]);
    const declinedAt = Date.now();
    await b!.reply(`n ${code}`);
    await c!.expectSms(/Water heater/, 5_000);
    expect(Date.now() - declinedAt).toBeLessThan(4_000);
    const state = await stack.dispatch(callId);
    expect(state.declined.sort()).toEqual([alice!.phone, bob!.phone].sort());
    // Decliners are out of this dispatch: no follow-up for them.
    await c!.reply(`YES ${code}`);
    await stack.waitForStatus(callId, 'ACCEPTED');
    // Everyone else paged is stood down, decliners included, so nobody wonders whether it is covered.
    await a!.expectSms(/taken by Carol/);
    await b!.expectSms(/taken by Carol/);
    await stack.phone(callerPhone).expectSms(/Carol/);
  });

  test('a cancelled dispatch stands down everyone paged and fires nothing more', async () => {
    const callId = newCallId();
    await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Gas smell in kitchen' });
    const [a, b] = [alice, bob].map((t) => stack.phone(t!.phone));
    await a!.expectSms(/Gas smell/);
    await b!.expectSms(/Gas smell/);
    const res = await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    expect(res.status).toBe(202);
    await a!.expectSms(/cancel/i);
    await b!.expectSms(/cancel/i);
    const state = await stack.waitForStatus(callId, 'CANCELLED');
    expect(state.assigned).toBeUndefined();
    // Past T1 nothing else arrives.
    await new Promise((r) => setTimeout(r, 4_000));
    a!.expectNothingNew();
  });

  test('ops see it in the metrics: starts on the API, sends and outcomes on the worker', async () => {
    const api = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(api).toMatch(/^dispatch_started_total\{urgency="emergency"\} 3$/m);
    expect(api).toMatch(/^dispatch_started_total\{urgency="urgent"\} 1$/m);
    expect(api).toMatch(/^webhook_duration_seconds_count\{route="sms",status="200"\} \d+$/m);
    expect(api).toMatch(/^airtable_audit_backlog \d+$/m);
    const worker = await (await fetch(workerMetrics)).text();
    expect(worker).toMatch(/^dispatch_accepted_total\{urgency="emergency"\} 2$/m);
    expect(worker).toMatch(/^dispatch_accepted_total\{urgency="urgent"\} 1$/m);
    expect(worker).toMatch(/^dispatch_unanswered_total\{urgency="emergency"\} 1$/m);
    expect(worker).toMatch(/^dispatch_cancelled_total\{urgency="emergency"\} 1$/m);
    expect(worker).toMatch(/^sms_sent_total\{kind="PAGE"\} \d+$/m);
    expect(worker).toMatch(/^api_to_first_page_seconds_count 4$/m);
    expect(worker).toMatch(/^dispatch_time_to_accept_seconds_count\{urgency="emergency"\} 2$/m);
  });
});
