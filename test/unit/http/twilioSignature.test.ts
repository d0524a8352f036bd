import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTwilioSignature } from '../../../src/http/twilio/signature';

const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const PUBLIC_BASE_URL = 'https://dispatch.example.com';
const PATH = '/webhooks/twilio/sms?tenant=acme';
const PARAMS = { From: '+12125550100', To: '+12125550199', Body: 'YES K7M2', MessageSid: 'SM123' };

let server: Server;
let localUrl: string;
let handled = 0;

beforeAll(async () => {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post('/webhooks/twilio/sms', requireTwilioSignature({ authToken: AUTH_TOKEN, publicBaseUrl: `${PUBLIC_BASE_URL}/` }), (_req, res) => {
    handled++;
    res.type('text/xml').send('<Response/>');
  });
  server = app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  localUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function post(params: Record<string, string>, signature: string | undefined): Promise<Response> {
  return fetch(localUrl + PATH, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(signature === undefined ? {} : { 'X-Twilio-Signature': signature }),
    },
    body: new URLSearchParams(params).toString(),
  });
}

const sign = (token: string, url: string, params: Record<string, string>) => twilio.getExpectedTwilioSignature(token, url, params);

describe('requireTwilioSignature', () => {
  it('passes a request signed for the public URL, path and query', async () => {
    const before = handled;
    const res = await post(PARAMS, sign(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, PARAMS));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<Response/>');
    expect(handled).toBe(before + 1);
  });

  it.each([
    ['no signature', undefined],
    ['another auth token', sign('another-token', PUBLIC_BASE_URL + PATH, PARAMS)],
    ['another host', sign(AUTH_TOKEN, 'https://evil.example.com' + PATH, PARAMS)],
    ['the local URL', sign(AUTH_TOKEN, `${'http://127.0.0.1'}${PATH}`, PARAMS)],
    ['the path without its query', sign(AUTH_TOKEN, PUBLIC_BASE_URL + '/webhooks/twilio/sms', PARAMS)],
    ['other parameters', sign(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, { ...PARAMS, Body: 'NO K7M2' })],
    ['garbage', 'not-a-signature'],
  ])('rejects %s with 403 and does not run the handler', async (_name, signature) => {
    const before = handled;
    const res = await post(PARAMS, signature);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'invalid Twilio signature' });
    expect(handled).toBe(before);
  });

  it('rejects a tampered body signed for the original one', async () => {
    const before = handled;
    const res = await post({ ...PARAMS, Body: 'NO K7M2' }, sign(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, PARAMS));
    expect(res.status).toBe(403);
    expect(handled).toBe(before);
  });
});
