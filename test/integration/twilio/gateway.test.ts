// The Twilio gateway, through the official client, against the local emulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTwilioClient } from '../../../activities/twilio/client';
import { createTwilioGateway, TwilioGatewayError, type TwilioGateway } from '../../../activities/twilio/gateway';
import type { SmsRequest } from '../../../src/domain/types';
import { startTwilioEmulator, type TwilioEmulator } from '../../../emulators/twilio';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  OUR_NUMBER,
  PUBLIC_BASE_URL,
  silentLogger,
  startWebhookReceiver,
  uniquePhone,
  waitFor,
  type WebhookReceiver,
} from './helpers';

let emulator: TwilioEmulator;
let receiver: WebhookReceiver;
let gateway: TwilioGateway;

function gatewayWith(timeoutMs: number): TwilioGateway {
  return createTwilioGateway({
    client: createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url, timeoutMs }),
    fromNumber: OUR_NUMBER,
    publicBaseUrl: PUBLIC_BASE_URL,
    logger: silentLogger,
  });
}

let keys = 0;
function page(to = uniquePhone()): SmsRequest {
  keys += 1;
  return { idempotencyKey: `call-1:page:${keys}`, callId: 'call-1', to, kind: 'PAGE', body: `Emergency page #${keys}. Reply YES AB${keys} to accept` };
}

function callbacksFor(messageSid: string) {
  return receiver.received.filter((r) => r.path === '/webhooks/twilio/sms-status' && r.params.MessageSid === messageSid);
}

function statusesOf(messageSid: string): string[] {
  return callbacksFor(messageSid).map((r) => r.params.MessageStatus ?? '');
}

async function sendOk(req: SmsRequest, attempt = 1) {
  const result = await gateway.sendSms(req, attempt);
  if (!result.ok) throw new Error(`expected the send to succeed, got ${JSON.stringify(result)}`);
  return result;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startTwilioEmulator({
    port: 0,
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    appBaseUrl: receiver.url,
    publicBaseUrl: PUBLIC_BASE_URL,
    callbackDelayMs: 10,
  });
  gateway = gatewayWith(2000);
});

afterAll(async () => {
  await emulator?.close();
  await receiver?.close();
});

beforeEach(() => {
  emulator.state.reset();
  receiver.clear();
});

describe('sendSms', () => {
  it('sends once, with a signed status callback that reaches delivered', async () => {
    const req = { ...page(), validitySeconds: 999_999 };
    const result = await sendOk(req);

    expect(result).toMatchObject({ status: 'queued', reconciled: false });
    expect(result.messageSid).toMatch(/^SM[0-9a-f]{32}$/);
    const [stored] = emulator.state.messages({ to: req.to });
    expect(stored).toMatchObject({ sid: result.messageSid, from: OUR_NUMBER, body: req.body, validityPeriod: 36_000 });
    expect(stored?.statusCallback).toBe(
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms-status?callId=call-1&key=${encodeURIComponent(req.idempotencyKey)}`,
    );

    await waitFor('delivered callback', () => statusesOf(result.messageSid).includes('delivered'));
    expect(statusesOf(result.messageSid)).toEqual(['sent', 'delivered']);
    const delivered = callbacksFor(result.messageSid)[1]!;
    expect(delivered.signatureValid).toBe(true);
    expect(delivered.query).toEqual({ callId: 'call-1', key: req.idempotencyKey });
    expect(delivered.params).toMatchObject({
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      From: OUR_NUMBER,
      To: req.to,
      SmsSid: result.messageSid,
      SmsStatus: 'delivered',
    });
    expect(delivered.params.ErrorCode).toBeUndefined();
    expect(emulator.state.copies(req.to, req.body)).toBe(1);
  });

  it('throws on 503 until Twilio recovers, then sends exactly once', async () => {
    const req = page();
    emulator.state.failNext(2, 503);

    for (const attempt of [1, 2]) {
      const err = await gateway.sendSms(req, attempt).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TwilioGatewayError);
      expect(err).toMatchObject({ errorClass: 'retry', httpStatus: 503, retryable: true });
    }
    expect(emulator.state.copies(req.to, req.body)).toBe(0);

    const result = await sendOk(req, 3);
    expect(result.reconciled).toBe(false);
    expect(emulator.state.copies(req.to, req.body)).toBe(1);
  });

  it('throws on 429 with code 20429', async () => {
    emulator.state.failNext(1, 429);
    await expect(gateway.sendSms(page(), 1)).rejects.toMatchObject({ errorClass: 'retry', httpStatus: 429, code: 20429 });
  });

  it('reconciles a message whose response was lost instead of sending it again', async () => {
    const req = page();
    emulator.state.loseResponseNext(1, 'reset');

    await expect(gateway.sendSms(req, 1)).rejects.toMatchObject({ errorClass: 'retry' });
    expect(emulator.state.copies(req.to, req.body)).toBe(1);
    const [accepted] = emulator.state.messages({ to: req.to });

    const retried = await sendOk(req, 2);
    expect(retried).toMatchObject({ messageSid: accepted!.sid, reconciled: true });
    expect(emulator.state.copies(req.to, req.body)).toBe(1);
  });

  it('reconciles a lost response even after a storm sent the phone a hundred messages since', async () => {
    const req = page();
    emulator.state.loseResponseNext(1, 'reset');
    await expect(gateway.sendSms(req, 1)).rejects.toMatchObject({ errorClass: 'retry' });
    for (let i = 0; i < 100; i++) await sendOk(page(req.to));

    const retried = await sendOk(req, 2);
    expect(retried.reconciled).toBe(true);
    expect(emulator.state.copies(req.to, req.body)).toBe(1);
  });

  it('reconciles after a response that never came (client timeout)', async () => {
    const impatient = gatewayWith(300);
    const req = page();
    emulator.state.loseResponseNext(1, 'hang');

    await expect(impatient.sendSms(req, 1)).rejects.toThrow(/timeout/i);
    const retried = await impatient.sendSms(req, 2);
    expect(retried).toMatchObject({ ok: true, reconciled: true });
    expect(emulator.state.copies(req.to, req.body)).toBe(1);
  });

  it('sends on a retry when the earlier attempt never reached Twilio', async () => {
    const req = page();
    const other = { ...page(req.to) }; // another message to the same phone must not match
    await sendOk(other);

    const result = await sendOk(req, 2);
    expect(result.reconciled).toBe(false);
    expect(emulator.state.copies(req.to, req.body)).toBe(1);
    expect(emulator.state.copies(req.to, other.body)).toBe(1);
  });

  it.each([
    [21610, 'recipient opted out (STOP)'],
    [21614, "'To' number is not a mobile number"],
  ])('returns %i as a permanent failure without sending', async (code, reason) => {
    const req = page();
    emulator.state.failWith(req.to, code);
    expect(await gateway.sendSms(req, 1)).toEqual({ ok: false, errorCode: code, reason });
    expect(emulator.state.copies(req.to, req.body)).toBe(0);
  });

  it('returns an invalid number as a permanent failure', async () => {
    const result = await gateway.sendSms(page('+1 not a number'), 1);
    expect(result).toMatchObject({ ok: false, errorCode: 21211 });
  });

  it('reports a 30034 undeliverable message by an undelivered callback with ErrorCode', async () => {
    const req = page();
    emulator.state.undeliverable(req.to, 30034);
    const result = await sendOk(req);

    await waitFor('undelivered callback', () => statusesOf(result.messageSid).includes('undelivered'));
    expect(statusesOf(result.messageSid)).toEqual(['sent', 'undelivered']);
    const undelivered = callbacksFor(result.messageSid)[1]!;
    expect(undelivered.params.ErrorCode).toBe('30034');
    expect(undelivered.signatureValid).toBe(true);
    expect(await gateway.fetchStatus(result.messageSid)).toEqual({ messageSid: result.messageSid, status: 'undelivered', errorCode: 30034 });
  });

  it('reports a 30xxx failWith as a failed callback', async () => {
    const req = page();
    emulator.state.failWith(req.to, 30006);
    const result = await sendOk(req);
    await waitFor('failed callback', () => statusesOf(result.messageSid).includes('failed'));
    expect(statusesOf(result.messageSid)).toEqual(['failed']);
    expect(callbacksFor(result.messageSid)[0]!.params.ErrorCode).toBe('30006');
  });

  it('treats bad credentials as a configuration error that is retried', async () => {
    const wrong = createTwilioGateway({
      client: createTwilioClient({ accountSid: ACCOUNT_SID, authToken: 'wrong', apiBaseUrl: emulator.url }),
      fromNumber: OUR_NUMBER,
      publicBaseUrl: PUBLIC_BASE_URL,
      logger: silentLogger,
    });
    await expect(wrong.sendSms(page(), 1)).rejects.toMatchObject({ errorClass: 'config', code: 20003, httpStatus: 401, retryable: true });
  });
});

describe('callback faults', () => {
  it('duplicate mode delivers every callback twice with the same idempotency token', async () => {
    emulator.state.duplicateCallbacks(true);
    const result = await sendOk(page());
    await waitFor('both delivered callbacks', () => statusesOf(result.messageSid).filter((s) => s === 'delivered').length === 2);
    expect(statusesOf(result.messageSid)).toEqual(['sent', 'sent', 'delivered', 'delivered']);
    const [first, second] = callbacksFor(result.messageSid);
    expect(first!.idempotencyToken).toBeTruthy();
    expect(second!.idempotencyToken).toBe(first!.idempotencyToken);
  });

  it('out-of-order mode delivers delivered before sent', async () => {
    emulator.state.outOfOrderCallbacks(true);
    const result = await sendOk(page());
    await waitFor('two callbacks', () => statusesOf(result.messageSid).length === 2);
    expect(statusesOf(result.messageSid)).toEqual(['delivered', 'sent']);
    expect(emulator.state.message(result.messageSid)?.status).toBe('delivered');
  });

  it('no-callbacks mode leaves fetchStatus as the only way to learn the outcome', async () => {
    emulator.state.noCallbacks(true);
    const silent = await sendOk(page());
    const report = await waitFor('delivered status', async () => {
      const r = await gateway.fetchStatus(silent.messageSid);
      return r.status === 'delivered' && r;
    });
    expect(report).toEqual({ messageSid: silent.messageSid, status: 'delivered' });

    // A later message with callbacks back on marks the point by which any callback would have come.
    emulator.state.noCallbacks(false);
    const sentinel = await sendOk(page());
    await waitFor('sentinel delivered callback', () => statusesOf(sentinel.messageSid).includes('delivered'));
    expect(callbacksFor(silent.messageSid)).toEqual([]);
    expect(emulator.state.callbacks().map((c) => c.messageSid)).not.toContain(silent.messageSid);
  });
});

describe('fetchStatus', () => {
  it('throws a permanent error for an unknown message', async () => {
    await expect(gateway.fetchStatus('SM' + '0'.repeat(32))).rejects.toMatchObject({ errorClass: 'unreachable', httpStatus: 404, retryable: false });
  });
});
