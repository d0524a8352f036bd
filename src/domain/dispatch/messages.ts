// Every text the product sends, in one place. Pure: the workflow builds texts in its sandbox.
//
// Rules every template keeps:
// - plain GSM-7 (free text from callers is transliterated), at most two SMS segments;
// - each text of one dispatch is unique (it names the reply code, pages name the attempt),
//   because the SMS gateway reconciles a lost Twilio response by the exact body.

import type { DispatchStatus, Tier, Urgency } from '../types';

// ---------------------------------------------------------------- segment counting

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Reached through the escape code, so each costs two septets. */
const GSM_EXTENSION = '\f^{}\\[~]|€';

const CAPACITY = {
  'GSM-7': { single: 160, multipart: 153 },
  'UCS-2': { single: 70, multipart: 67 },
} as const;

export type SmsEncoding = keyof typeof CAPACITY;

/** Septets for a GSM-7 character, or null when the character needs UCS-2. */
function gsmSeptets(char: string): number | null {
  if (GSM_BASIC.includes(char)) return 1;
  if (GSM_EXTENSION.includes(char)) return 2;
  return null;
}

/** Size of each character in the units of its encoding (septets or UTF-16 code units). */
function characterUnits(text: string): { encoding: SmsEncoding; units: number[] } {
  const chars = Array.from(text);
  const septets = chars.map(gsmSeptets);
  if (septets.every((s): s is number => s !== null)) return { encoding: 'GSM-7', units: septets };
  return { encoding: 'UCS-2', units: chars.map((c) => c.length) };
}

/**
 * Segments a carrier bills for `text` (0 for an empty text). A multipart message loses room to
 * its header, and a character never straddles two segments (escape sequences, surrogate pairs).
 */
export function smsSegments(text: string): { encoding: SmsEncoding; segments: number } {
  const { encoding, units } = characterUnits(text);
  return { encoding, segments: segmentsOf(units, encoding) };
}

/**
 * Segments `text` would take sent as UCS-2, as any text is once it holds one character outside
 * GSM-7 (an emoji, a curly quote): what each template would cost without toGsmText.
 */
export function ucs2Segments(text: string): number {
  return segmentsOf(Array.from(text, (c) => c.length), 'UCS-2');
}

function segmentsOf(units: number[], encoding: SmsEncoding): number {
  const total = units.reduce((sum, u) => sum + u, 0);
  if (total === 0) return 0;
  if (total <= CAPACITY[encoding].single) return 1;
  let segments = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > CAPACITY[encoding].multipart) {
      segments++;
      used = 0;
    }
    used += u;
  }
  return segments;
}

// ---------------------------------------------------------------- making free text fit

const GSM_LOOKALIKES: Record<string, string> = {
  '‘': "'", '’': "'", '‚': "'", '′': "'", '“': '"', '”': '"', '„': '"', '″': '"',
  '–': '-', '—': '-', '−': '-', '…': '...', '•': '-', '\t': ' ',
};

/** Free text (speech transcripts, CRM input) as single-line GSM-7, so templates never go UCS-2. */
export function toGsmText(text: string): string {
  const mapped = Array.from(text.normalize('NFC'), (char) => {
    if (gsmSeptets(char) !== null) return char;
    const lookalike = GSM_LOOKALIKES[char];
    if (lookalike !== undefined) return lookalike;
    if (/\s/u.test(char)) return ' ';
    // Accented letters outside GSM-7 (ç, á, ł...) keep their base letter when they have one.
    const base = char.normalize('NFD').replace(/\p{M}/gu, '');
    return base.length > 0 && Array.from(base).every((c) => gsmSeptets(c) !== null) ? base : '?';
  }).join('');
  return mapped.replace(/\s+/g, ' ').trim();
}

function septetLength(gsmText: string): number {
  return Array.from(gsmText).reduce((sum, c) => sum + (gsmSeptets(c) ?? 2), 0);
}

const ELLIPSIS = '...';

/** `gsmText` cut to at most `maxSeptets`, marked with an ellipsis when cut. */
function truncateSeptets(gsmText: string, maxSeptets: number): string {
  if (septetLength(gsmText) <= maxSeptets) return gsmText;
  const room = maxSeptets - ELLIPSIS.length;
  if (room <= 0) return '';
  let kept = '';
  let used = 0;
  for (const char of gsmText) {
    const size = gsmSeptets(char) ?? 2;
    if (used + size > room) break;
    kept += char;
    used += size;
  }
  return kept.trimEnd() + ELLIPSIS;
}

/** Splits `budget` between texts of the given sizes: short texts keep all, long ones share the rest. */
function shareBudget(budget: number, sizes: number[]): number[] {
  const allotments = new Array<number>(sizes.length).fill(0);
  let remaining = Math.max(0, budget);
  const bySize = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  bySize.forEach(({ size, index }, position) => {
    const fairShare = Math.floor(remaining / (bySize.length - position));
    allotments[index] = Math.min(size, fairShare);
    remaining -= allotments[index]!;
  });
  return allotments;
}

const MAX_SEGMENTS = 2;

/**
 * Renders a template whose variable parts (`fields`, already GSM-7) are shortened just enough for
 * the whole text to stay within MAX_SEGMENTS.
 */
function fitToSegments<Fields extends string[]>(render: (fields: Fields) => string, fields: Fields): string {
  const fixed = septetLength(render(fields.map(() => '') as Fields));
  const sizes = fields.map(septetLength);
  // Start from the plain septet budget; shrink when segment boundaries cost a septet or two.
  for (let budget = MAX_SEGMENTS * CAPACITY['GSM-7'].multipart - fixed; budget >= 0; budget--) {
    const allotments = shareBudget(budget, sizes);
    const text = render(fields.map((field, i) => truncateSeptets(field, allotments[i]!)) as Fields);
    if (smsSegments(text).segments <= MAX_SEGMENTS) return text;
  }
  throw new Error('message template does not fit in two SMS segments even without its fields');
}

/** Names and business names are short in practice; this cap keeps a pathological one from crowding out the rest. */
const NAME_MAX_SEPTETS = 40;

function shortName(name: string): string {
  return truncateSeptets(toGsmText(name), NAME_MAX_SEPTETS);
}

/** Free text as a sentence: one closing mark, whether the caller typed one or the text was cut. */
function asSentence(text: string): string {
  return text === '' || /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Optional free text (an address) as GSM-7; '' when absent or blank. */
function optionalText(text: string | undefined): string {
  return text === undefined ? '' : toGsmText(text);
}

function listCodes(codes: string[]): string {
  return codes.map(toGsmText).join(', ');
}

// ---------------------------------------------------------------- technician pages

const REPLY_INSTRUCTION = (code: string) => `Reply YES ${code} to accept, NO ${code} to decline`;

const TIER_LABEL: Record<Tier, string> = { 1: '', 2: ' (backup)', 3: ' (manager escalation)' };

/** What a page says of its job: every field but the code, which may differ per phone (spec section 4). */
export interface PageFields {
  businessName: string;
  urgency: Urgency;
  summary: string;
  address?: string;
  attempt: number;
  tier: Tier;
  /** spec section 12: whether the caller agreed to the after-hours fee; unset when not asked */
  feeAccepted?: boolean;
}

/** The job a busy technician is on, named in each page they get (spec section 10). */
export interface BusyWith {
  replyCode: string;
  summary: string;
}

const BUSY_SUMMARY_MAX_SEPTETS = 40;

/** How a busy page names the job its technician is on: what is kept of a job's summary for it. */
export function busyLabel(summary: string): string {
  return truncateSeptets(toGsmText(summary), BUSY_SUMMARY_MAX_SEPTETS);
}

function busyNote(busyWith: BusyWith | undefined): string {
  return busyWith ? `You are on job ${toGsmText(busyWith.replyCode)} (${busyLabel(busyWith.summary)}); nobody else is free. ` : '';
}

export function pageText(p: PageFields & { replyCode: string; busyWith?: BusyWith }): string {
  const fee = p.feeAccepted === undefined ? '' : p.feeAccepted ? ' Fee agreed.' : ' Fee NOT agreed.';
  const followUp = p.attempt > 1 ? `FOLLOW-UP ${p.attempt}: ` : '';
  const header = `${busyNote(p.busyWith)}${followUp}${p.urgency.toUpperCase()} job ${p.replyCode}${TIER_LABEL[p.tier]} for ${shortName(p.businessName)}`;
  const hasAddress = optionalText(p.address) !== '';
  return fitToSegments(
    ([summary, address]: [string, string]) =>
      `${header}: ${asSentence(summary)}${hasAddress ? ` Address: ${asSentence(address)}` : ''}${fee} ${REPLY_INSTRUCTION(p.replyCode)}`,
    [toGsmText(p.summary), optionalText(p.address)],
  );
}

/** Twilio's limit for one message's body; a longer one is refused (error 21617). */
export const SMS_BODY_LIMIT = 1600;
const BUNDLE_LINE_SUMMARY_MAX_SEPTETS = 60;

/**
 * Several jobs' pages due to one phone within the bundling window, as few SMS as the 1600-character
 * limit allows (spec section 10): a line per job with its code. Each text is unique (it lists its
 * codes and their attempts), as the gateway's reconcile needs.
 */
export function bundledPagesText(businessName: string, pages: Array<PageFields & { replyCode: string }>, busyWith?: BusyWith): Array<{ body: string; replyCodes: string[] }> {
  const line = (p: PageFields & { replyCode: string }) => {
    const summary = truncateSeptets(toGsmText(p.summary), BUNDLE_LINE_SUMMARY_MAX_SEPTETS);
    const address = optionalText(p.address) === '' ? '' : ` @ ${truncateSeptets(optionalText(p.address), 30)}`;
    const fee = p.feeAccepted === undefined ? '' : p.feeAccepted ? ' fee agreed' : ' fee NOT agreed';
    return `${p.replyCode}: ${p.urgency.toUpperCase()}${p.attempt > 1 ? ` follow-up ${p.attempt}` : ''}${TIER_LABEL[p.tier]} - ${asSentence(summary)}${address}${fee}`;
  };
  const footer = (part: string[]) => `Reply YES <code> to accept, NO <code> to decline (e.g. YES ${part[0]}).`;
  const header = (count: number, part: number, parts: number) =>
    `${busyNote(busyWith)}${shortName(businessName)}: ${count} job${count === 1 ? '' : 's'} need${count === 1 ? 's' : ''} you${parts > 1 ? ` (${part}/${parts})` : ''}:`;
  // Greedy: as many lines per text as fit under the limit with the longest header and footer.
  const room = SMS_BODY_LIMIT - header(99, 9, 9).length - footer(['XXXXXXXX']).length - 2;
  const groups: Array<Array<PageFields & { replyCode: string }>> = [[]];
  let used = 0;
  for (const page of pages) {
    const size = line(page).length + 1;
    if (used + size > room && groups[groups.length - 1]!.length > 0) {
      groups.push([]);
      used = 0;
    }
    groups[groups.length - 1]!.push(page);
    used += size;
  }
  return groups.map((group, i) => ({
    body: [header(group.length, i + 1, groups.length), ...group.map(line), footer(group.map((p) => p.replyCode))].join('\n'),
    replyCodes: group.map((p) => p.replyCode),
  }));
}

export function standDownText(p: { replyCode: string; name?: string; reason: 'taken' | 'cancelled' }): string {
  const what =
    p.reason === 'cancelled'
      ? 'was cancelled'
      : `has been taken${p.name === undefined ? '' : ` by ${shortName(p.name)}`}`;
  return `STAND DOWN: job ${p.replyCode} ${what}. No action needed, thank you.`;
}

export function managerAlertText(p: { replyCode: string; summary: string; callerPhone: string }): string {
  return fitToSegments(
    ([summary]: [string]) =>
      `ALERT: job ${p.replyCode} is UNANSWERED, no technician accepted. Caller ${p.callerPhone}: ${asSentence(summary)} ` +
      `Reply YES ${p.replyCode} to take it.`,
    [toGsmText(p.summary)],
  );
}

// ---------------------------------------------------------------- answers to technician replies (TwiML <Message>)

/**
 * The accept's confirmation with the job's details. After the accept the dispatch follows the job
 * (spec section 11): `eta` repeats an ETA the accept gave; without one, `askEta` asks for it.
 */
export function acceptedReply(p: {
  callerPhone: string;
  summary: string;
  address?: string;
  replyCode: string;
  eta?: { clock: string; minutes: number };
  askEta?: boolean;
}): string {
  const hasAddress = optionalText(p.address) !== '';
  const after = p.eta
    ? ` ETA ${p.eta.clock} (${p.eta.minutes} min) sent to the customer. Reply ARRIVED ${p.replyCode} on site, DONE ${p.replyCode} when finished.`
    : p.askEta
      ? ` Reply ETA ${p.replyCode} <minutes> with your arrival time.`
      : '';
  return fitToSegments(
    ([summary, address]: [string, string]) =>
      `Job ${p.replyCode} is yours. Call the customer now: ${p.callerPhone}. Problem: ${asSentence(summary)}` +
      (hasAddress ? ` Address: ${asSentence(address)}` : '') +
      after,
    [toGsmText(p.summary), optionalText(p.address)],
  );
}

// ---------------------------------------------------------------- after the accept (spec section 11)

export function etaSetReply(p: { replyCode: string; clock: string; minutes: number }): string {
  return `ETA for job ${p.replyCode}: ${p.clock} (${p.minutes} min). The customer has been told. Reply ARRIVED ${p.replyCode} when on site.`;
}

export function arrivedReply(p: { replyCode: string }): string {
  return `Arrival at job ${p.replyCode} recorded. Reply DONE ${p.replyCode} when the job is finished.`;
}

export function completedReply(p: { replyCode: string }): string {
  return `Job ${p.replyCode} marked complete. Thank you!`;
}

export function alreadyArrivedReply(p: { replyCode: string }): string {
  return `You are already on site for job ${p.replyCode}. Reply DONE ${p.replyCode} when the job is finished.`;
}

export function notYourJobReply(p: { replyCode: string; assignedTo?: string }): string {
  return p.assignedTo === undefined
    ? `Job ${p.replyCode} is not yours yet: reply YES ${p.replyCode} to accept it first.`
    : `Job ${p.replyCode} is assigned to ${shortName(p.assignedTo)}, not you. Your reply was not recorded.`;
}

export function noJobInProgressReply(): string {
  return 'You have no job in progress, so your reply was not recorded.';
}

export function chooseJobReply(codes: string[]): string {
  return fitToSegments(
    ([list]: [string]) => `You have several jobs in progress: ${list}. Add the job's code, e.g. ARRIVED <code>.`,
    [listCodes(codes)],
  );
}

export function checkInText(p: { replyCode: string; clock: string; check: number }): string {
  return (
    `CHECK-IN${p.check > 1 ? ` ${p.check}` : ''}: job ${p.replyCode}, you were expected by ${p.clock}. ` +
    `Reply ARRIVED ${p.replyCode} when on site, or ETA ${p.replyCode} <minutes> with a new time.`
  );
}

export function overdueAlertText(p: { replyCode: string; technicianName: string; clock: string; summary: string; callerPhone: string; alert: number }): string {
  return fitToSegments(
    ([summary]: [string]) =>
      `OVERDUE${p.alert > 1 ? ` ${p.alert}` : ''}: ${shortName(p.technicianName)} is not on site at job ${p.replyCode} (ETA was ${p.clock}). ` +
      `Caller ${p.callerPhone}: ${asSentence(summary)}`,
    [toGsmText(p.summary)],
  );
}

export function alreadyYoursReply(p: { replyCode: string; callerPhone?: string }): string {
  const caller = p.callerPhone === undefined ? '' : ` Customer: ${p.callerPhone}.`;
  return `Job ${p.replyCode} is already yours.${caller}`;
}

export function alreadyTakenReply(p: { name: string; replyCode: string }): string {
  return `Job ${p.replyCode} is already taken by ${shortName(p.name)}. No action needed.`;
}

export function declinedReply(p: { replyCode: string }): string {
  return `You declined job ${p.replyCode}. Thanks, we will page someone else.`;
}

const CLOSED_REASON: Record<DispatchStatus, string> = {
  SCHEDULED: 'not paging yet',
  PAGING: 'still open',
  ACCEPTED: 'already taken',
  ON_SITE: 'already taken',
  COMPLETED: 'completed',
  UNANSWERED: 'closed',
  CANCELLED: 'cancelled',
};

export function closedReply(p: { replyCode: string; status: DispatchStatus }): string {
  return `Job ${p.replyCode} is ${CLOSED_REASON[p.status]}. Your reply was not recorded.`;
}

export function unknownSenderReply(): string {
  return 'This number is not on the on-call roster, so your reply was not recorded.';
}

export function notPagedReply(replyCode: string): string {
  return `You were not paged for job ${replyCode}. Your reply was not recorded.`;
}

export function unrecognisedReply(): string {
  return 'Reply not understood. Reply YES <code> to accept or NO <code> to decline, using the code in the page.';
}

export function chooseCodeReply(openCodes: string[]): string {
  return fitToSegments(
    ([codes]: [string]) => `You have several open jobs: ${codes}. Reply YES <code> or NO <code> for one of them.`,
    [listCodes(openCodes)],
  );
}

export function unknownCodeReply(code: string, openCodes: string[]): string {
  const unknown = truncateSeptets(toGsmText(code), 12);
  if (openCodes.length === 0) return `No open job has code ${unknown}, and you have no open jobs.`;
  return fitToSegments(
    ([codes]: [string]) => `No open job has code ${unknown}. Your open jobs: ${codes}.`,
    [listCodes(openCodes)],
  );
}

// ---------------------------------------------------------------- caller texts
// Pass the reply code: as the caller's reference it keeps texts of two calls from one caller
// apart, which the SMS gateway's reconciliation by body relies on.

function reference(replyCode: string | undefined): string {
  return replyCode === undefined ? '' : ` (ref ${replyCode})`;
}

export function customerAssignedText(p: { businessName: string; technicianName: string; replyCode?: string; eta?: { clock: string; minutes: number } }): string {
  const eta = p.eta ? ` Expected arrival ${p.eta.clock} (about ${p.eta.minutes} min).` : '';
  return (
    `${shortName(p.businessName)}: technician ${shortName(p.technicianName)} has your call${reference(p.replyCode)} ` +
    `and will phone you shortly.${eta}`
  );
}

/** An ETA given or changed after the accept; `revision` keeps two changes to one time apart. */
export function customerEtaText(p: { businessName: string; technicianName: string; replyCode?: string; clock: string; minutes: number; revision: number }): string {
  const update = p.revision > 1 ? ` (update ${p.revision})` : '';
  return (
    `${shortName(p.businessName)}: ${shortName(p.technicianName)} expects to arrive at ${p.clock}, in about ${p.minutes} min` +
    `${reference(p.replyCode)}${update}.`
  );
}

export function customerCallbackText(p: { businessName: string; opensAt: string; replyCode?: string }): string {
  return (
    `${shortName(p.businessName)}: we got your request${reference(p.replyCode)}. ` +
    `The office will call you back after we open, ${truncateSeptets(toGsmText(p.opensAt), NAME_MAX_SEPTETS)}.`
  );
}

export function customerUnansweredText(p: { businessName: string; replyCode?: string }): string {
  return (
    `${shortName(p.businessName)}: we have not reached a technician for your call${reference(p.replyCode)} yet ` +
    'and keep trying. If anyone is in danger, call 911 now.'
  );
}

// ---------------------------------------------------------------- texts from the caller (spec section 12)

/** The answer to a caller's text: where things stand, and what happens to their message. */
export function callerStatusReply(p: {
  businessName: string;
  replyCode?: string;
  status: DispatchStatus;
  technicianName?: string;
  eta?: string;
  passedOn: boolean;
}): string {
  const who = p.technicianName === undefined ? 'your technician' : shortName(p.technicianName);
  const passed = p.passedOn ? ` We passed your message on to ${who}.` : ' We will pass your message on to the technician who takes your call.';
  const where: Record<DispatchStatus, string> = {
    SCHEDULED: 'the office will call you back after we open.',
    PAGING: 'we are reaching an on-call technician now.',
    ACCEPTED: `${who} has your call${p.eta ? ` and expects to arrive at ${p.eta}` : ''}.`,
    ON_SITE: `${who} is on site.`,
    COMPLETED: 'your job is marked complete.',
    UNANSWERED: 'we have not reached a technician yet and keep trying. If anyone is in danger, call 911 now.',
    CANCELLED: 'your request was closed.',
  };
  const onTheWay = p.status === 'COMPLETED' || p.status === 'CANCELLED' ? '' : passed;
  return `${shortName(p.businessName)}${reference(p.replyCode)}: ${where[p.status]}${onTheWay}`;
}

/** A caller's text for the technician; `number` keeps two identical texts apart. */
export function callerMessageForward(p: { replyCode: string; callerPhone: string; text: string; number: number }): string {
  return fitToSegments(([body]: [string]) => `Caller ${p.callerPhone} (job ${p.replyCode}, text ${p.number}): ${body}`, [toGsmText(p.text)]);
}

// ---------------------------------------------------------------- times

/** e.g. "Mon Mar 9, 8:00 AM" in the business's zone; built from parts to keep it GSM-7 on every ICU. */
export function formatLocalTime(iso: string, timeZone: string): string {
  const part = localParts(iso, timeZone, { weekday: 'short', month: 'short', day: 'numeric' });
  return `${part('weekday')} ${part('month')} ${part('day')}, ${part('hour')}:${part('minute')} ${part('dayPeriod')}`;
}

/** e.g. "9:40 PM" in the business's zone: the ETA a caller and technician read. */
export function formatLocalClock(iso: string, timeZone: string): string {
  const part = localParts(iso, timeZone, {});
  return `${part('hour')}:${part('minute')} ${part('dayPeriod')}`;
}

/** The parts of an instant on the business's 12-hour clock, plus the date fields asked for. */
function localParts(iso: string, timeZone: string, date: Intl.DateTimeFormatOptions): (type: Intl.DateTimeFormatPartTypes) => string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) throw new Error(`not an ISO time: ${iso}`);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, ...date, hour: 'numeric', minute: '2-digit', hour12: true }).formatToParts(instant);
  return (type) => parts.find((p) => p.type === type)?.value ?? '';
}

// ---------------------------------------------------------------- the on-call schedule

export function handOffReminderText(p: { businessName: string; tier: Tier; start: string; end: string; takingOverFrom: string[]; timeZone: string }): string {
  const from = p.takingOverFrom.length ? `, taking over from ${p.takingOverFrom.map(toGsmText).join(' and ')}` : '';
  return fitToSegments(
    ([business, over]: [string, string]) =>
      `${business}: you are on call for tier ${p.tier} from ${formatLocalTime(p.start, p.timeZone)} to ${formatLocalTime(p.end, p.timeZone)}${over}. Reply ONCALL to see who else is on call.`,
    [toGsmText(p.businessName), from],
  );
}

export function coverageGapText(p: { businessName: string; tier: Tier; start: string; end: string; open: boolean; timeZone: string }): string {
  const until = `${p.open ? 'at least ' : ''}${formatLocalTime(p.end, p.timeZone)}`;
  return fitToSegments(
    ([business]: [string]) =>
      `${business}: nobody is on call for tier ${p.tier} from ${formatLocalTime(p.start, p.timeZone)} to ${until}. Add an override in the on-call schedule to cover it.`,
    [toGsmText(p.businessName)],
  );
}

export function onCallReply(p: { onCall: Record<Tier, { name: string }[]>; nextHandOff?: { tier: Tier; technician: string; start: string }; timeZone: string }): string {
  const tiers = ([1, 2, 3] as Tier[]).map((tier) => `tier ${tier}: ${p.onCall[tier].map((t) => t.name).join(', ') || 'nobody'}`).join('; ');
  const next = p.nextHandOff ? ` Next hand-off: ${p.nextHandOff.technician} (tier ${p.nextHandOff.tier}) ${formatLocalTime(p.nextHandOff.start, p.timeZone)}.` : '';
  return fitToSegments(([who, after]: [string, string]) => `On call now - ${who}.${after}`, [toGsmText(tiers), toGsmText(next)]);
}
