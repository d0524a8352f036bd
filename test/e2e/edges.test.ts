// Duplicate starts, bad signatures, status callbacks that change nothing and bad input over HTTP:
// what must never page twice or change anything at all. (Racing accepts and routine calls are the
// workflow's: test/workflow/.)
import { Client, Connection, defaultPayloadConverter } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DeliveryReport } from '../../src/contract/dispatch';
import { ACCOUNT_SID, API_KEY, AUTH_TOKEN, FROM_NUMBER, ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';

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

  test('status callbacks that change nothing cost the dispatch nothing: queued, sent, delivered, delivered again, a late sent make one signal', async () => {
    const callId = newCallId();
    // The test posts the page's callbacks itself: the stand-in sends none for these pages.
    stack.twilio.state.noCallbacks(true);
    try {
      await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Water under the stairs' });
      await stack.phone(alice!.phone).expectSms(/Water under/);
      await stack.phone(bob!.phone).expectSms(/Water under/);
    } finally {
      stack.twilio.state.noCallbacks(false);
    }
    const page = stack.twilio.state.messages({ to: alice!.phone }).find((m) => m.body.includes('Water under'))!;
    const before = await statusCallbackCounts(stack);
    for (const status of ['queued', 'sent', 'delivered', 'delivered', 'sent']) {
      const params = { AccountSid: ACCOUNT_SID, From: FROM_NUMBER, To: alice!.phone, MessageSid: page.sid, MessageStatus: status };
      expect(await stack.statusCallback(page.statusCallback!, params), status).toBe(204);
    }
    await waitFor('the page to be delivered', async () => {
      const { messages } = await stack.dispatch(callId);
      return messages.find((m) => m.messageSid === page.sid)?.status === 'delivered';
    });

    // One signal reached the workflow's history: the first `delivered`. The repeat had the same
    // request id and the server dropped it; the others never left the API.
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const { events } = await new Client({ connection }).workflow.getHandle(`dispatch-${callId}`).fetchHistory();
      const signals = events!.flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : []));
      const reports = signals.map((a) => ({ signal: a.signalName, ...defaultPayloadConverter.fromPayload<DeliveryReport>(a.input!.payloads![0]!) }));
      expect(reports).toEqual([expect.objectContaining({ signal: 'delivery', messageSid: page.sid, status: 'delivered' })]);
    } finally {
      await connection.close();
    }
    const after = await statusCallbackCounts(stack);
    const counted = (status: string, forwarded: boolean) => (after.get(`${status}/${forwarded}`) ?? 0) - (before.get(`${status}/${forwarded}`) ?? 0);
    expect([counted('queued', false), counted('sent', false), counted('delivered', true)]).toEqual([1, 2, 2]);

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

  // Last: it stops the worker.
  test('a finished dispatch reads back whole with no worker running: the server holds its final state', async () => {
    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Sump pump failed' });
    await stack.phone(alice!.phone).expectSms(/Sump pump/);
    await stack.phone(bob!.phone).expectSms(/Sump pump/);
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack.phone(alice!.phone).expectSms(/cancel/i);
    await stack.phone(bob!.phone).expectSms(/cancel/i);
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const handle = new Client({ connection }).workflow.getHandle(`dispatch-${callId}`);
      await waitFor(`${callId} to close`, async () => (await handle.describe()).status.name === 'COMPLETED', 30_000, 200);
    } finally {
      await connection.close();
    }
    for (const worker of stack.workers) await worker.stop('SIGKILL');

    const res = await stack.request('GET', `/api/dispatches/${callId}`);
    expect(res.status).toBe(200);
    const final = res.body.dispatch as typeof dispatch;
    expect(final.status).toBe('CANCELLED');
    expect(final.messages.map((m) => `${m.kind} ${m.to}`).sort()).toEqual(
      [`PAGE ${alice!.phone}`, `PAGE ${bob!.phone}`, `STAND_DOWN ${alice!.phone}`, `STAND_DOWN ${bob!.phone}`].sort(),
    );
  });

});

/** The API's twilio_status_callbacks_total by `status/forwarded`. */
async function statusCallbackCounts(stack: Stack): Promise<Map<string, number>> {
  const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const [, status, forwarded, value] of text.matchAll(/^twilio_status_callbacks_total\{status="(\w+)",forwarded="(\w+)"\} (\d+)$/gm)) {
    counts.set(`${status}/${forwarded}`, Number(value));
  }
  return counts;
}
