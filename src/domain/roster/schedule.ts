// Who is on call (spec section 9): rotations and overrides over the Technicians roster. Pure: the
// schedule workflow, the API and the tests call it with an instant. Wall-clock arithmetic runs in
// the business time zone (luxon), so a Friday 17:00 hand-off stays 17:00 across daylight saving.
import { DateTime } from 'luxon';
import type { Technician, Tier } from '../types';

export const TIERS: readonly Tier[] = [1, 2, 3];

export interface Rotation {
  name: string;
  tier: Tier;
  /** technician names in rotation order */
  members: string[];
  /** when member 0's first shift begins: ISO, with an offset or in the business time zone */
  start: string;
  shiftHours: number;
  active: boolean;
}

export interface Override {
  name: string;
  technician: string;
  tier: Tier;
  start: string;
  end: string;
  /** a technician off call for the tier meanwhile */
  replaces?: string;
}

export interface Schedule {
  /** the roster: only Active technicians with a valid number are ever on call */
  technicians: Technician[];
  rotations: Rotation[];
  overrides: Override[];
  timeZone: string;
}

/** One declared stretch of on-call duty: a rotation member's shift, or an override. */
export interface Shift {
  tier: Tier;
  technician: Technician;
  start: number;
  end: number;
  /** the rotation or override it comes from */
  source: string;
}

export interface CoverageGap {
  start: number;
  /** the end of the gap, or the horizon when it lasts beyond it */
  end: number;
}

const HOUR_MS = 3_600_000;

/** An instant from schedule text: with an offset as given, without one in the business time zone. */
export function scheduleInstant(text: string, timeZone: string): number {
  const parsed = DateTime.fromISO(text.trim(), { zone: timeZone, setZone: false });
  if (!parsed.isValid) throw new RangeError(`"${text}" is not a date-time`);
  return parsed.toMillis();
}

/** The wall-clock reading of an instant in the zone, as milliseconds of a zone-free timeline. */
function wallClock(instant: number, timeZone: string): number {
  const local = DateTime.fromMillis(instant, { zone: timeZone });
  return local.toMillis() + local.offset * 60_000;
}

/** The instant a wall-clock reading names in the zone; a reading skipped by daylight saving moves forward. */
function fromWallClock(wall: number, timeZone: string): number {
  return DateTime.fromMillis(wall, { zone: 'UTC' }).setZone(timeZone, { keepLocalTime: true }).toMillis();
}

const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The schedule's view of the roster: Active technicians with a valid number, found by name. */
function findTechnician(schedule: Schedule, name: string): Technician | undefined {
  return schedule.technicians.find((t) => t.active && sameName(t.name, name));
}

/** Rotation shifts that overlap [from, to), in order. */
export function rotationShifts(rotation: Rotation, from: number, to: number, timeZone: string): { member: string; start: number; end: number }[] {
  const n = rotation.members.length;
  if (!rotation.active || n === 0 || !(rotation.shiftHours > 0)) return [];
  const shiftMs = rotation.shiftHours * HOUR_MS;
  const wallStart = wallClock(scheduleInstant(rotation.start, timeZone), timeZone);
  const startOf = (k: number) => fromWallClock(wallStart + k * shiftMs, timeZone);
  // The wall clock differs from real time by at most a day: step back one shift to be safe.
  let k = Math.max(0, Math.floor((wallClock(from, timeZone) - wallStart) / shiftMs) - 1);
  const shifts: { member: string; start: number; end: number }[] = [];
  for (; startOf(k) < to; k++) {
    const start = startOf(k);
    const end = startOf(k + 1);
    if (end > from && end > start) shifts.push({ member: rotation.members[k % n]!, start, end });
  }
  return shifts;
}

interface Window {
  start: number;
  end: number;
}

function overrideWindow(override: Override, timeZone: string): Window {
  return { start: scheduleInstant(override.start, timeZone), end: scheduleInstant(override.end, timeZone) };
}

const covers = (w: Window, t: number): boolean => w.start <= t && t < w.end;

/** Who is on call for `tier` at `t`: rotation members on shift, plus overrides, minus the replaced. */
export function onCallAt(schedule: Schedule, tier: Tier, t: number): Technician[] {
  const { timeZone } = schedule;
  const rotations = schedule.rotations.filter((r) => r.active && r.tier === tier);
  const names: string[] =
    rotations.length === 0
      ? schedule.technicians.filter((tech) => tech.active && tech.tier === tier).map((tech) => tech.name)
      : rotations.flatMap((r) => {
          // Where daylight saving skips an hour, two shifts can map onto it: the later one holds.
          const covering = rotationShifts(r, t, t + 1, timeZone);
          return covering.length ? [covering[covering.length - 1]!.member] : [];
        });
  const overrides = schedule.overrides.filter((o) => o.tier === tier && covers(overrideWindow(o, timeZone), t));
  names.push(...overrides.map((o) => o.technician));
  const replaced = overrides.flatMap((o) => (o.replaces ? [o.replaces] : []));
  const onCall = new Map<string, Technician>();
  for (const name of names) {
    if (replaced.some((r) => sameName(r, name))) continue;
    const tech = findTechnician(schedule, name);
    if (tech) onCall.set(tech.phone, tech);
  }
  return [...onCall.values()];
}

/** Every instant in [from, to) at which the on-call set of `tier` may change, with `from` first. */
function changePoints(schedule: Schedule, tier: Tier, from: number, to: number): number[] {
  const points = new Set<number>([from]);
  for (const r of schedule.rotations) {
    if (r.tier !== tier) continue;
    for (const s of rotationShifts(r, from, to, schedule.timeZone)) points.add(s.start).add(s.end);
  }
  for (const o of schedule.overrides) {
    if (o.tier !== tier) continue;
    const w = overrideWindow(o, schedule.timeZone);
    points.add(w.start).add(w.end);
  }
  return [...points].filter((p) => p >= from && p < to).sort((a, b) => a - b);
}

/** The declared shifts starting in [from, to) during which their technician is actually on call at the start. */
export function shiftsStarting(schedule: Schedule, from: number, to: number): Shift[] {
  const shifts: Shift[] = [];
  const { timeZone } = schedule;
  for (const r of schedule.rotations) {
    for (const s of rotationShifts(r, from, to, timeZone)) {
      const technician = findTechnician(schedule, s.member);
      if (technician && s.start >= from) shifts.push({ tier: r.tier, technician, start: s.start, end: s.end, source: r.name });
    }
  }
  for (const o of schedule.overrides) {
    const w = overrideWindow(o, timeZone);
    const technician = findTechnician(schedule, o.technician);
    if (technician && w.start >= from && w.start < to && w.end > w.start) shifts.push({ tier: o.tier, technician, start: w.start, end: w.end, source: o.name });
  }
  return shifts
    .filter((s) => onCallAt(schedule, s.tier, s.start).some((t) => t.phone === s.technician.phone))
    .sort((a, b) => a.start - b.start || a.tier - b.tier || a.technician.name.localeCompare(b.technician.name));
}

/** Who hands over to the shift: on call for its tier just before it starts, and not after. */
export function handingOver(schedule: Schedule, shift: Shift): Technician[] {
  const after = onCallAt(schedule, shift.tier, shift.start).map((t) => t.phone);
  return onCallAt(schedule, shift.tier, shift.start - 1).filter((t) => !after.includes(t.phone));
}

/** Stretches of [from, to) when `tier` has nobody on call, or only numbers known to fail. */
export function coverageGaps(schedule: Schedule, from: number, to: number, tier: Tier = 1, unreachable: ReadonlySet<string> = new Set()): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  const points = changePoints(schedule, tier, from, to);
  points.forEach((point, i) => {
    const end = points[i + 1] ?? to;
    const covered = onCallAt(schedule, tier, point).some((t) => !unreachable.has(t.phone));
    if (covered) return;
    const last = gaps[gaps.length - 1];
    if (last && last.end === point) last.end = end;
    else gaps.push({ start: point, end });
  });
  return gaps;
}
