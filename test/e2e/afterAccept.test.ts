// After the accept (spec section 11), from the technician's phone and the caller's: an accept with
// an ETA, a changed ETA, ARRIVED and DONE, with and without the code; and, with timers of seconds,
// the arrival check-in, the managers' overdue alert, a new ETA resetting both, and BUSY_FOR.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';
import { temporalClient } from './airtableAudit';

const [alice, bob, , dave] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number], (typeof ROSTER)[number], (typeof ROSTER)[number]];
const callerPhone = '+12125550146';
const texter = '+12125550147';
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;
const CLOCK = /\d{1,2}:\d{2} [AP]M/;

// DEFAULT_ETA + ARRIVAL_GRACE: the check-in 10 s after an accept without ETA, the alert at 14 s.
const ENV = { DISPATCH_T1: '60s', DISPATCH_T2: '60s', DEFAULT_ETA: '6s', ARRIVAL_GRACE: '4s', BUSY_FOR: '30s' };

describe('after the accept', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ env: ENV });
  });
  afterAll(async () => stack?.stop());
  afterEach(() => {
    for (const t of [...ROSTER, { phone: callerPhone }, { phone: texter }]) stack.phone(t.phone).expectNothingNew();
  });

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
    // ETA counts from the reply: no check-in at DEFAULT_ETA + grace any more.
    const state = await stack.dispatch(callId);
    expect(Date.parse(state.nextArrivalCheckAt!) - Date.parse(state.eta!.setAt)).toBe(25 * 60_000 + 4_000);
    const [done] = await stack.phone(alice.phone).reply('FIXED');
    expect(done).toMatch(/marked complete/);
    await stack.waitForStatus(callId, 'COMPLETED');
  });

  test('no ARRIVED: one check-in to the technician, one alert to the managers, then BUSY_FOR closes the dispatch ACCEPTED', async () => {
    const { callId, code } = await page('Gas smell');
    await stack.phone(alice.phone).reply(`Y ${code}`);
    await stack.phone(callerPhone).expectSms(/Alice/);
    await stack.phone(bob.phone).expectSms(/taken by Alice/);
    const acceptedAt = Date.parse((await stack.waitForStatus(callId, 'ACCEPTED')).assigned!.acceptedAt);

    const checkIn = await stack.phone(alice.phone).expectSms(/CHECK-IN/, 20_000);
    expect(checkIn).toContain(code);
    const alert = await stack.phone(dave.phone).expectSms(/OVERDUE/, 20_000);
    expect(alert).toContain('Alice');
    expect(alert).toContain(code);
    expect(alert).toContain(callerPhone);
    expect(alert).toContain('Gas smell');
    expect(Date.now() - acceptedAt).toBeGreaterThanOrEqual(14_000);

    // BUSY_FOR after the accept: closed with its status, nothing more sent.
    const { client, close } = await temporalClient(stack);
    await waitFor('the dispatch to close', async () => {
      const { status } = await client.workflow.getHandle(`dispatch-${callId}`).describe();
      return status.name === 'RUNNING' ? undefined : status.name;
    }, 40_000, 500);
    const state = await stack.dispatch(callId);
    expect(state.status).toBe('ACCEPTED');
    expect(state.messages.filter((m) => m.kind === 'CHECK_IN')).toHaveLength(1);
    expect(state.messages.filter((m) => m.kind === 'OVERDUE_ALERT').map((m) => m.to)).toEqual([dave.phone]);
    await close();
  }, 90_000);

  test('a new ETA after the check-in resets the clock: no overdue alert for the old one', async () => {
    const { callId, code } = await page('Frozen pipe');
    await stack.phone(alice.phone).reply(`YES ${code}`);
    await stack.phone(callerPhone).expectSms(/Alice/);
    await stack.phone(bob.phone).expectSms(/taken by Alice/);
    await stack.phone(alice.phone).expectSms(/CHECK-IN/, 20_000);
    await stack.phone(alice.phone).reply('ETA 5');
    await stack.phone(callerPhone).expectSms(/about 5 min/);
    // The old alert was due 4 s after the check-in; wait past it.
    await new Promise((r) => setTimeout(r, 7_000));
    expect(stack.phone(dave.phone).texts().filter((t) => t.body.includes(code))).toEqual([]);
    const state = await stack.dispatch(callId);
    expect(state.messages.filter((m) => m.kind === 'OVERDUE_ALERT')).toEqual([]);
    expect(Date.parse(state.nextArrivalCheckAt!)).toBe(Date.parse(state.eta!.at) + 4_000);
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack.waitForStatus(callId, 'CANCELLED');
    await stack.phone(alice.phone).expectSms(/cancelled/);
  }, 60_000);

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
