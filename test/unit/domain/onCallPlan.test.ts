import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { gapsToAlert, planOnCall, type GapView } from '../../../src/domain/roster/onCallPlan';
import type { Schedule } from '../../../src/domain/roster/schedule';

const ZONE = 'America/New_York';
const at = (local: string): number => DateTime.fromISO(local, { zone: ZONE }).toMillis();
const HOUR = 3_600_000;

const schedule: Schedule = {
  timeZone: ZONE,
  technicians: [
    { name: 'Alex', phone: '+12125550101', tier: 1, active: true },
    { name: 'Blair', phone: '+12125550102', tier: 1, active: true },
    { name: 'Morgan', phone: '+12125550301', tier: 3, active: true },
  ],
  rotations: [{ name: 'Weekly', tier: 1, members: ['Alex', 'Blair'], start: '2026-01-02T17:00', shiftHours: 168, active: true }],
  overrides: [],
};
const options = { leadMs: HOUR, horizonMs: 7 * 24 * HOUR, lookaheadMs: 60_000, businessName: 'Acme Plumbing' };

describe('the on-call plan', () => {
  it('names who is on call now per tier, and the next hand-off', () => {
    const plan = planOnCall(schedule, at('2026-01-05T12:00'), options);
    expect(plan.onCall[1].map((t) => t.name)).toEqual(['Alex']);
    expect(plan.onCall[2]).toEqual([]);
    expect(plan.onCall[3].map((t) => t.name)).toEqual(['Morgan']);
    expect(plan.nextHandOff).toMatchObject({ tier: 1, technician: 'Blair', start: new Date(at('2026-01-09T17:00')).toISOString() });
    expect(plan.managers.map((m) => m.name)).toEqual(['Morgan']);
  });

  it.each([
    ['two hours before the hand-off: only the shift going on (its reminder long sent)', '2026-01-09T15:00', ['Alex']],
    ['a minute before the reminder time: listed, so the workflow can wake for it', '2026-01-09T15:59', ['Alex', 'Blair']],
    ['at the reminder time: Blair, one hour ahead', '2026-01-09T16:00', ['Alex', 'Blair']],
    ['mid-shift (a schedule learned late): the ongoing shift, due already', '2026-01-12T09:00', ['Blair']],
  ])('%s', (_case, local, names) => {
    const plan = planOnCall(schedule, at(local), options);
    expect(plan.reminders.map((r) => r.to.name)).toEqual(names);
    expect(plan.reminders.every((r) => r.endsAt > at(local))).toBe(true);
  });

  it('words the reminder with the tier, start, end and whom it takes over from', () => {
    const [reminder] = planOnCall(schedule, at('2026-01-09T16:00'), options).reminders.filter((r) => r.to.name === 'Blair');
    expect(reminder!.key).toBe(`oncall/tier1/+12125550102/${new Date(at('2026-01-09T17:00')).toISOString()}`);
    expect(reminder!.dueAt).toBe(at('2026-01-09T16:00'));
    expect(reminder!.text).toBe(
      'Acme Plumbing: you are on call for tier 1 from Fri Jan 9, 5:00 PM to Fri Jan 16, 5:00 PM, taking over from Alex. Reply ONCALL to see who else is on call.',
    );
  });

  it('a moved shift start is a new reminder key', () => {
    const moved = { ...schedule, rotations: [{ ...schedule.rotations[0]!, start: '2026-01-02T18:00' }] };
    const key = (s: Schedule) => planOnCall(s, at('2026-01-09T16:30'), { ...options, lookaheadMs: 2 * HOUR }).reminders.find((r) => r.to.name === 'Blair')!.key;
    expect(key(moved)).not.toBe(key(schedule));
  });

  it('lists a tier-1 gap with the alert for the managers', () => {
    const withGap = { ...schedule, rotations: [{ ...schedule.rotations[0]!, members: ['Alex', 'Nobody'] }] };
    const plan = planOnCall(withGap, at('2026-01-05T12:00'), options);
    expect(plan.gaps).toEqual([
      {
        tier: 1,
        start: new Date(at('2026-01-09T17:00')).toISOString(),
        end: new Date(at('2026-01-12T12:00')).toISOString(),
        open: true,
        alert: 'Acme Plumbing: nobody is on call for tier 1 from Fri Jan 9, 5:00 PM to at least Mon Jan 12, 12:00 PM. Add an override in the on-call schedule to cover it.',
      },
    ]);
  });
});

describe('which gaps are new', () => {
  const gap = (start: string, end: string): GapView => ({ tier: 1, start: new Date(at(start)).toISOString(), end: new Date(at(end)).toISOString(), open: false, alert: 'gap' });
  const now = at('2026-01-05T12:00');

  it('alerts a gap once; the same gap seen again later, clipped differently, is not new', () => {
    const first = gapsToAlert([], [gap('2026-01-09T17:00', '2026-01-12T12:00')], now);
    expect(first.alert).toHaveLength(1);
    const again = gapsToAlert(first.alerted, [gap('2026-01-09T17:00', '2026-01-12T13:00')], now + HOUR);
    expect(again.alert).toEqual([]);
    expect(again.alerted).toEqual([{ start: at('2026-01-09T17:00'), end: at('2026-01-12T13:00') }]);
  });

  it('a second, separate gap is new; a gap that is over is forgotten', () => {
    const alerted = [{ start: at('2026-01-01T00:00'), end: at('2026-01-02T00:00') }, { start: at('2026-01-09T17:00'), end: at('2026-01-10T00:00') }];
    const result = gapsToAlert(alerted, [gap('2026-01-09T17:00', '2026-01-10T00:00'), gap('2026-01-11T00:00', '2026-01-11T06:00')], now);
    expect(result.alert.map((g) => g.start)).toEqual([new Date(at('2026-01-11T00:00')).toISOString()]);
    expect(result.alerted).toHaveLength(2);
  });
});
