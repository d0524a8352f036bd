// The emulator's own contract: Twilio's REST shapes, list filters, inbound SMS, and the HTTP control API.
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTwilioClient, type TwilioClient } from '../../../activities/twilio/client';
import { startTwilioEmulator, twilioEmulatorControl, type TwilioEmulator, type TwilioEmulatorControl } from '../../../emulators/twilio';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, PUBLIC_BASE_URL, startWebhookReceiver, uniquePhone, waitFor, type WebhookReceiver } from './helpers';

let emulator: TwilioEmulator;
let receiver: WebhookReceiver;
let client: TwilioClient;
let control: TwilioEmulatorControl;

const BASIC = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');

function postMessage(form: Record<string, string>, authorization = BASIC) {
  return fetch(`${emulator.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

const send = (to: string, body: string) => client.messages.create({ to, from: OUR_NUMBER, body });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startTwilioEmulator({ port: 0, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackDelayMs: 5 });
  client = createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url });
  control = twilioEmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator?.close();
  await receiver?.close();
});

beforeEach(async () => {
  await control.reset();
  receiver.clear();
  emulator.setAppBaseUrl(receiver.url, PUBLIC_BASE_URL);
});

describe('REST API', () => {
  it('answers a create with a Twilio message resource', async () => {
    const to = uniquePhone();
    const response = await postMessage({ To: to, From: OUR_NUMBER, Body: 'hello' });
    expect(response.status).toBe(201);
    const json = (await response.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      account_sid: ACCOUNT_SID,
      to,
      from: OUR_NUMBER,
      body: 'hello',
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      date_sent: null,
      api_version: '2010-04-01',
    });
    expect(json.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(json.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${String(json.sid)}.json`);
    expect(json.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it.each([
    ['wrong token', 'Basic ' + Buffer.from(`${ACCOUNT_SID}:nope`).toString('base64')],
    ['no credentials', ''],
  ])('rejects %s with 401 and code 20003', async (_name, authorization) => {
    const response = await postMessage({ To: uniquePhone(), From: OUR_NUMBER, Body: 'x' }, authorization);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    expect(emulator.state.outboundCount()).toBe(0);
  });

  it.each([
    ['missing To', { From: OUR_NUMBER, Body: 'x' }, 21604],
    ['invalid To', { To: '555-1234', From: OUR_NUMBER, Body: 'x' }, 21211],
    ['missing From', { To: '+14155550100', Body: 'x' }, 21603],
    ['missing Body', { To: '+14155550100', From: OUR_NUMBER }, 21602],
    ['body too long', { To: '+14155550100', From: OUR_NUMBER, Body: 'x'.repeat(1601) }, 21617],
    ['ValidityPeriod out of range', { To: '+14155550100', From: OUR_NUMBER, Body: 'x', ValidityPeriod: '36001' }, 21624],
    ['bad StatusCallback', { To: '+14155550100', From: OUR_NUMBER, Body: 'x', StatusCallback: 'not a url' }, 21609],
  ])('rejects %s with 400 and Twilio code', async (_name, form: Record<string, string>, code) => {
    const response = await postMessage(form);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
    expect(emulator.state.outboundCount()).toBe(0);
  });

  it('fetches a message as its status moves to delivered', async () => {
    const created = await send(uniquePhone(), 'track me');
    const fetched = await waitFor('delivered', async () => {
      const m = await client.messages(created.sid).fetch();
      return m.status === 'delivered' && m;
    });
    expect(fetched.dateSent).toBeInstanceOf(Date);
    expect(fetched.dateSent!.getTime()).toBeGreaterThanOrEqual(created.dateCreated.getTime() - 1000);
  });

  it('lists by To and From, newest first, across pages', async () => {
    const to = uniquePhone();
    for (const n of [1, 2, 3]) await send(to, `to-phone ${n}`);
    await send(uniquePhone(), 'someone else');
    await client.messages.create({ to, from: '+15005550001', body: 'other sender' });

    const page = await client.messages.page({ to, from: OUR_NUMBER, pageSize: 2 });
    expect(page.instances.map((m) => m.body)).toEqual(['to-phone 3', 'to-phone 2']);
    expect(page.nextPageUrl).toBeDefined();
    const next = await page.nextPage();
    expect(next?.instances.map((m) => m.body)).toEqual(['to-phone 1']);
    expect(next?.nextPageUrl).toBeUndefined();

    const all = await client.messages.list({ to, from: OUR_NUMBER, pageSize: 2 });
    expect(all.map((m) => m.body)).toEqual(['to-phone 3', 'to-phone 2', 'to-phone 1']);
  });

  it('filters by DateSent before and after', async () => {
    const to = uniquePhone();
    emulator.state.noCallbacks(true);
    const created = await send(to, 'dated');
    const now = Date.now();
    const sentAfter = () => client.messages.list({ to, dateSentAfter: new Date(now - 60_000) });

    expect(await client.messages.list({ to, dateSentBefore: new Date(now - 60_000) })).toEqual([]);
    await waitFor('date_sent set', () => emulator.state.message(created.sid)?.dateSent ?? undefined);
    expect((await sentAfter()).map((m) => m.sid)).toEqual([created.sid]);
    expect(await client.messages.list({ to, dateSentAfter: new Date(now + 60_000) })).toEqual([]);
  });
});

describe('inbound SMS', () => {
  it('posts a signed webhook and delivers the TwiML replies to the phone', async () => {
    const phone = uniquePhone();
    await send(phone, 'Emergency page. Reply YES AB12');
    receiver.smsReplyTwiml = '<?xml version="1.0"?><Response><Message>Job AB12 is yours &amp; the caller is waiting</Message></Response>';

    const result = await emulator.state.reply(phone, ' yes ab12 ');

    expect(result).toEqual({ status: 200, replies: ['Job AB12 is yours & the caller is waiting'] });
    const webhook = receiver.received.find((r) => r.path === '/webhooks/twilio/sms');
    expect(webhook?.signatureValid).toBe(true);
    expect(webhook?.params).toMatchObject({ From: phone, To: OUR_NUMBER, Body: ' yes ab12 ', AccountSid: ACCOUNT_SID, NumMedia: '0' });
    expect(webhook?.params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(emulator.state.inbox(phone).map((m) => m.body)).toEqual(['Emergency page. Reply YES AB12', 'Job AB12 is yours & the caller is waiting']);
    expect(emulator.state.copies(phone, 'Job AB12 is yours & the caller is waiting')).toBe(1);
  });

  it('answers to the number that texted the phone', async () => {
    const phone = uniquePhone();
    await client.messages.create({ to: phone, from: '+15005550009', body: 'from our second number' });
    await emulator.state.reply(phone, 'NO');
    expect(receiver.received.find((r) => r.path === '/webhooks/twilio/sms')?.params.To).toBe('+15005550009');
  });

  it('signs over the app URL when no public URL is configured', async () => {
    const bare = await startTwilioEmulator({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, appBaseUrl: receiver.url });
    try {
      await bare.state.reply(uniquePhone(), 'YES');
      const webhook = receiver.received.find((r) => r.path === '/webhooks/twilio/sms')!;
      expect(twilio.validateRequest(AUTH_TOKEN, webhook.signature, `${receiver.url}/webhooks/twilio/sms`, webhook.params)).toBe(true);
      expect(webhook.signatureValid).toBe(false); // not signed for PUBLIC_BASE_URL, which this emulator does not know
    } finally {
      await bare.close();
    }
  });
});

describe('HTTP control API', () => {
  it('arms faults, answers replies and reports state', async () => {
    const phone = uniquePhone();
    const optedOut = uniquePhone();
    const snapshot = await control.faults({ failWith: [{ phone: optedOut, code: 21610 }], failNext: { count: 1, status: 500 }, duplicateCallbacks: true });
    expect(snapshot).toMatchObject({ phones: { [optedOut]: { kind: 'reject', errorCode: 21610 } }, failNext: { remaining: 1, status: 500 }, callbacks: { duplicate: true } });

    await expect(send(phone, 'first try')).rejects.toMatchObject({ status: 500, code: 20500 });
    await expect(send(optedOut, 'page')).rejects.toMatchObject({ status: 400, code: 21610 });
    await send(phone, 'page');

    expect(await control.copies(phone, 'page')).toBe(1);
    expect(await control.copies(optedOut, 'page')).toBe(0);
    expect((await control.messages({ to: phone })).map((m) => m.body)).toEqual(['page']);

    receiver.smsReplyTwiml = '<Response><Message>Thanks</Message></Response>';
    expect(await control.reply(phone, 'YES')).toEqual({ status: 200, replies: ['Thanks'] });
    const conversation = (await control.phones()).find((p) => p.phone === phone);
    expect(conversation?.messages.map((m) => [m.direction, m.body])).toEqual([
      ['outbound-api', 'page'],
      ['inbound', 'YES'],
      ['outbound-reply', 'Thanks'],
    ]);

    await control.reset();
    expect(await control.messages()).toEqual([]);
    expect((await control.faults({})).phones).toEqual({});
  });

  it('rejects malformed control requests with 400', async () => {
    await expect(control.faults({ failNext: { count: -1 } })).rejects.toThrow(/400/);
    await expect(control.reply('12345', 'YES')).rejects.toThrow(/400/);
  });

  it('answers 502 when the app cannot be reached', async () => {
    await control.setApp('http://127.0.0.1:9');
    await expect(control.reply(uniquePhone(), 'YES')).rejects.toThrow(/502/);
  });
});
