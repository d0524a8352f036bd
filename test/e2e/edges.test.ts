// Duplicate starts, bad signatures and bad input over HTTP: what must never page twice or change
// anything at all. (Racing accepts and routine calls are the workflow's: test/workflow/.)
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { API_KEY, AUTH_TOKEN, ROSTER, Stack } from '../support/stack';

const [alice, bob] = ROSTER;
const callerPhone = '+12125550177';
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;

describe('edges of a dispatch', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ env: { DISPATCH_T1: '20s', DISPATCH_T2: '20s' } });
  });
  afterAll(async () => stack?.stop());
  afterEach(() => {
    for (const t of [...ROSTER, { phone: callerPhone }]) stack.phone(t.phone).expectNothingNew();
  });

  test('the same callId started 8 times at once makes one dispatch and one page per technician', async () => {
    const callId = newCallId();
    const body = { callId, callerPhone, urgency: 'emergency', summary: 'Pipe burst under sink' };
    const results = await Promise.all(Array.from({ length: 8 }, () => stack.request('POST', '/api/dispatches', body)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const codes = new Set(results.map((r) => r.body.dispatch.replyCode));
    expect(codes.size).toBe(1);
    const [code] = [...codes];
    await stack.phone(alice!.phone).expectSms(/Pipe burst/);
    await stack.phone(bob!.phone).expectSms(/Pipe burst/);
    expect(stack.twilio.state.messages({ to: alice!.phone }).filter((m) => m.body.includes(code!))).toHaveLength(1);

    // A late duplicate after the dispatch finished gets the finished dispatch back and pages nobody.
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack.phone(alice!.phone).expectSms(/cancel/i);
    await stack.phone(bob!.phone).expectSms(/cancel/i);
    await stack.waitForStatus(callId, 'CANCELLED');
    const late = await stack.request('POST', '/api/dispatches', body);
    expect(late.status).toBe(200);
    expect(late.body.dispatch.status).toBe('CANCELLED');
  });

  test('webhooks without a valid Twilio signature get 403 and change nothing', async () => {
    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Flooded basement' });
    await stack.phone(alice!.phone).expectSms(/Flooded/);
    await stack.phone(bob!.phone).expectSms(/Flooded/);
    const sentBefore = stack.twilio.state.outboundCount();
    const post = (path: string, params: Record<string, string>, signature: string) =>
      fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params),
      });
    const reply = { From: alice!.phone, To: '+15005550006', Body: `YES ${dispatch.replyCode}`, MessageSid: 'SM' + '1'.repeat(32) };
    const wrongToken = twilio.getExpectedTwilioSignature('not-the-token', `${stack.apiUrl}/webhooks/twilio/sms`, reply);
    expect((await post('/webhooks/twilio/sms', reply, wrongToken)).status).toBe(403);
    expect((await post('/webhooks/twilio/sms', reply, '')).status).toBe(403);
    // Signed for other parameters: a tampered body.
    const signedOther = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${stack.apiUrl}/webhooks/twilio/sms`, { ...reply, Body: 'NO' });
    expect((await post('/webhooks/twilio/sms', reply, signedOther)).status).toBe(403);
    const status = { MessageSid: 'SM' + '2'.repeat(32), MessageStatus: 'failed', ErrorCode: '30003' };
    const statusPath = `/webhooks/twilio/sms-status?callId=${callId}&key=x`;
    expect((await post(statusPath, status, 'bogus')).status).toBe(403);
    expect((await post('/webhooks/twilio/voice', { CallSid: 'CA' + '3'.repeat(32), From: callerPhone }, 'bogus')).status).toBe(403);

    const state = await stack.dispatch(callId);
    expect(state.status).toBe('PAGING');
    expect(state.assigned).toBeUndefined();
    expect(stack.twilio.state.outboundCount()).toBe(sentBefore);
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack.phone(alice!.phone).expectSms(/cancel/i);
    await stack.phone(bob!.phone).expectSms(/cancel/i);
  });

  test('bad API input gets a clear 4xx JSON error and starts nothing', async () => {
    const callId = newCallId();
    const good = { callId, callerPhone, urgency: 'emergency', summary: 'Leak' };
    const send = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.apiUrl}/api/dispatches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
        body,
      });
    const cases: Array<[string, Response, number, RegExp]> = [
      ['malformed phone', await send(JSON.stringify({ ...good, callerPhone: '12' })), 400, /invalid/],
      ['unknown urgency', await send(JSON.stringify({ ...good, urgency: 'whenever' })), 400, /invalid/],
      ['missing summary', await send(JSON.stringify({ callId, callerPhone, urgency: 'urgent' })), 400, /invalid/],
      ['bad callId', await send(JSON.stringify({ ...good, callId: 'has spaces/and slashes' })), 400, /invalid/],
      ['malformed JSON', await send('{"callId": '), 400, /malformed JSON/],
      ['wrong content type', await send(JSON.stringify(good), { 'content-type': 'text/plain' }), 415, /application\/json/],
      // Summaries run to 5000 characters (emoji take four bytes each); a body past 64 kB is refused unread.
      ['summary too long', await send(JSON.stringify({ ...good, summary: 'x'.repeat(5_001) })), 400, /invalid/],
      ['oversized body', await send(JSON.stringify({ ...good, summary: 'x'.repeat(70_000) })), 413, /too large/],
      ['no bearer token', await send(JSON.stringify(good), { authorization: '' }), 401, /token/],
      ['wrong bearer token', await send(JSON.stringify(good), { authorization: 'Bearer nope' }), 401, /token/],
    ];
    for (const [name, res, status, error] of cases) {
      expect(res.status, name).toBe(status);
      expect(res.headers.get('content-type'), name).toMatch(/application\/json/);
      expect(((await res.json()) as { error: string }).error, name).toMatch(error);
    }
    expect((await stack.request('GET', `/api/dispatches/${callId}`)).status).toBe(404);
    expect((await stack.request('GET', '/api/dispatches/not%20an%20id')).status).toBe(404);
  });

});
