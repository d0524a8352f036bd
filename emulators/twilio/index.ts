// A local stand-in for Twilio's Messaging API and inbound calls, with a sandbox page at `/` where a
// person watches and answers the phones: tests and `npm start` without credentials use it.
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { logger as rootLogger } from '../../src/observability/logger';
import { createTwilioEmulatorApp } from './app';
import { trimSlash } from './config';
import { mountSandboxPage, type DirectoryProvider } from './sandboxPage';
import { TwilioEmulatorState } from './state';

export interface TwilioEmulatorOptions {
  /** 0 = random */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  accountSid: string;
  authToken: string;
  /** base URL of OUR service, where inbound SMS (POST /webhooks/twilio/sms) are sent; can be set later */
  appBaseUrl?: string;
  /** the URL the app believes it is reachable at (PUBLIC_BASE_URL); inbound webhook signatures cover it */
  publicBaseUrl?: string;
  /** delay between status steps, default 50 ms */
  callbackDelayMs?: number;
  /** the account's number, To of inbound SMS from phones the app never texted; default +15005550006 */
  ourNumber?: string;
  /** Temporal Web UI the sandbox page links dispatches to; default http://localhost:8233 */
  webUiUrl?: string;
}

export interface TwilioEmulator {
  /** base URL for TWILIO_API_BASE_URL, e.g. http://127.0.0.1:41234 */
  url: string;
  state: TwilioEmulatorState;
  /** the express app; the sandbox page is mounted at `/` */
  app: express.Express;
  setAppBaseUrl(appBaseUrl: string, publicBaseUrl?: string): void;
  /** who the phones are and who is on call, for the sandbox page */
  setDirectory(provider: DirectoryProvider): void;
  close(): Promise<void>;
}

export async function startTwilioEmulator(opts: TwilioEmulatorOptions): Promise<TwilioEmulator> {
  const logger = rootLogger.child({ component: 'twilio-emulator' });
  const state = new TwilioEmulatorState(
    {
      accountSid: opts.accountSid,
      authToken: opts.authToken,
      ourNumber: opts.ourNumber ?? '+15005550006',
      callbackDelayMs: opts.callbackDelayMs ?? 50,
      ...(opts.appBaseUrl ? { appBaseUrl: trimSlash(opts.appBaseUrl) } : {}),
      ...(opts.publicBaseUrl ? { publicBaseUrl: trimSlash(opts.publicBaseUrl) } : {}),
    },
    logger,
  );
  const app = createTwilioEmulatorApp(state, logger);
  let directory: DirectoryProvider | undefined;
  mountSandboxPage(app, state, { webUiUrl: opts.webUiUrl ? trimSlash(opts.webUiUrl) : undefined, directory: () => directory });
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'Twilio emulator listening');

  return {
    url,
    state,
    app,
    setAppBaseUrl(appBaseUrl, publicBaseUrl) {
      state.config.appBaseUrl = trimSlash(appBaseUrl);
      if (publicBaseUrl) state.config.publicBaseUrl = trimSlash(publicBaseUrl);
    },
    setDirectory(provider) {
      directory = provider;
    },
    async close() {
      state.stop();
      // Hanging responses (loseResponseNext 'hang') and keep-alive sockets must not hold close().
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

export { TwilioEmulatorState } from './state';
export type { EmulatedMessage, PhoneConversation } from './messageStore';
export type { FaultSnapshot, HttpFaultStatus, LostResponseMode } from './faults';
export type { CallbackRecord } from './statusCallbacks';
export type { InboundReplyResult } from './inboundSms';
export type { CallScript, EmulatedCall } from './voiceCall';
export type { DirectoryProvider, SandboxDirectory } from './sandboxPage';
export type { FaultsRequest } from './controlRoutes';
export { twilioEmulatorControl, type TwilioEmulatorControl, type EmulatedMessageJson, type EmulatedCallJson } from './controlClient';
