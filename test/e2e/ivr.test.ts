// A caller's whole IVR conversation through signed Twilio Voice webhooks: greeting, urgency by
// digit or speech, a short description, and the dispatch it starts — once, however often Twilio retries.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatherAction, ROSTER, Stack } from '../support/stack';

const [alice, bob] = ROSTER;

describe('IVR', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ env: { DISPATCH_T1: '30s', DISPATCH_T2: '30s' } });
  });
  afterAll(async () => stack?.stop());

  const voice = (path: string, params: Record<string, string>) => stack.voice(path, params);
  const actionOf = gatherAction;

  test('a caller presses 1, describes the problem, and tier 1 is paged once even when Twilio retries the webhook', async () => {
    const call = { CallSid: `CA${randomUUID().replace(/-/g, '')}`, From: '+12125550166', To: '+15005550006' };
    const greeting = await voice('/webhooks/twilio/voice', call);
    expect(greeting).toMatch(/press 1/i);
    const urgencyUrl = actionOf(greeting)!;
    const describe = await voice(urgencyUrl, { ...call, Digits: '1' });
    // Twilio retries the same webhook: no second dispatch, no second page.
    expect(await voice(urgencyUrl, { ...call, Digits: '1' })).toBe(describe);
    const describeUrl = actionOf(describe)!;
    const confirmation = await voice(describeUrl, { ...call, SpeechResult: 'Water pouring through the ceiling at 5 Oak Lane' });
    expect(confirmation).toMatch(/technician/i);
    expect(confirmation).toMatch(/Hangup/);

    const page = await stack.phone(alice!.phone).expectSms(/EMERGENCY job/);
    await stack.phone(bob!.phone).expectSms(/EMERGENCY job/);
    const state = await stack.dispatch(call.CallSid);
    expect(state.urgency).toBe('emergency');
    expect(state.callerPhone).toBe('+12125550166');
    expect(state.summary).toMatch(/Water pouring/);
    expect(page).toContain(state.replyCode);
    const pages = stack.twilio.state.messages({ to: alice!.phone }).filter((m) => m.body.includes(state.replyCode));
    expect(pages).toHaveLength(1);
    await stack.request('POST', `/api/dispatches/${call.CallSid}/cancel`);
    await stack.phone(alice!.phone).expectSms(/cancel/i);
    await stack.phone(bob!.phone).expectSms(/cancel/i);
  });

  test('no usable answer twice: the caller is asked again once, then treated as urgent', async () => {
    const call = { CallSid: `CA${randomUUID().replace(/-/g, '')}`, From: '+12125550167', To: '+15005550006' };
    const first = actionOf(await voice('/webhooks/twilio/voice', call))!;
    const again = await voice(first, { ...call, SpeechResult: 'hmm' });
    expect(again).toMatch(/did not catch/i);
    expect((await stack.dispatch(call.CallSid).catch(() => undefined))?.status).toBeUndefined();
    await voice(actionOf(again)!, call);
    const state = await stack.waitForStatus(call.CallSid, 'PAGING');
    expect(state.urgency).toBe('urgent');
    await stack.phone(alice!.phone).expectSms(/URGENT job/);
    await stack.phone(bob!.phone).expectSms(/URGENT job/);
    await stack.request('POST', `/api/dispatches/${call.CallSid}/cancel`);
    await stack.phone(alice!.phone).expectSms(/cancel/i);
    await stack.phone(bob!.phone).expectSms(/cancel/i);
  });
});

describe('IVR during office hours', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ env: { BUSINESS_HOURS: 'Mon-Sun 00:00-23:59', BUSINESS_TIMEZONE: 'UTC', OFFICE_PHONE: '+12125550123' } });
  });
  afterAll(async () => stack?.stop());

  test('the call is forwarded to the office and starts no dispatch', async () => {
    const call = { CallSid: `CA${randomUUID().replace(/-/g, '')}`, From: '+12125550168', To: '+15005550006' };
    const twiml = await stack.voice('/webhooks/twilio/voice', call);
    expect(twiml).toMatch(/<Dial[^>]*>\+12125550123<\/Dial>/);
    expect(twiml).not.toMatch(/<Gather/);
    expect((await stack.request('GET', `/api/dispatches/${call.CallSid}`)).status).toBe(404);
  });
});
