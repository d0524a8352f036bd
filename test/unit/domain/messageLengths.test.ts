// Every SMS template (src/domain/dispatch/messages.ts, the one module that words them), and what
// it costs: its length in characters and in segments, as sent (GSM-7, free text transliterated)
// and as it would be in UCS-2 (what one emoji or curly quote left in would make of it), for a
// typical call and for the longest input the API and the IVR take (a 5000-character summary with
// emoji and accents, a 1000-character address, long names, 80 open codes). No SMS exceeds two
// GSM-7 segments, far under Twilio's 1600 characters, and a page keeps its reply instruction.
import { describe, expect, it } from 'vitest';
import * as text from '../../../src/domain/dispatch/messages';

/** What the module exports besides its one-SMS templates; a bundle of pages (several SMS) has its own tests below. */
const HELPERS = ['smsSegments', 'ucs2Segments', 'toGsmText', 'busyLabel', 'formatLocalTime', 'formatLocalClock', 'SMS_BODY_LIMIT', 'bundledPagesText'] as const;
type Template = Exclude<keyof typeof text, (typeof HELPERS)[number]>;

const code = 'K7QP';
const caller = '+12125550150';
const clock = '10:40 PM';
const tz = 'America/New_York';

/** A weeknight emergency as it usually comes. */
const typical: Record<Template, string> = {
  pageText: text.pageText({ businessName: 'Acme Plumbing', urgency: 'emergency', summary: 'Burst pipe in the basement, water rising', address: '12 Elm St', replyCode: code, attempt: 1, tier: 1 }),
  standDownText: text.standDownText({ replyCode: code, name: 'Alex Rivera', reason: 'taken' }),
  managerAlertText: text.managerAlertText({ replyCode: code, summary: 'Burst pipe in the basement, water rising', callerPhone: caller }),
  acceptedReply: text.acceptedReply({ callerPhone: caller, summary: 'Burst pipe in the basement, water rising', address: '12 Elm St', replyCode: code, askEta: true }),
  etaSetReply: text.etaSetReply({ replyCode: code, clock, minutes: 40 }),
  arrivedReply: text.arrivedReply({ replyCode: code }),
  completedReply: text.completedReply({ replyCode: code }),
  alreadyArrivedReply: text.alreadyArrivedReply({ replyCode: code }),
  notYourJobReply: text.notYourJobReply({ replyCode: code, assignedTo: 'Alex Rivera' }),
  noJobInProgressReply: text.noJobInProgressReply(),
  chooseJobReply: text.chooseJobReply([code, 'X9M2']),
  checkInText: text.checkInText({ replyCode: code, clock, check: 1 }),
  overdueAlertText: text.overdueAlertText({ replyCode: code, technicianName: 'Alex Rivera', clock, summary: 'Burst pipe in the basement, water rising', callerPhone: caller, alert: 1 }),
  alreadyYoursReply: text.alreadyYoursReply({ replyCode: code, callerPhone: caller }),
  alreadyTakenReply: text.alreadyTakenReply({ name: 'Alex Rivera', replyCode: code }),
  declinedReply: text.declinedReply({ replyCode: code }),
  closedReply: text.closedReply({ replyCode: code, status: 'COMPLETED' }),
  unknownSenderReply: text.unknownSenderReply(),
  notPagedReply: text.notPagedReply(code),
  unrecognisedReply: text.unrecognisedReply(),
  chooseCodeReply: text.chooseCodeReply([code, 'X9M2']),
  unknownCodeReply: text.unknownCodeReply('ZZZ9', [code, 'X9M2']),
  customerAssignedText: text.customerAssignedText({ businessName: 'Acme Plumbing', technicianName: 'Alex Rivera', replyCode: code, eta: { clock, minutes: 40 } }),
  customerEtaText: text.customerEtaText({ businessName: 'Acme Plumbing', technicianName: 'Alex Rivera', replyCode: code, clock, minutes: 40, revision: 2 }),
  customerCallbackText: text.customerCallbackText({ businessName: 'Acme Plumbing', opensAt: 'Mon Mar 9, 8:00 AM', replyCode: code }),
  customerUnansweredText: text.customerUnansweredText({ businessName: 'Acme Plumbing', replyCode: code }),
  callerStatusReply: text.callerStatusReply({ businessName: 'Acme Plumbing', replyCode: code, status: 'ACCEPTED', technicianName: 'Alex Rivera', eta: clock, passedOn: true }),
  callerMessageForward: text.callerMessageForward({ replyCode: code, callerPhone: caller, text: 'Gate code is 1234, the dog is friendly', number: 1 }),
  handOffReminderText: text.handOffReminderText({ businessName: 'Acme Plumbing', tier: 1, start: '2026-03-09T22:00:00Z', end: '2026-03-16T22:00:00Z', takingOverFrom: ['Jordan Lee'], timeZone: tz }),
  coverageGapText: text.coverageGapText({ businessName: 'Acme Plumbing', tier: 1, start: '2026-03-09T22:00:00Z', end: '2026-03-10T10:00:00Z', open: false, timeZone: tz }),
  onCallReply: text.onCallReply({ onCall: { 1: [{ name: 'Alex Rivera' }], 2: [{ name: 'Sam Chen' }], 3: [{ name: 'Pat Morgan' }] }, timeZone: tz }),
};

// The longest of everything.
const longCode = 'ABCDEFGH';
const summary = `Chaudière en panne 🔥🚿 — Zoë says the água is everywhere, ${'the basement is flooding and the pump died. '.repeat(120)}`.slice(0, 5000);
const address = `Apt 4°, 12 Rue de l'Église 🏠, ${'behind the blue gate, '.repeat(60)}`.slice(0, 1000);
const name = 'Bartholomew-Maximilian Featherstonehaugh-Worthington the Third 👷';
const codes = Array.from({ length: 80 }, (_, i) => `C${i}XYZ`);

const longest: Record<Template, string> = {
  pageText: text.pageText({ businessName: name, urgency: 'emergency', summary, address, replyCode: longCode, attempt: 12, tier: 3, feeAccepted: false }),
  standDownText: text.standDownText({ replyCode: longCode, name, reason: 'taken' }),
  managerAlertText: text.managerAlertText({ replyCode: longCode, summary, callerPhone: caller }),
  acceptedReply: text.acceptedReply({ callerPhone: caller, summary, address, replyCode: longCode, eta: { clock, minutes: 1440 } }),
  etaSetReply: text.etaSetReply({ replyCode: longCode, clock, minutes: 1440 }),
  arrivedReply: text.arrivedReply({ replyCode: longCode }),
  completedReply: text.completedReply({ replyCode: longCode }),
  alreadyArrivedReply: text.alreadyArrivedReply({ replyCode: longCode }),
  notYourJobReply: text.notYourJobReply({ replyCode: longCode, assignedTo: name }),
  noJobInProgressReply: text.noJobInProgressReply(),
  chooseJobReply: text.chooseJobReply(codes),
  checkInText: text.checkInText({ replyCode: longCode, clock, check: 12 }),
  overdueAlertText: text.overdueAlertText({ replyCode: longCode, technicianName: name, clock, summary, callerPhone: caller, alert: 12 }),
  alreadyYoursReply: text.alreadyYoursReply({ replyCode: longCode, callerPhone: caller }),
  alreadyTakenReply: text.alreadyTakenReply({ name, replyCode: longCode }),
  declinedReply: text.declinedReply({ replyCode: longCode }),
  closedReply: text.closedReply({ replyCode: longCode, status: 'UNANSWERED' }),
  unknownSenderReply: text.unknownSenderReply(),
  notPagedReply: text.notPagedReply(longCode),
  unrecognisedReply: text.unrecognisedReply(),
  chooseCodeReply: text.chooseCodeReply(codes),
  unknownCodeReply: text.unknownCodeReply('Q'.repeat(40), codes),
  customerAssignedText: text.customerAssignedText({ businessName: name, technicianName: name, replyCode: longCode, eta: { clock, minutes: 1440 } }),
  customerEtaText: text.customerEtaText({ businessName: name, technicianName: name, replyCode: longCode, clock, minutes: 1440, revision: 12 }),
  customerCallbackText: text.customerCallbackText({ businessName: name, opensAt: 'Mon Mar 9, 8:00 AM', replyCode: longCode }),
  customerUnansweredText: text.customerUnansweredText({ businessName: name, replyCode: longCode }),
  callerStatusReply: text.callerStatusReply({ businessName: name, replyCode: longCode, status: 'UNANSWERED', technicianName: name, eta: clock, passedOn: false }),
  callerMessageForward: text.callerMessageForward({ replyCode: longCode, callerPhone: caller, text: summary, number: 12 }),
  handOffReminderText: text.handOffReminderText({ businessName: name, tier: 3, start: '2026-03-09T22:00:00Z', end: '2026-03-16T22:00:00Z', takingOverFrom: [name, name, name], timeZone: tz }),
  coverageGapText: text.coverageGapText({ businessName: name, tier: 1, start: '2026-03-09T22:00:00Z', end: '2026-03-10T10:00:00Z', open: true, timeZone: tz }),
  onCallReply: text.onCallReply({ onCall: { 1: Array(20).fill({ name }), 2: Array(20).fill({ name }), 3: [] }, nextHandOff: { tier: 1, technician: name, start: '2026-03-09T22:00:00Z' }, timeZone: tz }),
};

// template                   typical: chars, GSM-7, UCS-2 segments   longest: chars, GSM-7, UCS-2 segments
const TABLE: Array<[Template, number, number, number, number, number, number]> = [
  ['pageText',               144, 1, 3,   306, 2, 5],
  ['standDownText',           80, 1, 2,   113, 1, 2],
  ['managerAlertText',       144, 1, 3,   306, 2, 5],
  ['acceptedReply',          175, 2, 3,   305, 2, 5],
  ['etaSetReply',             97, 1, 2,   107, 1, 2],
  ['arrivedReply',            71, 1, 2,    79, 1, 2],
  ['completedReply',          36, 1, 1,    40, 1, 1],
  ['alreadyArrivedReply',     79, 1, 2,    87, 1, 2],
  ['notYourJobReply',         74, 1, 2,   107, 1, 2],
  ['noJobInProgressReply',    60, 1, 1,    60, 1, 1],
  ['chooseJobReply',          87, 1, 2,   306, 2, 5],
  ['checkInText',            122, 1, 2,   137, 1, 3],
  ['overdueAlertText',       130, 1, 2,   305, 2, 5],
  ['alreadyYoursReply',       50, 1, 1,    54, 1, 1],
  ['alreadyTakenReply',       59, 1, 1,    92, 1, 2],
  ['declinedReply',           57, 1, 1,    61, 1, 1],
  ['closedReply',             51, 1, 1,    52, 1, 1],
  ['unknownSenderReply',      73, 1, 2,    73, 1, 2],
  ['notPagedReply',           61, 1, 1,    65, 1, 1],
  ['unrecognisedReply',      101, 1, 2,   101, 1, 2],
  ['chooseCodeReply',         86, 1, 2,   306, 2, 5],
  ['unknownCodeReply',        54, 1, 1,   306, 2, 5],
  ['customerAssignedText',   132, 1, 2,   194, 2, 3],
  ['customerEtaText',         96, 1, 2,   159, 1, 3],
  ['customerCallbackText',   111, 1, 2,   142, 1, 3],
  ['customerUnansweredText', 131, 1, 2,   162, 2, 3],
  ['callerStatusReply',      128, 1, 2,   216, 2, 4],
  ['callerMessageForward',    78, 1, 2,   305, 2, 5],
  ['handOffReminderText',    159, 1, 3,   306, 2, 5],
  ['coverageGapText',        144, 1, 3,   204, 2, 4],
  ['onCallReply',             72, 1, 2,   306, 2, 5],
];

describe('the length of every template', () => {
  it('the table lists every template of the module', () => {
    const templates = Object.keys(text).filter((name) => !(HELPERS as readonly string[]).includes(name));
    expect(TABLE.map(([name]) => name).sort()).toEqual(templates.sort());
  });

  it.each(TABLE)('%s: typical %i chars, %i GSM-7 / %i UCS-2 segments; longest %i chars, %i GSM-7 / %i UCS-2', (name, chars, gsm7, ucs2, longChars, longGsm7, longUcs2) => {
    for (const [body, expected] of [
      [typical[name], { chars, gsm7, ucs2 }],
      [longest[name], { chars: longChars, gsm7: longGsm7, ucs2: longUcs2 }],
    ] as const) {
      expect(text.smsSegments(body), body).toEqual({ encoding: 'GSM-7', segments: expected.gsm7 });
      expect({ chars: body.length, ucs2: text.ucs2Segments(body) }, body).toEqual({ chars: expected.chars, ucs2: expected.ucs2 });
      expect(expected.gsm7).toBeLessThanOrEqual(2);
    }
  });

  it('a page shortened from a long summary keeps its reply instruction and says the fee', () => {
    expect(longest.pageText).toMatch(/Fee NOT agreed\. Reply YES ABCDEFGH to accept, NO ABCDEFGH to decline$/);
    expect(longest.pageText).toMatch(/^FOLLOW-UP 12: EMERGENCY job ABCDEFGH \(manager escalation\) for Bartholomew.*: Chaudi.re en panne \?\? - Zoe says/);
    expect(longest.pageText).toContain('...');
  });

  it("the caller's ETA text names the technician, the clock time and the minutes", () => {
    expect(typical.customerEtaText).toBe('Acme Plumbing: Alex Rivera expects to arrive at 10:40 PM, in about 40 min (ref K7QP) (update 2).');
    expect(typical.customerAssignedText).toBe(
      'Acme Plumbing: technician Alex Rivera has your call (ref K7QP) and will phone you shortly. Expected arrival 10:40 PM (about 40 min).',
    );
  });
});

describe('a bundle of pages (spec section 10)', () => {
  const job = (i: number, over: Partial<text.PageFields> = {}) => ({
    businessName: 'Acme Plumbing',
    urgency: 'emergency' as const,
    summary: 'Burst pipe in the basement, water rising',
    address: '12 Elm St',
    attempt: 1,
    tier: 1 as const,
    replyCode: `K${String(i).padStart(2, '0')}Q`,
    ...over,
  });

  it('30 jobs of a freeze night fit in as few SMS as the 1600-character limit allows, every code once', () => {
    const parts = text.bundledPagesText('Acme Plumbing', Array.from({ length: 30 }, (_, i) => job(i)));
    expect(parts.length).toBe(2);
    for (const part of parts) {
      expect(part.body.length).toBeLessThanOrEqual(text.SMS_BODY_LIMIT);
      expect(text.smsSegments(part.body).encoding).toBe('GSM-7');
      for (const code of part.replyCodes) expect(part.body).toContain(`${code}: EMERGENCY`);
    }
    expect(parts.flatMap((p) => p.replyCodes)).toEqual(Array.from({ length: 30 }, (_, i) => job(i).replyCode));
    expect(parts[0]!.body).toMatch(/^Acme Plumbing: \d+ jobs need you \(1\/2\):\nK00Q: EMERGENCY - Burst pipe in the basement, water rising\. @ 12 Elm St\n/);
    expect(parts[0]!.body).toMatch(/\nReply YES <code> to accept, NO <code> to decline \(e\.g\. YES K00Q\)\.$/);
  });

  it('the longest input still keeps every part under the limit; a follow-up and a busy technician say so', () => {
    const parts = text.bundledPagesText(
      longest.pageText.slice(0, 80),
      Array.from({ length: 40 }, (_, i) => job(i, { summary, address, attempt: 3, tier: 2, feeAccepted: false })),
      { replyCode: 'B7XY', summary },
    );
    for (const part of parts) expect(part.body.length).toBeLessThanOrEqual(text.SMS_BODY_LIMIT);
    expect(parts[0]!.body).toMatch(/^You are on job B7XY \(Chaudi.re en panne.*\); nobody else is free\. /);
    expect(parts[0]!.body).toContain('K00Q: EMERGENCY follow-up 3 (backup) - Chaudi');
    expect(parts[0]!.body).toContain(' fee NOT agreed');
  });

  it('a page to a busy technician names the job they are on, and still ends with its reply instruction', () => {
    const body = text.pageText({ ...job(1), busyWith: { replyCode: 'B7XY', summary: 'No heat' } });
    expect(body).toBe('You are on job B7XY (No heat); nobody else is free. EMERGENCY job K01Q for Acme Plumbing: Burst pipe in the basement, water rising. Address: 12 Elm St. Reply YES K01Q to accept, NO K01Q to decline');
  });
});
