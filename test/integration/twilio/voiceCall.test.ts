// The emulator's simulated calls against the app's real IVR routes (signature check included), with
// the dispatch service stubbed: which webhooks a call makes, what the caller hears, what starts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import type { DispatchService } from '../../../src/client/dispatchService';
import type { DispatchRequest } from '../../../src/domain/types';
import { startTwilioEmulator, twilioEmulatorControl, type TwilioEmulator } from '../../../emulators/twilio';
import { twilioRoutes } from '../../../src/http/twilio/webhooks';
import type { ReplyRouter } from '../../../src/client/replyRouter';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, PUBLIC_BASE_URL, uniquePhone } from './helpers';

/** What the IVR asked of the dispatch service. */
const started: DispatchRequest[] = [];
const described: Array<[string, string]> = [];
const dispatches = {
  start: async (request: DispatchRequest) => {
    started.push(request);
    return { created: true, dispatch: {} };
  },
  describe: async (callId: string, summary: string) => void described.push([callId, summary]),
} as unknown as DispatchService;

let app: Server;
let appUrl: string;
let emulator: TwilioEmulator;

beforeAll(async () => {
  const config = loadConfig({ PUBLIC_BASE_URL, BUSINESS_NAME: 'Acme Plumbing' });
  const web = express();
  web.use('/webhooks/twilio', twilioRoutes({ config, authToken: AUTH_TOKEN, dispatches, replies: {} as ReplyRouter }));
  app = await new Promise<Server>((resolve) => {
    const s = web.listen(0, '127.0.0.1', () => resolve(s));
  });
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  emulator = await startTwilioEmulator({ port: 0, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ourNumber: OUR_NUMBER });
});

afterAll(async () => {
  await emulator?.close();
  app?.closeAllConnections();
  await new Promise((resolve) => app?.close(resolve));
});

beforeEach(() => {
  emulator.state.reset();
  emulator.setAppBaseUrl(appUrl, PUBLIC_BASE_URL);
  started.length = 0;
  described.length = 0;
});

describe('placeCall', () => {
  it('presses the key, says the description and hears the confirmation; the dispatch starts on the CallSid', async () => {
    const from = uniquePhone();
    const call = await emulator.state.placeCall({ from, digits: '1', speech: 'burst pipe at 12 Elm Street' });

    expect(call.status).toBe('completed');
    expect(call.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(started).toEqual([{ callId: call.callSid, callerPhone: from, urgency: 'emergency', summary: 'Phone call (emergency)' }]);
    expect(described).toEqual([[call.callSid, 'burst pipe at 12 Elm Street']]);
    expect(call.transcript[0]).toBe('Thank you for calling Acme Plumbing. You have reached our after-hours line.');
    expect(call.transcript.join('\n')).toMatch(/press 1 or say emergency[\s\S]*tell us what is wrong[\s\S]*contacting the on-call technician[\s\S]*Goodbye\.$/);
    expect(emulator.state.calls()).toEqual([call]);
  });

  it('a silent caller is asked twice, then treated as urgent without a description', async () => {
    const call = await emulator.state.placeCall({ from: uniquePhone() });

    expect(call.status).toBe('completed');
    expect(started.map((r) => r.urgency)).toEqual(['urgent']);
    expect(described).toEqual([]);
    expect(call.transcript.filter((line) => line === 'Sorry, we did not catch that.')).toHaveLength(1);
    expect(call.transcript.at(-1)).toBe('Goodbye.');
  });

  it('a routine call hears when the office calls back', async () => {
    const call = await emulator.state.placeCall({ from: uniquePhone(), digits: '3', speech: 'dripping tap' });
    expect(started.map((r) => r.urgency)).toEqual(['routine']);
    expect(call.transcript.join(' ')).toMatch(/will call you back after we open/);
  });
});

describe('POST /_emulator/calls', () => {
  it('answers with the ended call', async () => {
    const control = twilioEmulatorControl(emulator.url);
    const call = await control.placeCall({ from: uniquePhone(), digits: '2', speech: 'no hot water' });
    expect(call).toMatchObject({ status: 'completed', digits: '2', speech: 'no hot water', to: OUR_NUMBER });
    expect(await control.calls()).toEqual([call]);
    expect(started.map((r) => r.urgency)).toEqual(['urgent']);
  });

  it('answers 502 with the reason when the app refuses the webhook (here: signed for another URL)', async () => {
    emulator.setAppBaseUrl(appUrl, 'https://elsewhere.example.test');
    const response = await fetch(`${emulator.url}/_emulator/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: uniquePhone(), digits: '1' }),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ status: 'failed', error: expect.stringMatching(/HTTP 403 to \/webhooks\/twilio\/voice/), transcript: [] });
    expect(started).toEqual([]);
  });

  it.each([
    [{ from: '555-0100', digits: '1' }, /E\.164/],
    [{ from: '+12125550100', digits: '12' }, /one key/],
  ])('rejects a malformed script %j with 400', async (script, message) => {
    const response = await fetch(`${emulator.url}/_emulator/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(script),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
    expect(emulator.state.calls()).toEqual([]);
  });
});
