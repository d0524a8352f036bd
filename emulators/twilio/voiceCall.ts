// A caller phoning the account's number: Twilio's signed Voice webhooks to the app, following the
// returned TwiML the way Twilio does. Each <Gather> is answered from the caller's script (a key
// press, then words); a Gather the script has no answer for times out silently and the call goes
// on with the next verb (the IVR's <Redirect>); <Hangup>, <Dial> or the end of the TwiML ends it.
import { randomBytes } from 'node:crypto';
import { deliveryUrl, trimSlash, type EmulatorConfig } from './config';
import { API_VERSION } from './messageResource';
import { postSigned } from './signedPost';
import { parseVoiceTwiml, type VoiceVerb } from './voiceTwiml';

export const VOICE_PATH = '/webhooks/twilio/voice';
/** An IVR still redirecting after this many webhooks is looping, not taking a long call. */
const MAX_WEBHOOKS = 10;

/** What the caller will do: their number, the key they press, the words they say. */
export interface CallScript {
  from: string;
  digits?: string;
  speech?: string;
}

export interface EmulatedCall extends CallScript {
  callSid: string;
  to: string;
  /** inbound: a caller phoning us; outbound-api: our service ringing a phone (Calls API) */
  direction: 'inbound' | 'outbound-api';
  /** outbound: the TwiML URL Twilio fetches when the phone answers */
  url?: string;
  /** outbound: who picked up */
  answeredBy?: 'human' | 'machine_start';
  status: 'ringing' | 'in-progress' | 'completed' | 'failed' | 'no-answer';
  /** outbound: how long it rings before Twilio gives up (the create's Timeout) */
  ringSeconds?: number;
  /** what the caller heard, in order: the <Say> texts (and a note where the call was transferred) */
  transcript: string[];
  /** why the call broke off, when it failed */
  error?: string;
  startedAt: Date;
}

interface GatherAnswer {
  input: 'dtmf' | 'speech';
  params: Record<string, string>;
}

export function newCall(script: CallScript, to: string): EmulatedCall {
  return { ...script, callSid: newCallSid(), to, direction: 'inbound', status: 'in-progress', transcript: [], startedAt: new Date() };
}

/** A call our service placed through the Calls API: it rings until the test or a person answers. */
export function newOutboundCall(from: string, to: string, url: string, ringSeconds: number): EmulatedCall {
  return { from, callSid: newCallSid(), to, direction: 'outbound-api', url, ringSeconds, status: 'ringing', transcript: [], startedAt: new Date() };
}

/** Like Twilio, a call nobody picks up within its Timeout ends as no-answer. */
export function expireUnanswered(call: EmulatedCall, now = Date.now()): void {
  if (call.status === 'ringing' && call.ringSeconds !== undefined && now - call.startedAt.getTime() > call.ringSeconds * 1000) {
    call.status = 'no-answer';
  }
}

function newCallSid(): string {
  return 'CA' + randomBytes(16).toString('hex');
}

function answersOf(script: CallScript): GatherAnswer[] {
  const answers: GatherAnswer[] = [];
  if (script.digits) answers.push({ input: 'dtmf', params: { Digits: script.digits } });
  if (script.speech) answers.push({ input: 'speech', params: { SpeechResult: script.speech, Confidence: '0.92' } });
  return answers;
}

/**
 * Acts out one TwiML document: appends what is said to `heard`, takes the answer a Gather accepts
 * from `answers`, and returns where the call goes next (a URL relative to the current one), or
 * undefined when it ends.
 */
function follow(verbs: VoiceVerb[], answers: GatherAnswer[], heard: string[]): { url: string; params: Record<string, string> } | undefined {
  for (const v of verbs) {
    switch (v.verb) {
      case 'Say':
        heard.push(v.text);
        break;
      case 'Gather': {
        heard.push(...v.says);
        const answer = answers[0];
        if (!answer || !v.input.includes(answer.input)) break; // silence: on to the next verb
        answers.shift();
        // A Gather without an action posts to the current URL: '' resolves to it.
        return { url: v.action ?? '', params: answer.params };
      }
      case 'Redirect':
        return { url: v.url, params: {} };
      case 'Dial':
        heard.push(`(the call is transferred to ${v.number})`);
        return undefined;
      case 'Hangup':
        return undefined;
    }
  }
  return undefined;
}

async function fetchTwiml(config: EmulatorConfig, signedUrl: string, signedBase: string, params: Record<string, string>): Promise<VoiceVerb[]> {
  const answer = await postSigned({
    url: deliveryUrl({ ...config, publicBaseUrl: signedBase }, signedUrl),
    signedUrl,
    params,
    authToken: config.authToken,
  });
  if (answer.status >= 300 || !/xml/i.test(answer.contentType)) {
    throw new Error(`the app answered HTTP ${answer.status} to ${new URL(signedUrl).pathname}: ${answer.text.slice(0, 200)}`);
  }
  return parseVoiceTwiml(answer.text);
}

/** Plays the call to its end, updating `call` as it goes (a page may show it mid-call); never throws. */
export async function playCall(config: EmulatorConfig, call: EmulatedCall): Promise<void> {
  try {
    if (!config.appBaseUrl) throw new Error('the emulator has no app base URL to send the call to');
    const signedBase = trimSlash(config.publicBaseUrl ?? config.appBaseUrl);
    // An answering machine presses nothing, whatever the script says.
    const answers = call.answeredBy === 'machine_start' ? [] : answersOf(call);
    let url = call.url ?? signedBase + VOICE_PATH;
    call.status = 'in-progress';
    let gathered: Record<string, string> = {};
    for (let webhook = 0; webhook < MAX_WEBHOOKS; webhook += 1) {
      const params = {
        AccountSid: config.accountSid,
        ApiVersion: API_VERSION,
        CallSid: call.callSid,
        From: call.from,
        To: call.to,
        Direction: call.direction,
        CallStatus: webhook === 0 && call.direction === 'inbound' ? 'ringing' : 'in-progress',
        ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
        ...gathered,
      };
      const next = follow(await fetchTwiml(config, url, signedBase, params), answers, call.transcript);
      if (!next) {
        call.status = 'completed';
        return;
      }
      url = new URL(next.url, url).toString();
      gathered = next.params;
    }
    throw new Error(`the IVR was still redirecting after ${MAX_WEBHOOKS} webhooks`);
  } catch (err) {
    call.status = 'failed';
    call.error = err instanceof Error ? err.message : String(err);
  }
}
