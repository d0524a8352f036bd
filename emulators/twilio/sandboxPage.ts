// The sandbox page: a person watches every phone's texts, answers pages as a technician and
// places calls through the app's real IVR. Plain HTML and JS in ./sandbox (no build step) poll one
// JSON snapshot; replies and calls go through the /_emulator control API like any other tool's.
import path from 'node:path';
import express from 'express';
import { ONCALL_MESSAGES_CALL_ID } from '../../src/domain/roster/onCallPlan';
import type { EmulatedMessage } from './messageStore';
import type { TwilioEmulatorState } from './state';
import type { EmulatedCall } from './voiceCall';

/** Where `npm start` serves the Temporal Web UI; the page's ?webUi= query overrides it. */
export const DEFAULT_WEB_UI_URL = 'http://localhost:8233';

const ASSETS = path.join(__dirname, 'sandbox');

export interface SandboxMessage {
  kind: 'message';
  sid: string;
  at: string;
  /** true: the phone sent it (a reply); false: the phone received it */
  fromPhone: boolean;
  body: string;
  status: string;
  errorCode: number | null;
  /** the dispatch that sent it, when it was sent through the Messages API */
  callId?: string;
}

export interface SandboxCall {
  kind: 'call';
  callSid: string;
  /** inbound: this phone called the after-hours line; outbound-api: the service rang this phone */
  direction: EmulatedCall['direction'];
  to: string;
  answeredBy?: EmulatedCall['answeredBy'];
  at: string;
  digits?: string;
  speech?: string;
  transcript: string[];
  status: EmulatedCall['status'];
  error?: string;
}

export interface SandboxPhone {
  phone: string;
  placedCall: boolean;
  /** a caller: it called the line, or the service told it about its call */
  caller: boolean;
  /** one-click answers a technician's phone offers, each sent at once (see quickReplies) */
  quickReplies: string[];
  /** dispatches this phone took part in, oldest first */
  callIds: string[];
  /** texts and calls, oldest first */
  timeline: Array<SandboxMessage | SandboxCall>;
}

/** Who the phones are and who is on call, as the product tells the stand-in (npm start). */
export interface SandboxDirectory {
  onCall: Array<{ tier: number; names: string[] }>;
  nextHandOff?: { tier: number; technician: string; start: string };
  people: Array<{ phone: string; name: string; tier: number }>;
}

export type DirectoryProvider = () => Promise<SandboxDirectory | undefined>;

export interface SandboxSnapshot {
  ourNumber: string;
  webUiUrl: string;
  directory?: SandboxDirectory;
  /** in the order each phone first appeared */
  phones: SandboxPhone[];
}

/**
 * The app puts the dispatch's callId in each message's StatusCallback query (see the webhooks);
 * the on-call schedule's reminders and alerts belong to no dispatch.
 */
function callIdOf(m: EmulatedMessage): string | undefined {
  if (!m.statusCallback) return undefined;
  try {
    const callId = new URL(m.statusCallback).searchParams.get('callId') ?? undefined;
    return callId === ONCALL_MESSAGES_CALL_ID ? undefined : callId;
  } catch {
    return undefined;
  }
}

function messageEntry(m: EmulatedMessage, phone: string): SandboxMessage {
  const callId = callIdOf(m);
  return {
    kind: 'message',
    sid: m.sid,
    at: m.dateCreated.toISOString(),
    fromPhone: m.direction === 'inbound' && m.from === phone,
    body: m.body,
    status: m.status,
    errorCode: m.errorCode,
    ...(callId ? { callId } : {}),
  };
}

/** Lines the product texts a technician about a job, by what they tell the phone (its wording in src/domain/dispatch/messages.ts). */
const JOB_TEXTS: Array<[RegExp, 'paged' | 'mine' | 'on site' | 'over']> = [
  [/Reply YES (\w+) to accept, NO \1 to decline/, 'paged'],
  [/^Job (\w+) is yours\./, 'mine'],
  [/^Job (\w+) is already yours\./, 'mine'],
  [/^Arrival at job (\w+) recorded\./, 'on site'],
  [/^You are already on site for job (\w+)\./, 'on site'],
  [/^Job (\w+) marked complete\./, 'over'],
  [/^STAND DOWN: job (\w+) /, 'over'],
  [/^Job (\w+) is (?:completed|cancelled|closed|already taken)\./, 'over'],
  [/^Job (\w+) is already taken by /, 'over'],
];

/** ETAs offered with one click after an accept, minutes. */
const QUICK_ETAS = [15, 30, 60];

/**
 * One-click answers for a technician's phone, from the texts it received: YES and NO for its
 * newest page still open to it; for its newest job in progress ETA, ARRIVED and DONE (spec
 * sections 4 and 11), DONE only once on site. A phone that only ever texted gets none.
 */
export function quickReplies(timeline: SandboxPhone['timeline']): string[] {
  let newestPage: string | undefined;
  const jobs = new Map<string, 'mine' | 'on site'>(); // in the order they became the phone's
  const over = new Set<string>();
  for (const entry of timeline) {
    if (entry.kind !== 'message' || entry.fromPhone) continue;
    for (const [pattern, meaning] of JOB_TEXTS) {
      const code = pattern.exec(entry.body)?.[1];
      if (!code) continue;
      if (meaning === 'paged') newestPage = code;
      else if (meaning === 'over') {
        over.add(code);
        jobs.delete(code);
      } else if (!over.has(code) && jobs.get(code) !== 'on site') {
        jobs.delete(code);
        jobs.set(code, meaning);
      }
    }
  }
  const replies: string[] = [];
  if (newestPage && !over.has(newestPage) && !jobs.has(newestPage)) replies.push(`YES ${newestPage}`, `NO ${newestPage}`);
  const job = [...jobs].at(-1);
  if (job?.[1] === 'mine') replies.push(...QUICK_ETAS.map((m) => `ETA ${job[0]} ${m}`), `ARRIVED ${job[0]}`);
  if (job) replies.push(`DONE ${job[0]}`);
  return replies;
}

/** The service tells a caller about their call (technician coming, ETA, office call-back, nobody reached yet). */
const TO_CALLER = /\(ref \w+\)/;

function callEntry(c: EmulatedCall): SandboxCall {
  const { callSid, direction, answeredBy, digits, speech, transcript, status, error } = c;
  return { kind: 'call', callSid, direction, to: c.to, answeredBy, at: c.startedAt.toISOString(), digits, speech, transcript, status, error };
}

export function sandboxSnapshot(state: TwilioEmulatorState, webUiUrl: string): SandboxSnapshot {
  const phones = new Map<string, SandboxPhone>();
  const phoneView = (phone: string) => {
    let view = phones.get(phone);
    if (!view) phones.set(phone, (view = { phone, placedCall: false, caller: false, quickReplies: [], callIds: [], timeline: [] }));
    return view;
  };
  for (const { phone, messages } of state.phones()) phoneView(phone).timeline.push(...messages.map((m) => messageEntry(m, phone)));
  for (const call of state.calls()) {
    // A caller's call shows on the caller's phone; a wake-up call on the technician's.
    const view = phoneView(call.direction === 'inbound' ? call.from : call.to);
    if (call.direction === 'inbound') view.placedCall = true;
    view.timeline.push(callEntry(call));
  }
  for (const view of phones.values()) {
    view.timeline.sort((a, b) => a.at.localeCompare(b.at));
    // A caller's call is its dispatch (CallSid = callId); a wake-up call belongs to a dispatch already listed.
    const ids = view.timeline.map((e) => (e.kind === 'call' ? (e.direction === 'inbound' ? e.callSid : undefined) : e.callId));
    view.callIds = [...new Set(ids.filter((id): id is string => id !== undefined))];
    view.caller = view.placedCall || view.timeline.some((e) => e.kind === 'message' && !e.fromPhone && TO_CALLER.test(e.body));
    view.quickReplies = view.caller ? [] : quickReplies(view.timeline);
  }
  const firstSeen = (v: SandboxPhone) => v.timeline[0]?.at ?? '';
  return { ourNumber: state.config.ourNumber, webUiUrl, phones: [...phones.values()].sort((a, b) => firstSeen(a).localeCompare(firstSeen(b))) };
}

export function mountSandboxPage(
  app: express.Express,
  state: TwilioEmulatorState,
  opts: { webUiUrl?: string; directory?: () => DirectoryProvider | undefined } = {},
): void {
  const webUiUrl = opts.webUiUrl ?? DEFAULT_WEB_UI_URL;
  app.get('/', (_req, res) => res.sendFile(path.join(ASSETS, 'index.html')));
  app.get('/sandbox/state.json', async (_req, res) => {
    // The page still shows the phones when the product cannot say who is on call.
    const directory = await (opts.directory?.()?.() ?? Promise.resolve(undefined)).catch(() => undefined);
    res.set('Cache-Control', 'no-store').json({ ...sandboxSnapshot(state, webUiUrl), ...(directory ? { directory } : {}) });
  });
  app.use('/sandbox', express.static(ASSETS, { index: false }));
}
