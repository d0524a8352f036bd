// The after-hours fee (spec section 12) in the IVR, through signed Twilio Voice webhooks: after
// emergency or urgent the caller hears the fee; 1 agrees, 2 asks for a call back (routine), and
// no key after two prompts goes ahead as chosen without the fee agreed. Pages say which.
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AUTH_TOKEN, ROSTER, Stack } from '../support/stack';

const [alice, bob] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number]];

describe('IVR with an after-hours fee', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Office hours a minute a week, so a routine call waits for them.
    stack = await Stack.start({ env: { DISPATCH_T1: '60s', DISPATCH_T2: '60s', AFTER_HOURS_FEE: '$149', BUSINESS_HOURS: 'Sun 03:00-03:01' } });
  });
  afterAll(async () => stack?.stop());

  async function voice(path: string, params: Record<string, string>): Promise<string> {
    const url = `${stack.apiUrl}${path}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
      },
      body: new URLSearchParams(params),
    });
    expect(res.status, path).toBe(200);
    return res.text();
  }
  const actionOf = (twiml: string) => /<Gather[^>]*action="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');
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
    const call = newCall('+12125550171');
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
    const call = newCall('+12125550172');
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
    const call = newCall('+12125550173');
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
