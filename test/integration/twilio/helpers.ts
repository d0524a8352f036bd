// Shared by the Twilio integration tests: a webhook receiver standing in for our app.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import twilio from 'twilio';

export const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
export const AUTH_TOKEN = 'emulator-test-token';
export const OUR_NUMBER = '+15005550006';
/** what the app believes its address is; the emulator forwards it to the receiver */
export const PUBLIC_BASE_URL = 'https://dispatch.example.test';

export const silentLogger = pino({ level: 'silent' });

export interface ReceivedWebhook {
  path: string;
  query: Record<string, unknown>;
  params: Record<string, string>;
  signature: string;
  /** X-Twilio-Signature checked over PUBLIC_BASE_URL + original URL with the auth token */
  signatureValid: boolean;
  idempotencyToken: string | undefined;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** TwiML the inbound SMS webhook answers with */
  smsReplyTwiml: string;
  clear(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver = { smsReplyTwiml: '<?xml version="1.0" encoding="UTF-8"?><Response/>' };
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post('/{*path}', (req, res) => {
    const params = req.body as Record<string, string>;
    const signature = req.header('X-Twilio-Signature') ?? '';
    received.push({
      path: req.path,
      query: req.query as Record<string, unknown>,
      params,
      signature,
      signatureValid: twilio.validateRequest(AUTH_TOKEN, signature, PUBLIC_BASE_URL + req.originalUrl, params),
      idempotencyToken: req.header('I-Twilio-Idempotency-Token'),
    });
    if (req.path === '/webhooks/twilio/sms') res.type('text/xml').send(receiver.smsReplyTwiml);
    else res.status(204).end();
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    clear: () => void received.splice(0),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

let sequence = 0;
/** A phone number unique within this test file, so tests never see each other's messages. */
export function uniquePhone(): string {
  sequence += 1;
  return `+1415555${String(1000 + sequence).padStart(4, '0')}`;
}

export { waitFor } from '../../support/wait';
