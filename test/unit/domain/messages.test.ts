import { describe, expect, it } from 'vitest';
import * as messages from '../../../src/domain/dispatch/messages';
import { DISPATCH_STATUSES, URGENCIES, type Tier } from '../../../src/domain/types';

const { smsSegments, toGsmText, pageText, formatLocalTime } = messages;

const LONG = 'The boiler in the basement is making a loud banging noise and water is leaking everywhere. '.repeat(12);
const LONG_NAME = 'Bartholomew-Maximilian Featherstonehaugh-Worthington the Third';

describe('smsSegments', () => {
  it.each([
    ['', 'GSM-7', 0],
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['a'.repeat(306), 'GSM-7', 2],
    ['a'.repeat(307), 'GSM-7', 3],
    ['€'.repeat(80), 'GSM-7', 1], // 160 septets
    ['€' + 'a'.repeat(159), 'GSM-7', 2], // 161 septets
    ['[]{}^~|\\'.repeat(10), 'GSM-7', 1],
    // 152 plain septets then '€': the escape pair may not straddle segments.
    ['a'.repeat(152) + '€' + 'a'.repeat(10), 'GSM-7', 2],
    ['a'.repeat(152) + '€' + 'a'.repeat(152), 'GSM-7', 3],
    ['Ça coûte 5€ à Zürich', 'UCS-2', 1], // û is not GSM-7
    ['é'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(69) + '🔥', 'UCS-2', 2], // emoji = 2 code units, 71 > 70
    ['a'.repeat(68) + '🔥', 'UCS-2', 1],
    ['ü'.repeat(10) + 'ł'.repeat(60), 'UCS-2', 1],
    ['ł'.repeat(71), 'UCS-2', 2],
    ['ł'.repeat(134), 'UCS-2', 2],
    ['ł'.repeat(135), 'UCS-2', 3],
  ])('%j -> %s, %i segment(s)', (text, encoding, segments) => {
    expect(smsSegments(text)).toEqual({ encoding, segments });
  });
});

describe('toGsmText', () => {
  it.each([
    ['It’s “broken” – again…', 'It\'s "broken" - again...'],
    ['  two\nlines\there ', 'two lines here'],
    ['Façade Łódź', 'Facade ?odz'], // GSM-7 has only upper-case Ç; Ł has no base letter; ó → o
    ['gas 🔥 smell', 'gas ? smell'],
    ['crème brûlée', 'crème brulée'], // è and é are GSM-7, û is not
  ])('%j -> %j', (input, expected) => {
    const out = toGsmText(input);
    expect(out).toBe(expected);
    expect(smsSegments(out).encoding).toBe('GSM-7');
  });
});

const codes = ['K7M2', 'X9QP', 'ABCDEFGH', 'ZZZ'];

// Every template with the longest inputs a caller or roster can produce.
const allTexts: Record<string, string> = {
  page: pageText({ businessName: LONG_NAME, urgency: 'emergency', summary: LONG, address: LONG, replyCode: 'ABCDEFGH', attempt: 12, tier: 3 }),
  pageNoAddress: pageText({ businessName: 'Acme', urgency: 'urgent', summary: LONG, replyCode: 'K7M2', attempt: 1, tier: 1 }),
  accepted: messages.acceptedReply({ callerPhone: '+12125550100', summary: LONG, address: LONG, replyCode: 'K7M2' }),
  alreadyTaken: messages.alreadyTakenReply({ name: LONG_NAME.repeat(5), replyCode: 'K7M2' }),
  alreadyYours: messages.alreadyYoursReply({ replyCode: 'K7M2', callerPhone: '+12125550100' }),
  declined: messages.declinedReply({ replyCode: 'K7M2' }),
  unknownSender: messages.unknownSenderReply(),
  unknownCode: messages.unknownCodeReply('QQQQQQQQQQQQQQQQQQQQ', Array.from({ length: 80 }, (_, i) => `C${i}XYZ`)),
  chooseCode: messages.chooseCodeReply(Array.from({ length: 80 }, (_, i) => `C${i}XYZ`)),
  unrecognised: messages.unrecognisedReply(),
  notPaged: messages.notPagedReply('K7M2'),
  standDownTaken: messages.standDownText({ replyCode: 'K7M2', name: LONG_NAME, reason: 'taken' }),
  standDownCancelled: messages.standDownText({ replyCode: 'K7M2', reason: 'cancelled' }),
  customerAssigned: messages.customerAssignedText({ businessName: LONG_NAME, technicianName: LONG_NAME, replyCode: 'K7M2' }),
  customerCallback: messages.customerCallbackText({ businessName: LONG_NAME, opensAt: 'Mon Mar 9, 8:00 AM', replyCode: 'K7M2' }),
  customerUnanswered: messages.customerUnansweredText({ businessName: LONG_NAME, replyCode: 'K7M2' }),
  managerAlert: messages.managerAlertText({ replyCode: 'K7M2', summary: LONG, callerPhone: '+12125550100' }),
};

describe('templates', () => {
  it.each(Object.entries(allTexts))('%s is plain GSM-7 within 1-2 segments', (_name, text) => {
    const { encoding, segments } = smsSegments(text);
    expect(encoding).toBe('GSM-7');
    expect(segments).toBeGreaterThanOrEqual(1);
    expect(segments).toBeLessThanOrEqual(2);
  });

  it.each(DISPATCH_STATUSES)('closedReply for %s names the code', (status) => {
    expect(messages.closedReply({ replyCode: 'K7M2', status })).toContain('K7M2');
  });

  it('truncates long free text with an ellipsis but keeps it when it fits', () => {
    expect(allTexts.page).toContain('...');
    const short = pageText({ businessName: 'Acme', urgency: 'urgent', summary: 'No heat', address: '1 Main St', replyCode: 'K7M2', attempt: 1, tier: 1 });
    expect(short).toBe('URGENT job K7M2 for Acme: No heat. Address: 1 Main St. Reply YES K7M2 to accept, NO K7M2 to decline');
  });

  it('gives the address room when the summary is long', () => {
    const text = pageText({ businessName: 'Acme', urgency: 'urgent', summary: LONG, address: '12 Elm Street, Springfield', replyCode: 'K7M2', attempt: 1, tier: 1 });
    expect(text).toContain('Address: 12 Elm Street, Springfield.');
    expect(smsSegments(text).segments).toBe(2);
  });

  it('keeps caller text in GSM-7 even with emoji and smart quotes', () => {
    const text = pageText({ businessName: 'Acme', urgency: 'emergency', summary: 'Gas “smell” 🔥', replyCode: 'K7M2', attempt: 1, tier: 1 });
    expect(text).toContain(': Gas "smell" ? Reply YES');
    expect(smsSegments(text).encoding).toBe('GSM-7');
  });

  describe('pageText', () => {
    const base = { businessName: 'Acme Heating', summary: LONG, address: LONG, replyCode: 'X9QP' };

    it.each(URGENCIES.flatMap((urgency) => ([1, 2, 3] as Tier[]).flatMap((tier) => [1, 2, 5].map((attempt) => ({ urgency, tier, attempt })))))(
      'ends with the exact reply instruction: %j',
      (p) => {
        const text = pageText({ ...base, ...p });
        expect(text.endsWith('Reply YES X9QP to accept, NO X9QP to decline')).toBe(true);
        expect(text).toContain(p.urgency.toUpperCase());
      },
    );

    it('marks follow-ups with their attempt number and first pages not at all', () => {
      expect(pageText({ ...base, urgency: 'urgent', tier: 1, attempt: 1 })).not.toMatch(/FOLLOW-UP/);
      expect(pageText({ ...base, urgency: 'urgent', tier: 1, attempt: 2 })).toMatch(/^FOLLOW-UP 2: /);
      expect(pageText({ ...base, urgency: 'urgent', tier: 1, attempt: 7 })).toMatch(/^FOLLOW-UP 7: /);
    });

    it('tells backup and manager tiers apart', () => {
      expect(pageText({ ...base, urgency: 'urgent', tier: 2, attempt: 1 })).toContain('(backup)');
      expect(pageText({ ...base, urgency: 'urgent', tier: 3, attempt: 1 })).toContain('(manager escalation)');
    });
  });

  it('every text one technician or caller can get for a dispatch is unique', () => {
    const p = { businessName: 'Acme', urgency: 'urgent' as const, summary: 'No heat', replyCode: 'K7M2', tier: 1 as Tier };
    const perTechnician = [
      pageText({ ...p, attempt: 1 }),
      pageText({ ...p, attempt: 2 }),
      pageText({ ...p, attempt: 3 }),
      messages.standDownText({ replyCode: 'K7M2', reason: 'taken', name: 'Dana' }),
      messages.standDownText({ replyCode: 'K7M2', reason: 'cancelled' }),
      messages.managerAlertText({ replyCode: 'K7M2', summary: 'No heat', callerPhone: '+12125550100' }),
    ];
    expect(new Set(perTechnician).size).toBe(perTechnician.length);
    // Another dispatch never repeats a text of this one.
    const otherDispatch = pageText({ ...p, replyCode: 'X9QP', attempt: 1 });
    expect(perTechnician).not.toContain(otherDispatch);
    const customer = (code: string) => [
      messages.customerAssignedText({ businessName: 'Acme', technicianName: 'Dana', replyCode: code }),
      messages.customerCallbackText({ businessName: 'Acme', opensAt: 'Mon 8:00 AM', replyCode: code }),
      messages.customerUnansweredText({ businessName: 'Acme', replyCode: code }),
    ];
    for (const text of customer('K7M2')) expect(customer('X9QP')).not.toContain(text);
    expect(customer('K7M2')[0]).toContain('(ref K7M2)');
  });

  it('names who took the job and lists open codes', () => {
    expect(messages.alreadyTakenReply({ name: 'Dana Ruiz', replyCode: 'K7M2' })).toMatch(/already taken by Dana Ruiz/);
    expect(messages.standDownText({ replyCode: 'K7M2', name: 'Dana', reason: 'taken' })).toMatch(/taken by Dana/);
    expect(messages.chooseCodeReply(codes)).toContain('K7M2, X9QP, ABCDEFGH, ZZZ');
    expect(messages.unknownCodeReply('QQQ', codes)).toMatch(/code QQQ.*K7M2, X9QP/);
    expect(messages.unknownCodeReply('QQQ', [])).toMatch(/no open jobs/);
    expect(messages.acceptedReply({ callerPhone: '+12125550100', summary: 'No heat', replyCode: 'K7M2' })).toBe(
      'Job K7M2 is yours. Call the customer now: +12125550100. Problem: No heat.',
    );
    expect(messages.customerUnansweredText({ businessName: 'Acme', replyCode: 'K7M2' })).toMatch(/911/);
  });
});

describe('formatLocalTime', () => {
  it.each([
    ['2026-03-09T12:00:00Z', 'America/New_York', 'Mon Mar 9, 8:00 AM'], // EDT, day after the change
    ['2026-03-06T13:30:00Z', 'America/New_York', 'Fri Mar 6, 8:30 AM'], // EST
    ['2026-07-01T23:05:00Z', 'America/Los_Angeles', 'Wed Jul 1, 4:05 PM'],
    ['2026-01-01T00:00:00Z', 'Europe/Berlin', 'Thu Jan 1, 1:00 AM'],
  ])('%s in %s -> %s', (iso, zone, expected) => {
    const text = formatLocalTime(iso, zone);
    expect(text).toBe(expected);
    expect(smsSegments(text).encoding).toBe('GSM-7');
  });

  it('rejects a non-time', () => {
    expect(() => formatLocalTime('tomorrow', 'America/New_York')).toThrow(/not an ISO time/);
  });
});
