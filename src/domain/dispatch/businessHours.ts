// Office hours in the business's own time zone. Pure (Intl only): the workflow sandbox uses it to
// decide how long a routine dispatch sleeps.

import type { BusinessHours } from '../types';

const DAY_NAMES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday */
  weekday: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function localParts(instantMs: number, timeZone: string): LocalDateTime & { second: number } {
  const parts = formatterFor(timeZone).formatToParts(instantMs);
  const numberOf = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const weekdayName = parts.find((p) => p.type === 'weekday')?.value.toUpperCase() ?? '';
  return {
    year: numberOf('year'),
    month: numberOf('month'),
    day: numberOf('day'),
    weekday: DAY_NAMES.indexOf(weekdayName) + 1,
    minuteOfDay: numberOf('hour') * 60 + numberOf('minute'),
    second: numberOf('second'),
  };
}

/** The zone's offset from UTC at `instantMs`, in ms (negative west of Greenwich). */
function offsetAt(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  const local = localParts(wholeSecond, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, 0, local.minuteOfDay, local.second);
  return asUtc - wholeSecond;
}

/**
 * The instant a local wall-clock time happens. A time skipped by a spring-forward change maps to
 * the same distance past the gap; a time repeated by a fall-back change maps to its first occurrence.
 */
function instantOf(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): number {
  const wallAsUtc = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  // Zones change offset at most once a day, so the offsets a day either side bracket the answer.
  const offsetBefore = offsetAt(wallAsUtc - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wallAsUtc + DAY_MS, timeZone);
  const candidates = [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter]
    .filter((instant) => instant + offsetAt(instant, timeZone) === wallAsUtc)
    .sort((a, b) => a - b);
  return candidates[0] ?? wallAsUtc - offsetBefore;
}

function minuteOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours! * 60 + minutes!;
}

export function isOpen(nowMs: number, hours: BusinessHours): boolean {
  const local = localParts(nowMs, hours.timeZone);
  return (
    hours.days.includes(local.weekday) &&
    local.minuteOfDay >= minuteOfDay(hours.open) &&
    local.minuteOfDay < minuteOfDay(hours.close)
  );
}

/** Epoch ms of the next moment the office is open: `nowMs` itself when it is open now. */
export function nextOpening(nowMs: number, hours: BusinessHours): number {
  if (isOpen(nowMs, hours)) return nowMs;
  const today = localParts(nowMs, hours.timeZone);
  // Calendar arithmetic on a UTC date avoids the zone: only the opening instant needs it.
  for (let ahead = 0; ahead <= 7; ahead++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
    if (!hours.days.includes(weekday)) continue;
    const opening = instantOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), minuteOfDay(hours.open), hours.timeZone);
    if (opening > nowMs) return opening;
  }
  throw new Error('business hours have no opening day');
}

// ---------------------------------------------------------------- parsing "Mon-Fri 08:00-17:00"

const SPEC_PATTERN = /^([A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?(?:\s*,\s*[A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?)*)\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

function dayNumber(name: string, spec: string): number {
  const index = DAY_NAMES.indexOf(name.toUpperCase());
  if (index < 0) throw new Error(`business hours "${spec}": unknown day "${name}" (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)`);
  return index + 1;
}

/** "Mon-Fri", "Sat", "Fri-Mon" (wrapping) or lists of those: ISO weekdays in week order. */
function parseDays(daysSpec: string, spec: string): number[] {
  const days = new Set<number>();
  for (const range of daysSpec.split(',')) {
    const [first, last = first] = range.split('-').map((name) => dayNumber(name.trim(), spec));
    for (let day = first!; ; day = (day % 7) + 1) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** Parses e.g. `Mon-Fri 08:00-17:00`, `Mon-Sat 07:30-18:00`, `Mon,Wed,Fri 09:00-12:00` in `timeZone`. */
export function parseBusinessHours(spec: string, timeZone: string): BusinessHours {
  const match = SPEC_PATTERN.exec(spec.trim());
  if (!match) {
    throw new Error(`business hours "${spec}": expected days and times like "Mon-Fri 08:00-17:00"`);
  }
  const [, daysSpec, open, close] = match as unknown as [string, string, string, string];
  for (const time of [open, close]) {
    if (!TIME_PATTERN.test(time)) throw new Error(`business hours "${spec}": "${time}" is not a time from 00:00 to 23:59`);
  }
  if (minuteOfDay(open) >= minuteOfDay(close)) {
    throw new Error(`business hours "${spec}": opening ${open} must be before closing ${close} on the same day`);
  }
  try {
    formatterFor(timeZone);
  } catch {
    throw new Error(`business hours: unknown IANA time zone "${timeZone}"`);
  }
  return { timeZone, days: parseDays(daysSpec, spec), open, close };
}
