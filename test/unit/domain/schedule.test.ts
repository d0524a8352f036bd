// Who is on call, as a table (spec section 9). Times read in the business zone, America/New_York.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  coverageGaps,
  handingOver,
  onCallAt,
  rotationShifts,
  shiftsStarting,
  type Override,
  type Rotation,
  type Schedule,
} from '../../../src/domain/roster/schedule';
import type { Technician, Tier } from '../../../src/domain/types';

const ZONE = 'America/New_York';
const at = (local: string): number => DateTime.fromISO(local, { zone: ZONE }).toMillis();
const tech = (name: string, tier: Tier, phone: string, active = true): Technician => ({ name, tier, phone, active });

const ROSTER: Technician[] = [
  tech('Alex', 1, '+12125550101'),
  tech('Blair', 1, '+12125550102'),
  tech('Casey', 1, '+12125550103'),
  tech('Drew', 1, '+12125550104'),
  tech('Erin', 1, '+12125550105', false),
  tech('Sam', 2, '+12125550201'),
  tech('Pat', 2, '+12125550202'),
  tech('Morgan', 3, '+12125550301'),
];

const weekly: Rotation = { name: 'Weekly tier 1', tier: 1, members: ['Alex', 'Blair', 'Casey'], start: '2026-01-02T17:00', shiftHours: 168, active: true };

function schedule(rotations: Rotation[], overrides: Override[] = [], technicians = ROSTER): Schedule {
  return { technicians, rotations, overrides, timeZone: ZONE };
}
const names = (s: Schedule, tier: Tier, local: string): string[] => onCallAt(s, tier, at(local)).map((t) => t.name).sort();

describe('who is on call', () => {
  it.each<[string, Schedule, Tier, string, string[]]>([
    ['weekly: the first member from Start', schedule([weekly]), 1, '2026-01-02T17:00', ['Alex']],
    ['weekly: a minute before the first hand-off', schedule([weekly]), 1, '2026-01-09T16:59', ['Alex']],
    ['weekly: the second member from the hand-off', schedule([weekly]), 1, '2026-01-09T17:00', ['Blair']],
    ['weekly: round the rotation again', schedule([weekly]), 1, '2026-01-23T17:00', ['Alex']],
    ['weekly, before Start: the tier has a rotation, nobody on it yet', schedule([weekly]), 1, '2026-01-01T12:00', []],
    ['spring forward: Friday 16:59 EDT still the old shift (week 9)', schedule([weekly]), 1, '2026-03-13T16:59', ['Alex']],
    ['spring forward: the hand-off stays 17:00 wall clock (week 10)', schedule([weekly]), 1, '2026-03-13T17:00', ['Blair']],
    ['fall back: Friday 16:59 EST still the old shift (week 43)', schedule([weekly]), 1, '2026-11-06T16:59', ['Blair']],
    ['fall back: the hand-off stays 17:00 wall clock (week 44)', schedule([weekly]), 1, '2026-11-06T17:00', ['Casey']],
    ['fall back, a rotation begun in summer: 16:59 EST still the old shift', schedule([{ ...weekly, start: '2026-07-03T17:00' }]), 1, '2026-11-06T16:59', ['Casey']],
    ['fall back, a rotation begun in summer: the hand-off stays 17:00', schedule([{ ...weekly, start: '2026-07-03T17:00' }]), 1, '2026-11-06T17:00', ['Alex']],
    ['daily at 08:00 across spring forward', schedule([{ ...weekly, shiftHours: 24, start: '2026-03-07T08:00' }]), 1, '2026-03-08T08:00', ['Blair']],
    ['daily at 08:00: 07:59 the day after', schedule([{ ...weekly, shiftHours: 24, start: '2026-03-07T08:00' }]), 1, '2026-03-09T07:59', ['Blair']],
    ['12-hour: the night shift', schedule([{ ...weekly, members: ['Alex', 'Blair'], shiftHours: 12, start: '2026-03-07T07:00' }]), 1, '2026-03-08T02:30', ['Blair']],
    ['12-hour: the day shift after spring forward', schedule([{ ...weekly, members: ['Alex', 'Blair'], shiftHours: 12, start: '2026-03-07T07:00' }]), 1, '2026-03-08T07:00', ['Alex']],
    ['fractional hours: 0.01 h shifts, the third is member 2', schedule([{ ...weekly, shiftHours: 0.01, start: '2026-01-02T17:00' }]), 1, '2026-01-02T17:01:13', ['Casey']],
    ['a Start with an offset is taken as given', schedule([{ ...weekly, start: '2026-01-02T22:00:00.000Z' }]), 1, '2026-01-09T17:00', ['Blair']],
    ['two rotations on one tier: one from each', schedule([weekly, { ...weekly, name: 'Second', members: ['Drew'] }]), 1, '2026-01-09T17:00', ['Blair', 'Drew']],
    ['an inactive rotation counts for nothing: every active tier member', schedule([{ ...weekly, active: false }]), 1, '2026-01-09T17:00', ['Alex', 'Blair', 'Casey', 'Drew']],
    ['a tier without a rotation: every active technician of it', schedule([weekly]), 2, '2026-01-09T17:00', ['Pat', 'Sam']],
    ['an inactive member is never on call', schedule([{ ...weekly, members: ['Erin', 'Alex'] }]), 1, '2026-01-02T18:00', []],
    ['an unknown member is never on call', schedule([{ ...weekly, members: ['Nobody', 'Alex'] }]), 1, '2026-01-02T18:00', []],
    ['names match whatever their case and spacing', schedule([{ ...weekly, members: [' alex ', 'Blair'] }]), 1, '2026-01-02T18:00', ['Alex']],
  ])('%s', (_case, s, tier, local, expected) => {
    expect(names(s, tier, local)).toEqual(expected);
  });

  const holiday: Override = { name: 'Holiday cover', technician: 'Drew', tier: 1, start: '2026-01-03T08:00', end: '2026-01-03T20:00', replaces: 'Alex' };
  it.each<[string, Override[], Rotation[], Tier, string, string[]]>([
    ['an override that replaces, inside its window', [holiday], [weekly], 1, '2026-01-03T08:00', ['Drew']],
    ['an override that replaces, at its End', [holiday], [weekly], 1, '2026-01-03T20:00', ['Alex']],
    ['an override that adds', [{ ...holiday, replaces: undefined }], [weekly], 1, '2026-01-03T12:00', ['Alex', 'Drew']],
    [
      'a replaced technician who is also in another rotation of the tier is off call for the tier',
      [holiday],
      [weekly, { ...weekly, name: 'Second', members: ['Alex'] }],
      1,
      '2026-01-03T12:00',
      ['Drew'],
    ],
    ['a replacement on one tier leaves another tier alone', [{ ...holiday, tier: 2, technician: 'Pat', replaces: 'Sam' }], [weekly], 1, '2026-01-03T12:00', ['Alex']],
    ['an override on a tier without a rotation adds to it', [{ ...holiday, tier: 3, technician: 'Sam', replaces: undefined }], [weekly], 3, '2026-01-03T12:00', ['Morgan', 'Sam']],
    ['an override for an inactive technician adds nobody', [{ ...holiday, technician: 'Erin' }], [weekly], 1, '2026-01-03T12:00', []],
  ])('%s', (_case, overrides, rotations, tier, local, expected) => {
    expect(names(schedule(rotations, overrides), tier, local)).toEqual(expected);
  });
});

describe('no shift is lost or doubled across daylight saving', () => {
  it.each([
    ['daily, spring forward', { ...weekly, shiftHours: 24, start: '2026-03-01T08:00' }, '2026-03-06T00:00', '2026-03-11T00:00', [23, 24]],
    ['daily, fall back', { ...weekly, shiftHours: 24, start: '2026-10-25T08:00' }, '2026-10-29T00:00', '2026-11-03T00:00', [24, 25]],
    ['weekly, spring forward', weekly, '2026-03-01T00:00', '2026-03-22T00:00', [167, 168]],
    ['weekly, fall back', weekly, '2026-10-25T00:00', '2026-11-15T00:00', [168, 169]],
  ])('%s: shifts meet end to start, each as long as the wall clock says', (_case, rotation, from, to, lengths) => {
    const shifts = rotationShifts(rotation, at(from), at(to), ZONE);
    for (let i = 1; i < shifts.length; i++) expect(shifts[i]!.start).toBe(shifts[i - 1]!.end);
    const hours = new Set(shifts.map((s) => (s.end - s.start) / 3_600_000));
    expect([...hours].every((h) => lengths.includes(h))).toBe(true);
    expect(hours.size).toBe(2); // the change fell inside the window, and exactly one shift felt it
    const members = shifts.map((s) => s.member);
    for (let i = 1; i < members.length; i++) expect(weekly.members.indexOf(members[i]!)).toBe((weekly.members.indexOf(members[i - 1]!) + 1) % 3);
  });
});

describe('shifts, hand-overs and gaps', () => {
  it('lists the shifts starting in a window, with whom each takes over from', () => {
    const s = schedule([weekly], [{ name: 'Holiday', technician: 'Drew', tier: 1, start: '2026-01-10T08:00', end: '2026-01-10T20:00', replaces: 'Blair' }]);
    const shifts = shiftsStarting(s, at('2026-01-09T00:00'), at('2026-01-17T00:00'));
    expect(shifts.map((x) => `${x.technician.name} ${DateTime.fromMillis(x.start, { zone: ZONE }).toFormat('MM-dd HH:mm')}`)).toEqual([
      'Blair 01-09 17:00',
      'Drew 01-10 08:00',
      'Casey 01-16 17:00',
    ]);
    expect(shifts.map((x) => handingOver(s, x).map((t) => t.name))).toEqual([['Alex'], ['Blair'], ['Blair']]);
  });

  it('leaves out a shift whose technician is replaced at its start', () => {
    const s = schedule([weekly], [{ name: 'Swap', technician: 'Drew', tier: 1, start: '2026-01-09T16:00', end: '2026-01-10T17:00', replaces: 'Blair' }]);
    expect(shiftsStarting(s, at('2026-01-09T17:00'), at('2026-01-09T18:00'))).toEqual([]);
  });

  it('finds a tier-1 gap where the member on shift is inactive, and none once an override covers it', () => {
    const s = schedule([{ ...weekly, members: ['Alex', 'Erin'] }]);
    const gaps = coverageGaps(s, at('2026-01-05T00:00'), at('2026-01-19T00:00'));
    expect(gaps).toEqual([{ start: at('2026-01-09T17:00'), end: at('2026-01-16T17:00') }]);
    const covered = schedule(s.rotations, [{ name: 'Cover', technician: 'Drew', tier: 1, start: '2026-01-09T17:00', end: '2026-01-16T17:00' }]);
    expect(coverageGaps(covered, at('2026-01-05T00:00'), at('2026-01-19T00:00'))).toEqual([]);
  });

  it('counts a tier covered only by numbers known to fail as a gap, up to the horizon', () => {
    const s = schedule([weekly]);
    expect(coverageGaps(s, at('2026-01-05T00:00'), at('2026-01-10T00:00'), 1, new Set(['+12125550101']))).toEqual([
      { start: at('2026-01-05T00:00'), end: at('2026-01-09T17:00') },
    ]);
  });
});
