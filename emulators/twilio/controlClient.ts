// Drives a running emulator over its /_emulator HTTP API (tests in another process than the emulator).
import type { FaultsRequest } from './controlRoutes';
import type { FaultSnapshot } from './faults';
import type { InboundReplyResult } from './inboundSms';
import type { CallbackRecord } from './statusCallbacks';
import type { CallScript, EmulatedCall } from './voiceCall';

/** Messages as JSON carries them: dates are ISO strings. */
export interface EmulatedMessageJson {
  sid: string;
  direction: string;
  from: string;
  to: string;
  body: string;
  status: string;
  errorCode: number | null;
  dateCreated: string;
  dateSent: string | null;
}

export type EmulatedCallJson = Omit<EmulatedCall, 'startedAt'> & { startedAt: string };

export type CallbackRecordJson = Omit<CallbackRecord, 'at'> & { at: string };

export interface TwilioEmulatorControl {
  messages(filter?: { to?: string; from?: string }): Promise<EmulatedMessageJson[]>;
  phones(): Promise<{ phone: string; messages: EmulatedMessageJson[] }[]>;
  copies(to: string, body: string): Promise<number>;
  callbacks(): Promise<CallbackRecordJson[]>;
  faults(change: FaultsRequest): Promise<FaultSnapshot>;
  reset(): Promise<void>;
  reply(phone: string, body: string): Promise<InboundReplyResult>;
  setApp(appBaseUrl: string, publicBaseUrl?: string): Promise<void>;
  /** Resolves with the ended call; rejects when the app did not answer it with TwiML. */
  placeCall(script: CallScript): Promise<EmulatedCallJson>;
  calls(): Promise<EmulatedCallJson[]>;
}

export function twilioEmulatorControl(emulatorUrl: string): TwilioEmulatorControl {
  const base = emulatorUrl.replace(/\/+$/, '') + '/_emulator';

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(base + path, {
      method,
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator ${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }
  const query = (params: Record<string, string | undefined>) => {
    const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
    return defined.length ? `?${new URLSearchParams(defined).toString()}` : '';
  };

  return {
    messages: (filter = {}) => call('GET', `/messages${query(filter)}`),
    phones: () => call('GET', '/phones'),
    copies: async (to, body) => (await call<{ copies: number }>('GET', `/copies${query({ to, body })}`)).copies,
    callbacks: () => call('GET', '/callbacks'),
    faults: (change) => call('POST', '/faults', change),
    reset: async () => void (await call('POST', '/reset', {})),
    reply: (phone, body) => call('POST', `/phones/${encodeURIComponent(phone)}/reply`, { body }),
    placeCall: (script) => call('POST', '/calls', script),
    calls: () => call('GET', '/calls'),
    setApp: async (appBaseUrl, publicBaseUrl) => void (await call('POST', '/app', { appBaseUrl, ...(publicBaseUrl ? { publicBaseUrl } : {}) })),
  };
}
