// TwiML for the voice IVR (spec section 5). Pure builders: the route handlers decide the flow.
//
// Flow: greeting (Gather urgency) → the urgency action URL; when it heard nothing usable it asks
// once more (attempt 2) and then assumes "urgent" → describe (speech Gather) → confirmation.
// Each Gather is followed by a Redirect to the same action, so silence still reaches the handler.

// TwiML's builder alone: the whole twilio package takes a fifth of a second to load.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import type { Urgency } from '../../domain/types';

/** How many times the caller is asked for the urgency before we assume "urgent". */
export const MAX_URGENCY_PROMPTS = 2;
/** Urgency for a caller who gave no usable answer: we page rather than risk leaving them waiting. */
export const DEFAULT_URGENCY: Urgency = 'urgent';

const LANGUAGE = 'en-US';

/** `url` with `params` added to its query string (TwiML action URLs may be relative). */
export function withQuery(url: string, params: Record<string, string | number>): string {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

export function greetingTwiml(p: { businessName: string; actionUrl: string; attempt?: number }): string {
  const attempt = p.attempt ?? 1;
  const action = withQuery(p.actionUrl, { attempt });
  const response = new VoiceResponse();
  const gather = response.gather({
    input: ['dtmf', 'speech'],
    numDigits: 1,
    timeout: 6,
    speechTimeout: 'auto',
    language: LANGUAGE,
    hints: 'emergency, urgent, routine',
    action,
    method: 'POST',
  });
  if (attempt === 1) gather.say(`Thank you for calling ${p.businessName}. You have reached our after-hours line.`);
  else gather.say('Sorry, we did not catch that.');
  gather.say(
    'If this is an emergency, such as a gas smell, flooding or no heat, press 1 or say emergency. ' +
      'If it is urgent but can wait a few hours, press 2 or say urgent. ' +
      'For a routine request, press 3 or say routine.',
  );
  response.redirect({ method: 'POST' }, action);
  return response.toString();
}

const DIGIT_URGENCY: Record<string, Urgency> = { '1': 'emergency', '2': 'urgent', '3': 'routine' };
/** A caller who answers the menu by saying the number. */
const SPOKEN_DIGIT: Record<string, string> = { one: '1', '1': '1', two: '2', '2': '2', three: '3', '3': '3' };

// Checked in this order. Hazard words count as an emergency even in "not an emergency but I smell
// gas"; "not urgent" is routine, so routine words come before "urgent".
const SPOKEN_URGENCY: Array<[Urgency, RegExp]> = [
  ['emergency', /\b(emergency|gas|flood(ing|ed)?|fire|smoke|burst|carbon monoxide|sparks?)\b/],
  ['routine', /\b(routine|not urgent|appointment|quote|estimate)\b/],
  ['urgent', /\b(urgent|soon|today)\b/],
];

/**
 * The urgency a caller chose: a key press 1/2/3 wins; then a spoken answer that is just the
 * number ("two."); otherwise the first matching group of words (see SPOKEN_URGENCY).
 * Null when nothing matched.
 */
export function urgencyFromGather(p: { Digits?: string; SpeechResult?: string }): Urgency | null {
  const digit = p.Digits?.trim();
  if (digit) return DIGIT_URGENCY[digit] ?? null;
  const speech = (p.SpeechResult ?? '').toLowerCase().replace(/[^a-z0-9 ]/g, '').trim();
  const spokenDigit = SPOKEN_DIGIT[speech];
  if (spokenDigit) return DIGIT_URGENCY[spokenDigit] ?? null;
  return SPOKEN_URGENCY.find(([, words]) => words.test(speech))?.[0] ?? null;
}

/**
 * What the urgency action should do with a Gather result at prompt `attempt`: an urgency, or
 * 'reprompt' (answer with greetingTwiml at attempt + 1).
 */
export function resolveUrgency(gathered: { Digits?: string; SpeechResult?: string }, attempt: number): Urgency | 'reprompt' {
  const urgency = urgencyFromGather(gathered);
  if (urgency) return urgency;
  return attempt < MAX_URGENCY_PROMPTS ? 'reprompt' : DEFAULT_URGENCY;
}

/** Spec section 12: how many times the fee is asked before the call goes ahead without an answer. */
export const MAX_FEE_PROMPTS = 2;

/** The after-hours fee: 1 agrees and sends a technician, 2 asks for a call back when the office opens. */
export function feeTwiml(p: { fee: string; actionUrl: string; attempt: number }): string {
  const response = new VoiceResponse();
  const gather = response.gather({ input: ['dtmf'], numDigits: 1, timeout: 6, action: p.actionUrl, method: 'POST' });
  if (p.attempt > 1) gather.say('Sorry, we did not catch that.');
  gather.say(
    `A technician visit outside business hours has an after-hours fee of ${p.fee}. ` +
      'To agree and have a technician sent now, press 1. For a call back when the office opens instead, press 2.',
  );
  response.redirect({ method: 'POST' }, p.actionUrl);
  return response.toString();
}

/**
 * The caller's answer to the fee at prompt `attempt`: 1 agrees, 2 turns the call routine, nothing
 * usable asks again, then goes ahead as chosen without the fee agreed.
 */
export function resolveFee(digits: string | undefined, chosen: Urgency, attempt: number): { urgency: Urgency; feeAccepted?: boolean } | 'reprompt' {
  const digit = digits?.trim();
  if (digit === '1') return { urgency: chosen, feeAccepted: true };
  // A call back in business hours has no after-hours fee to agree to.
  if (digit === '2') return { urgency: 'routine' };
  return attempt < MAX_FEE_PROMPTS ? 'reprompt' : { urgency: chosen, feeAccepted: false };
}

export function describeTwiml(p: { actionUrl: string }): string {
  const response = new VoiceResponse();
  const gather = response.gather({
    input: ['speech'],
    timeout: 5,
    speechTimeout: 'auto',
    language: LANGUAGE,
    action: p.actionUrl,
    method: 'POST',
  });
  gather.say('In a few words, please tell us what is wrong and the address of the property.');
  response.redirect({ method: 'POST' }, p.actionUrl);
  return response.toString();
}

/** Digits one by one, so text-to-speech does not read "+12125550100" as a large number. */
function spokenDigits(phone: string): string {
  return phone.replace(/\D/g, '').split('').join(' ');
}

export function confirmationTwiml(p: { urgency: Urgency; businessName: string; callbackNumber?: string; opensAt?: string }): string {
  const response = new VoiceResponse();
  const callback = p.callbackNumber ? ` at ${spokenDigits(p.callbackNumber)}` : '';
  if (p.urgency === 'routine') {
    const when = p.opensAt ? `after we open, ${p.opensAt}` : 'when the office opens';
    response.say(`Thank you. ${p.businessName} will call you back${callback} ${when}. We will send you a text to confirm.`);
  } else {
    response.say(
      `Thank you. We are contacting the on-call technician now. ` +
        `You will get a text when a technician has your call, and they will phone you back${callback}.`,
    );
    response.say('If anyone is in danger, hang up and call 9 1 1.');
  }
  response.say('Goodbye.');
  response.hangup();
  return response.toString();
}

export function forwardToOfficeTwiml(officeNumber: string): string {
  const response = new VoiceResponse();
  response.say('Please hold while we connect you to the office.');
  response.dial({}, officeNumber);
  return response.toString();
}

/**
 * A wake-up call to a technician. Only a key press answers it: a voicemail greeting or an
 * answering machine presses nothing, so it never counts as an accept or a decline.
 */
export function wakeUpCallTwiml(p: { businessName: string; summary: string; replyCode: string; actionUrl: string }): string {
  const response = new VoiceResponse();
  const gather = response.gather({ input: ['dtmf'], numDigits: 1, timeout: 8, action: p.actionUrl, method: 'POST' });
  const prompt = `This is ${p.businessName} with an emergency job, code ${p.replyCode.split('').join(' ')}: ${p.summary}. Press 1 to accept, or 2 to decline.`;
  gather.say(prompt);
  gather.pause({ length: 1 });
  gather.say(prompt);
  response.say('No key was pressed. We will text you the job. Goodbye.');
  response.hangup();
  return response.toString();
}

export function wakeUpAnswerTwiml(message: string): string {
  const response = new VoiceResponse();
  response.say(message);
  response.hangup();
  return response.toString();
}
