import { describe, expect, it } from 'vitest';
import { isOpen, nextOpening, parseBusinessHours } from '../../../src/domain/dispatch/businessHours';
import type { BusinessHours } from '../../../src/domain/types';

const NY = 'America/New_York';
const weekdays = (open: string, close: string, timeZone = NY): BusinessHours => ({ timeZone, days: [1, 2, 3, 4, 5], open, close });
const at = (iso: string) => Date.parse(iso);

describe('parseBusinessHours', () => {
  it.each([
    ['Mon-Fri 08:00-17:00', [1, 2, 3, 4, 5], '08:00', '17:00'],
    ['Mon-Sat 07:30-18:00', [1, 2, 3, 4, 5, 6], '07:30', '18:00'],
    ['  mon-fri   08:00 - 17:00 ', [1, 2, 3, 4, 5], '08:00', '17:00'],
    ['Sat 09:00-12:00', [6], '09:00', '12:00'],
    ['Mon,Wed,Fri 09:00-12:00', [1, 3, 5], '09:00', '12:00'],
    ['Fri-Mon 10:00-14:00', [1, 5, 6, 7], '10:00', '14:00'],
    ['Sun-Thu 00:00-23:59', [1, 2, 3, 4, 7], '00:00', '23:59'],
  ])('%j', (spec, days, open, close) => {
    expect(parseBusinessHours(spec, NY)).toEqual({ timeZone: NY, days, open, close });
  });

  it.each([
    ['', /expected days and times/],
    ['Mon-Fri', /expected days and times/],
    ['Mon-Fri 8:00-17:00', /expected days and times/],
    ['Mon-Fri 08:00', /expected days and times/],
    ['Monday-Friday 08:00-17:00', /expected days and times/],
    ['Mon-Fry 08:00-17:00', /unknown day "Fry"/],
    ['Mon-Fri 08:00-24:00', /"24:00" is not a time/],
    ['Mon-Fri 08:60-17:00', /"08:60" is not a time/],
    ['Mon-Fri 17:00-08:00', /must be before closing/],
    ['Mon-Fri 08:00-08:00', /must be before closing/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseBusinessHours(spec, NY)).toThrow(message);
  });

  it('rejects an unknown time zone', () => {
    expect(() => parseBusinessHours('Mon-Fri 08:00-17:00', 'Mars/Olympus')).toThrow(/unknown IANA time zone "Mars\/Olympus"/);
  });
});

describe('isOpen', () => {
  const hours = weekdays('08:00', '17:00');
  it.each([
    ['2026-03-04T13:00:00Z', true], // Wed 08:00 EST: opening minute is open
    ['2026-03-04T12:59:59Z', false], // Wed 07:59:59 EST
    ['2026-03-04T21:59:00Z', true], // Wed 16:59 EST
    ['2026-03-04T22:00:00Z', false], // Wed 17:00 EST: closing minute is closed
    ['2026-03-09T12:00:00Z', true], // Mon 08:00 EDT (after the spring change)
    ['2026-03-09T12:59:00Z', true],
    ['2026-03-09T21:00:00Z', false], // Mon 17:00 EDT
    ['2026-03-07T15:00:00Z', false], // Saturday 10:00
    ['2026-03-08T15:00:00Z', false], // Sunday 11:00
  ])('%s -> %s', (iso, open) => {
    expect(isOpen(at(iso), hours)).toBe(open);
  });
});

describe('nextOpening', () => {
  it.each([
    // [now, hours, expected next opening]
    ['open now returns now', '2026-03-04T15:00:00Z', weekdays('08:00', '17:00'), '2026-03-04T15:00:00Z'],
    ['before opening, same day', '2026-03-04T10:00:00Z', weekdays('08:00', '17:00'), '2026-03-04T13:00:00Z'],
    ['after closing → next morning', '2026-03-04T23:00:00Z', weekdays('08:00', '17:00'), '2026-03-05T13:00:00Z'],
    ['local evening already next UTC day', '2026-03-05T03:00:00Z', weekdays('08:00', '17:00'), '2026-03-05T13:00:00Z'],
    ['Friday evening → Monday', '2026-03-06T23:00:00Z', weekdays('08:00', '17:00'), '2026-03-09T12:00:00Z'],
    // Spring forward: Sun 2026-03-08 02:00 EST → 03:00 EDT. Monday opens 08:00 EDT = 12:00Z, not 13:00Z.
    ['weekend spanning spring-forward', '2026-03-07T12:00:00Z', weekdays('08:00', '17:00'), '2026-03-09T12:00:00Z'],
    ['Sunday before the change', '2026-03-08T06:30:00Z', weekdays('08:00', '17:00'), '2026-03-09T12:00:00Z'],
    ['open Sunday, the change day', '2026-03-08T05:00:00Z', { ...weekdays('08:00', '17:00'), days: [7] }, '2026-03-08T12:00:00Z'],
    ['opening inside the skipped hour → same distance past it', '2026-03-08T05:00:00Z', { ...weekdays('02:30', '17:00'), days: [7] }, '2026-03-08T07:30:00Z'],
    // Fall back: Sun 2026-11-01 02:00 EDT → 01:00 EST. Monday opens 08:00 EST = 13:00Z.
    ['weekend spanning fall-back', '2026-10-31T12:00:00Z', weekdays('08:00', '17:00'), '2026-11-02T13:00:00Z'],
    ['Friday before fall-back, open 07:30', '2026-10-30T22:00:00Z', weekdays('07:30', '18:00'), '2026-11-02T12:30:00Z'],
    ['open Sunday, the fall-back day', '2026-11-01T03:00:00Z', { ...weekdays('08:00', '17:00'), days: [7] }, '2026-11-01T13:00:00Z'],
    ['opening in the repeated hour → its first occurrence', '2026-11-01T03:00:00Z', { ...weekdays('01:30', '17:00'), days: [7] }, '2026-11-01T05:30:00Z'],
    ['Saturday hours', '2026-03-06T23:00:00Z', { ...weekdays('07:30', '18:00'), days: [1, 2, 3, 4, 5, 6] }, '2026-03-07T12:30:00Z'],
    ['only Mondays, on Monday after close → a week later', '2026-03-09T22:00:00Z', { ...weekdays('08:00', '17:00'), days: [1] }, '2026-03-16T12:00:00Z'],
    ['Europe/Berlin weekend over its spring change', '2026-03-28T12:00:00Z', weekdays('08:00', '17:00', 'Europe/Berlin'), '2026-03-30T06:00:00Z'],
    ['Asia/Kolkata (half-hour offset)', '2026-03-04T13:00:00Z', weekdays('09:00', '18:00', 'Asia/Kolkata'), '2026-03-05T03:30:00Z'],
  ] satisfies Array<[string, string, BusinessHours, string]>)('%s', (_name, now, hours, expected) => {
    const result = nextOpening(at(now), hours);
    expect(new Date(result).toISOString()).toBe(new Date(expected).toISOString());
    expect(isOpen(result, hours)).toBe(true);
  });

  it('keeps sub-second precision of now when open', () => {
    const now = at('2026-03-04T15:00:00.123Z');
    expect(nextOpening(now, weekdays('08:00', '17:00'))).toBe(now);
  });

  it('throws when no day is an opening day', () => {
    expect(() => nextOpening(at('2026-03-04T15:00:00Z'), { ...weekdays('08:00', '17:00'), days: [] })).toThrow(/no opening day/);
  });
});
