// After the accept and the caller (spec sections 11 and 12), end to end through signed Twilio
// webhooks: the technician's ETA, ARRIVED and DONE texts with and without the code, the caller's
// texts, and the IVR's after-hours fee (1, 2, and no key). One stack for all of it; the timers of
// the job (check-in, overdue alert, BUSY_FOR) are the simulated-time tests' (test/workflow/scenarios/afterAccept.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { gatherAction, ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const [alice, bob] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number]];
const callerPhone = '+12125550146';
const texter = '+12125550147';
const feeCallers = ['+12125550171', '+12125550172', '+12125550173'] as const;
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;
const CLOCK = /\d{1,2}:\d{2} [AP]M/;

// Nobody is followed up during a test (T1 60 s); the job's own timers keep their defaults (first
// check-in an hour after the accept). Office hours a minute a week, so a routine call waits for them.
const ENV = { DISPATCH_T1: '60s', DISPATCH_T2: '60s', AFTER_HOURS_FEE: '$149', BUSINESS_HOURS: 'Sun 03:00-03:01' };

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start({ env: ENV });
});
afterAll(async () => stack?.stop());
afterEach(() => {
  for (const phone of [...ROSTER.map((t) => t.phone), callerPhone, texter, ...feeCallers]) stack.phone(phone).expectNothingNew();
});

describe('after the accept', () => {
  async function page(summary: string): Promise<{ callId: string; code: string }> {
    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary });
    await stack.phone(alice.phone).expectSms(new RegExp(summary));
    await stack.phone(bob.phone).expectSms(new RegExp(summary));
    return { callId, code: dispatch.replyCode };
  }

  test('YES with an ETA, a new ETA, ARRIVED and DONE: the caller hears each ETA, the dispatch ends COMPLETED', async () => {
    const { callId, code } = await page('Boiler out');
    const [accepted] = await stack.phone(alice.phone).reply(`YES ${code} 40`);
    expect(accepted).toContain(callerPhone);
    expect(accepted).toMatch(/ETA \d{1,2}:\d{2} [AP]M \(40 min\) sent to the customer/);
    const toCaller = await stack.phone(callerPhone).expectSms(/Alice/);
    expect(toCaller).toMatch(CLOCK);
    expect(toCaller).toMatch(/about 40 min/);
    await stack.phone(bob.phone).expectSms(/taken by Alice/);
    let state = await stack.waitForStatus(callId, 'ACCEPTED');
    expect(state.eta).toMatchObject({ minutes: 40, revision: 1 });

    // A changed ETA without the code: Alice has exactly one job in progress.
    const [etaAnswer] = await stack.phone(alice.phone).reply('eta 1h30');
    expect(etaAnswer).toMatch(/ETA for job .*\(90 min\)/);
    const update = await stack.phone(callerPhone).expectSms(/Alice Tier1 expects to arrive/);
    expect(update).toMatch(/about 90 min/);
    expect(update).toMatch(/update 2/);
    state = await stack.dispatch(callId);
    expect(state.eta).toMatchObject({ minutes: 90, revision: 2 });

    // Bob was paged for the job but it is Alice's.
    const [notBobs] = await stack.phone(bob.phone).reply(`ARRIVED ${code}`);
    expect(notBobs).toMatch(/assigned to Alice/);

    const [arrived] = await stack.phone(alice.phone).reply('onsite');
    expect(arrived).toMatch(/Arrival at job .* recorded/);
    state = await stack.waitForStatus(callId, 'ON_SITE');
    expect(state.arrivedAt).toBeDefined();

    const [done] = await stack.phone(alice.phone).reply(`done ${code.toLowerCase()} all good`);
    expect(done).toMatch(/marked complete/);
    state = await stack.waitForStatus(callId, 'COMPLETED');
    expect(Date.parse(state.completedAt!)).toBeGreaterThanOrEqual(Date.parse(state.arrivedAt!));

    const [again] = await stack.phone(alice.phone).reply(`DONE ${code}`);
    expect(again).toMatch(/completed|not recorded/i);
  });

  test('an accept without ETA asks for one; a later ETA reply tells the caller once', async () => {
    const { callId, code } = await page('No heat');
    const [accepted] = await stack.phone(alice.phone).reply('yes');
    expect(accepted).toMatch(new RegExp(`Reply ETA ${code} <minutes>`));
    const first = await stack.phone(callerPhone).expectSms(/Alice/);
    expect(first).not.toMatch(/arriv/i);
    await stack.phone(bob.phone).expectSms(/taken by Alice/);
    await stack.waitForStatus(callId, 'ACCEPTED');
    const [etaAnswer] = await stack.phone(alice.phone).reply(`ETA ${code} 25`);
    expect(etaAnswer).toMatch(/25 min/);
    await stack.phone(callerPhone).expectSms(/about 25 min/);
    // ETA counts from the reply: the check-in is due at the ETA plus ARRIVAL_GRACE (15 min).
    const state = await stack.dispatch(callId);
    expect(Date.parse(state.nextArrivalCheckAt!) - Date.parse(state.eta!.setAt)).toBe(25 * 60_000 + 15 * 60_000);
    const [done] = await stack.phone(alice.phone).reply('FIXED');
    expect(done).toMatch(/marked complete/);
    await stack.waitForStatus(callId, 'COMPLETED');
  });

  test("the caller's texts: answered with where things stand, never a technician's reply, passed on with the accept and after it", async () => {
    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone: texter, urgency: 'emergency', summary: 'Ceiling leak' });
    const code = dispatch.replyCode;
    await stack.phone(alice.phone).expectSms(/Ceiling leak/);
    await stack.phone(bob.phone).expectSms(/Ceiling leak/);

    const [first] = await waitFor('the dispatch to know its caller', async () => {
      const answer = await stack.phone(texter).reply('Water is now coming through the light fitting');
      return /reaching an on-call technician/.test(answer[0] ?? '') ? answer : undefined;
    }, 10_000, 300);
    expect(first).toMatch(/pass your message on/);
    // A YES from the caller's number is the caller's text, not an accept.
    const [yes] = await stack.phone(texter).reply(`YES ${code}`);
    expect(yes).toMatch(/reaching an on-call technician/);
    expect((await stack.dispatch(callId)).status).toBe('PAGING');

    await stack.phone(alice.phone).reply(`YES ${code} 30`);
    await stack.phone(texter).expectSms(/Alice/);
    await stack.phone(bob.phone).expectSms(/taken by Alice/);
    const forwarded = [await stack.phone(alice.phone).expectSms(/^Caller/), await stack.phone(alice.phone).expectSms(/^Caller/)];
    expect(forwarded.join('\n')).toContain('light fitting');
    expect(forwarded.join('\n')).toContain(`YES ${code}`);

    const [later] = await stack.phone(texter).reply('Gate code is 1234 😀');
    expect(later).toMatch(/Alice Tier1 has your call and expects to arrive at \d{1,2}:\d{2} [AP]M/);
    expect(later).toMatch(/passed your message on to Alice/);
    expect(await stack.phone(alice.phone).expectSms(/Gate code is 1234/)).toContain(texter);
    const state = await stack.dispatch(callId);
    expect(state.callerMessages?.map((m) => [m.text, m.forwardedTo])).toEqual([
      ['Water is now coming through the light fitting', 'Alice Tier1'],
      [`YES ${code}`, 'Alice Tier1'],
      ['Gate code is 1234 😀', 'Alice Tier1'],
    ]);

    await stack.phone(alice.phone).reply('DONE');
    await stack.waitForStatus(callId, 'COMPLETED');
    // Once the dispatch has closed, the number is an unknown sender again.
    await waitFor('the dispatch to close', async () => {
      const [answer] = await stack.phone(texter).reply('thanks!');
      return /not on the on-call roster|not understood/.test(answer ?? '') ? answer : undefined;
    }, 15_000, 500);
  });
});

describe('IVR with an after-hours fee', () => {
  const voice = (path: string, params: Record<string, string>) => stack.voice(path, params);
  const actionOf = gatherAction;
  const newCall = (from: string) => ({ CallSid: `CA${randomUUID().replace(/-/g, '')}`, From: from, To: '+15005550006' });

  /** Greeting, then the urgency digit: the fee prompt's TwiML. */
  async function toFeePrompt(call: Record<string, string>, digit: string): Promise<string> {
    const greeting = await voice('/webhooks/twilio/voice', call);
    const feePrompt = await voice(actionOf(greeting)!, { ...call, Digits: digit });
    expect(feePrompt).toMatch(/after-hours fee of \$149/);
    expect(feePrompt).toMatch(/press 1/);
    expect(await stack.request('GET', `/api/dispatches/${call.CallSid}`)).toMatchObject({ status: 404 });
    return feePrompt;
  }

  async function cancel(callId: string, phones: string[]): Promise<void> {
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack.waitForStatus(callId, 'CANCELLED');
    for (const phone of phones) await stack.phone(phone).expectSms(/cancel/i);
  }

  test('1 agrees: dispatched as chosen, Fee Accepted, pages say the fee was agreed', async () => {
    const call = newCall(feeCallers[0]);
    const feePrompt = await toFeePrompt(call, '1');
    const describe = await voice(actionOf(feePrompt)!, { ...call, Digits: '1' });
    expect(describe).toMatch(/tell us what is wrong/);
    const page = await stack.phone(alice.phone).expectSms(/EMERGENCY job/);
    expect(page).toMatch(/Fee agreed\./);
    await stack.phone(bob.phone).expectSms(/Fee agreed\./);
    const rows = (table: string) => stack.airtable.state.records(table).filter((r) => r.fields['Call ID'] === call.CallSid);
    await expect.poll(() => rows('Dispatch Events').some((r) => r.fields['Event Type'] === 'FEE_ACCEPTED'), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => rows('Calls')[0]?.fields['Fee Accepted'], { timeout: 15_000 }).toBe(true);
    await cancel(call.CallSid, [alice.phone, bob.phone]);
  });

  test('2 turns the call routine: the caller is told the office will call back, nobody is paged', async () => {
    const call = newCall(feeCallers[1]);
    const feePrompt = await toFeePrompt(call, '2');
    const describe = await voice(actionOf(feePrompt)!, { ...call, Digits: '2' });
    expect(describe).toMatch(/tell us what is wrong/);
    const state = await stack.waitForStatus(call.CallSid, 'SCHEDULED');
    expect(state.urgency).toBe('routine');
    await stack.phone(call.From).expectSms(/call you back/);
    await stack.request('POST', `/api/dispatches/${call.CallSid}/cancel`);
    await stack.waitForStatus(call.CallSid, 'CANCELLED');
    stack.phone(alice.phone).expectNothingNew();
  });

  test('no key after two prompts: dispatched as chosen, pages say the fee was not agreed', async () => {
    const call = newCall(feeCallers[2]);
    const feePrompt = await toFeePrompt(call, '2'); // urgent
    // Twilio follows the Redirect when the caller presses nothing.
    const again = await voice(actionOf(feePrompt)!, call);
    expect(again).toMatch(/did not catch that.*after-hours fee/s);
    expect(await stack.request('GET', `/api/dispatches/${call.CallSid}`)).toMatchObject({ status: 404 });
    const describe = await voice(actionOf(again)!, call);
    expect(describe).toMatch(/tell us what is wrong/);
    const page = await stack.phone(alice.phone).expectSms(/URGENT job/);
    expect(page).toMatch(/Fee NOT agreed\./);
    await stack.phone(bob.phone).expectSms(/Fee NOT agreed\./);
    expect((await stack.dispatch(call.CallSid)).urgency).toBe('urgent');
    await cancel(call.CallSid, [alice.phone, bob.phone]);
  });
});
