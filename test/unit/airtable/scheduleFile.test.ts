// The local roster file: the array of technicians as before, or an object with the schedule too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScheduleFile } from '../../../activities/roster/scheduleFile';
import { onCallAt, scheduleInstant } from '../../../src/domain/roster/schedule';
import { captureLogger, LEVEL } from './logCapture';

const CONFIG = join(__dirname, '../../../config');
const warningsOf = (lines: { level: number; msg: string }[]) => lines.filter((l) => l.level === LEVEL.warn).map((l) => l.msg);

const alex = { name: 'Alex Rivera', phone: '+12125550101', tier: 1, active: true };
const jordan = { name: 'Jordan Lee', phone: '+12125550102', tier: 1, active: true };

describe('roster file with a schedule', () => {
  it('reads the array form as technicians and no schedule', () => {
    const { logger, lines } = captureLogger();
    const contents = parseScheduleFile(readFileSync(join(CONFIG, 'roster.example.json'), 'utf8'), 'roster.example.json', logger);
    expect(contents.technicians.map((t) => t.name)).toEqual(['Alex Rivera', 'Jordan Lee', 'Sam Patel', 'Morgan Chen']);
    expect(contents.rotations).toEqual([]);
    expect(contents.overrides).toEqual([]);
    expect(warningsOf(lines)).toEqual([]);
  });

  it('reads the schedule example: a weekly tier-1 rotation and holiday overrides, without a warning', () => {
    const { logger, lines } = captureLogger();
    const contents = parseScheduleFile(readFileSync(join(CONFIG, 'roster.schedule.example.json'), 'utf8'), 'roster.schedule.example.json', logger);
    expect(warningsOf(lines)).toEqual([]);
    expect(contents.technicians).toHaveLength(4);
    expect(contents.rotations).toEqual([{ name: 'Tier 1 weekly', tier: 1, members: ['Alex Rivera', 'Jordan Lee'], start: '2026-01-02T17:00', shiftHours: 168, active: true }]);
    expect(contents.overrides.map((o) => [o.name, o.technician, o.replaces])).toEqual([
      ['Christmas: Jordan covers for Alex', 'Jordan Lee', 'Alex Rivera'],
      ["New Year's Eve: Sam doubles up on tier 1", 'Sam Patel', undefined],
    ]);

    // What the example means, read by the on-call rules in New York time.
    const timeZone = 'America/New_York';
    const schedule = { ...contents, timeZone };
    const tier1At = (text: string) => onCallAt(schedule, 1, scheduleInstant(text, timeZone)).map((t) => t.name);
    expect(tier1At('2026-12-24T12:00')).toEqual(['Alex Rivera']);
    expect(tier1At('2026-12-24T20:00')).toEqual(['Jordan Lee']);
    expect(tier1At('2026-12-26T12:00')).toEqual(['Jordan Lee']);
    expect(tier1At('2026-12-31T23:00').sort()).toEqual(['Jordan Lee', 'Sam Patel']);
    // Tiers 2 and 3 have no rotation: everyone Active of the tier, as before schedules.
    expect(onCallAt(schedule, 3, scheduleInstant('2026-12-24T20:00', timeZone)).map((t) => t.name)).toEqual(['Morgan Chen']);
  });

  it('takes an already parsed value, and rotations or overrides left out', () => {
    const { logger } = captureLogger();
    expect(parseScheduleFile({ technicians: [alex] }, 'test', logger)).toEqual({ technicians: [alex], rotations: [], overrides: [] });
  });

  it('skips invalid rows with a warning naming the list, position and name, and warns of unknown names', () => {
    const { logger, lines } = captureLogger();
    const contents = parseScheduleFile(
      {
        technicians: [alex, jordan, { name: 'No Phone', tier: 1, active: true }],
        rotations: [
          { name: 'Weekly', tier: 1, members: ['Alex Rivera', 'Jordan Lee'], start: '2026-01-02T17:00', shiftHours: 168, active: true },
          { name: 'Daily', tier: 1, members: 'Alex Rivera', start: '2026-01-02T17:00', shiftHours: 0, active: true },
        ],
        overrides: [{ name: 'Typo', technician: 'Jordan Leigh', tier: 1, start: '2026-12-24T17:00', end: '2026-12-25T17:00' }],
      },
      'roster file roster.json',
      logger,
    );
    expect(contents.technicians).toEqual([alex, jordan]);
    expect(contents.rotations.map((r) => r.name)).toEqual(['Weekly']);
    expect(contents.overrides.map((o) => o.name)).toEqual(['Typo']);
    const warnings = warningsOf(lines);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^roster row technicians #3 \(No Phone\) skipped: phone/);
    expect(warnings[1]).toMatch(/^rotation row rotations #2 \(Daily\) skipped: shiftHours must be a number of hours above 0/);
    expect(warnings[2]).toMatch(/"Typo" names "Jordan Leigh", who is not in the roster/);
  });

  it.each([
    ['text that is not JSON', '{ technicians: [', /roster.json is not valid JSON/],
    ['an object without technicians', { rotations: [] }, /roster.json must hold a JSON array of technicians, or an object/],
    ['a number', 7, /must hold a JSON array of technicians/],
    ['rotations that are not a list', { technicians: [], rotations: { name: 'x' } }, /"rotations" must be an array/],
  ])('throws for %s, naming the source', (_name, json, message) => {
    const { logger } = captureLogger();
    expect(() => parseScheduleFile(json, 'roster.json', logger)).toThrow(message);
  });
});
