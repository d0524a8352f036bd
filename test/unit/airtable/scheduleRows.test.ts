// Validation of Rotations and Overrides rows (spec section 9): what is kept, and what is skipped
// with a warning naming the row and the problem.
import { describe, expect, it } from 'vitest';
import { parseOverrides, parseRotations, warnUnknownScheduleNames } from '../../../activities/roster/scheduleRows';
import type { LabelledRow } from '../../../activities/roster/technicianRows';
import { captureLogger, LEVEL } from './logCapture';

const ALEX_ID = 'recAAAAAAAAAAAAA1';
const JORDAN_ID = 'recAAAAAAAAAAAAA2';
const names = new Map([
  [ALEX_ID, 'Alex Rivera'],
  [JORDAN_ID, 'Jordan Lee'],
]);

const rows = (...list: unknown[]): LabelledRow[] => list.map((row, i) => ({ label: `row${i + 1}`, row }));
const warningsOf = (lines: { level: number; msg: string }[]) => lines.filter((l) => l.level === LEVEL.warn).map((l) => l.msg);

const weekly = { name: 'Weekly', tier: 1, members: 'Alex Rivera, Jordan Lee', start: '2026-01-02T17:00', shiftHours: 168, active: true };

describe('rotation rows', () => {
  it('reads names as comma-separated text or one per line, in order, trimmed', () => {
    const { logger, lines } = captureLogger();
    const rotations = parseRotations(
      rows(weekly, { ...weekly, name: 'Nights', members: ' Jordan Lee\nAlex Rivera ,, ', tier: '2', shiftHours: '12.5', start: '2026-01-02 19:00', active: undefined }),
      'test',
      logger,
    );
    expect(rotations).toEqual([
      { name: 'Weekly', tier: 1, members: ['Alex Rivera', 'Jordan Lee'], start: '2026-01-02T17:00', shiftHours: 168, active: true },
      // An unticked Active checkbox is absent from Airtable's record: the rotation is inactive.
      { name: 'Nights', tier: 2, members: ['Jordan Lee', 'Alex Rivera'], start: '2026-01-02T19:00', shiftHours: 12.5, active: false },
    ]);
    expect(warningsOf(lines)).toEqual([]);
  });

  it('resolves members given as links to Technicians rows, and keeps an ISO UTC Start as it came', () => {
    const { logger } = captureLogger();
    const [rotation] = parseRotations(rows({ ...weekly, members: [JORDAN_ID, ALEX_ID], start: '2026-01-02T22:00:00.000Z' }), 'test', logger, { technicianNames: names });
    expect(rotation).toMatchObject({ members: ['Jordan Lee', 'Alex Rivera'], start: '2026-01-02T22:00:00.000Z' });
  });

  it('takes an array of names too (a roster file, or a lookup field)', () => {
    const { logger } = captureLogger();
    expect(parseRotations(rows({ ...weekly, members: ['Alex Rivera', 'Jordan Lee'] }), 'test', logger)[0]?.members).toEqual(['Alex Rivera', 'Jordan Lee']);
  });

  it.each([
    ['a tier other than 1-3', { tier: 4 }, /tier must be 1, 2 or 3 \(got 4\)/],
    ['no tier', { tier: undefined }, /tier is empty/],
    ['an unparsable start', { start: 'next Friday' }, /start "next Friday" is not a date-time/],
    ['no start', { start: undefined }, /start is empty/],
    ['zero shift hours', { shiftHours: 0 }, /shiftHours must be a number of hours above 0 \(got 0\)/],
    ['negative shift hours', { shiftHours: -12 }, /shiftHours must be a number of hours above 0/],
    ['shift hours that are not a number', { shiftHours: 'weekly' }, /shiftHours must be a number of hours above 0 \(got "weekly"\)/],
    ['no members', { members: undefined }, /members names no technician/],
    ['only commas for members', { members: ' , ,' }, /members names no technician/],
    ['members of the wrong kind', { members: 42 }, /members must be technician names separated by commas/],
    ['a link to a row that is not a technician', { members: [ALEX_ID, 'recZZZZZZZZZZZZZZ'] }, /members links record recZZZZZZZZZZZZZZ, which is not a named row of Technicians/],
    ['a non-boolean Active', { active: 'yes' }, /active must be a checkbox/],
  ])('skips a row with %s, warning with its label and the problem', (_name, change, problem) => {
    const { logger, lines } = captureLogger();
    const rotations = parseRotations(rows(weekly, { ...weekly, name: 'Broken', ...change }), 'Airtable Rotations', logger, { technicianNames: names });
    expect(rotations.map((r) => r.name)).toEqual(['Weekly']);
    const warnings = warningsOf(lines);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^rotation row row2 skipped: /);
    expect(warnings[0]).toMatch(problem);
  });

  it('names every problem of a row, in the source\'s field names when given', () => {
    const { logger, lines } = captureLogger();
    parseRotations(rows({ name: 'Broken', tier: 9, members: 'Alex', start: 'soon', shiftHours: 0 }), 'Airtable Rotations', logger, {
      fieldLabels: { tier: '"Tier"', start: '"Start"', shiftHours: '"Shift Hours"' },
    });
    expect(warningsOf(lines)).toEqual([
      'rotation row row1 skipped: "Tier" must be 1, 2 or 3 (got 9); "Start" "soon" is not a date-time (write e.g. 2026-01-02T17:00); "Shift Hours" must be a number of hours above 0 (got 0)',
    ]);
  });

  it('passes over a blank row silently, and names an unnamed rotation after its row', () => {
    const { logger, lines } = captureLogger();
    const rotations = parseRotations(rows({ name: undefined, tier: undefined, members: undefined }, { ...weekly, name: ' ' }), 'test', logger);
    expect(rotations.map((r) => r.name)).toEqual(['row2']);
    expect(warningsOf(lines)).toEqual([]);
  });
});

const christmas = { name: 'Christmas', technician: 'Jordan Lee', tier: 1 as const, start: '2026-12-24T17:00', end: '2026-12-25T17:00', replaces: 'Alex Rivera' };

describe('override rows', () => {
  it('reads names or single links for Technician and Replaces; Replaces is optional', () => {
    const { logger, lines } = captureLogger();
    const overrides = parseOverrides(
      rows(christmas, { ...christmas, name: 'Linked', technician: [JORDAN_ID], replaces: [ALEX_ID] }, { ...christmas, name: 'Extra', replaces: '' }, { ...christmas, name: 'Days', start: '2026-12-24', end: '2026-12-26', replaces: undefined }),
      'test',
      logger,
      { technicianNames: names },
    );
    expect(overrides).toEqual([
      christmas,
      { ...christmas, name: 'Linked' },
      { name: 'Extra', technician: 'Jordan Lee', tier: 1, start: '2026-12-24T17:00', end: '2026-12-25T17:00' },
      // Date-only cells (an Airtable date field without time) cover whole days.
      { name: 'Days', technician: 'Jordan Lee', tier: 1, start: '2026-12-24', end: '2026-12-26' },
    ]);
    expect(warningsOf(lines)).toEqual([]);
  });

  it.each([
    ['an end before the start', { end: '2026-12-24T09:00' }, /end must be after the start \(2026-12-24T17:00\)/],
    ['an end equal to the start', { end: '2026-12-24T17:00' }, /end must be after the start/],
    ['no end', { end: undefined }, /end is empty/],
    ['no technician', { technician: undefined }, /technician is empty/],
    ['two linked technicians', { technician: [ALEX_ID, JORDAN_ID] }, /technician links 2 technicians; link one/],
    ['a stale link in Replaces', { replaces: ['recZZZZZZZZZZZZZZ'] }, /replaces links record recZZZZZZZZZZZZZZ/],
    ['a bad tier', { tier: 'one' }, /tier must be 1, 2 or 3 \(got "one"\)/],
  ])('skips a row with %s, warning with its label and the problem', (_name, change, problem) => {
    const { logger, lines } = captureLogger();
    const overrides = parseOverrides(rows({ ...christmas, ...change }, christmas), 'Airtable Overrides', logger, { technicianNames: names });
    expect(overrides).toHaveLength(1);
    const warnings = warningsOf(lines);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^override row row1 skipped: /);
    expect(warnings[0]).toMatch(problem);
  });

  it('compares a Start without an offset with an End that has one in the business time zone', () => {
    // 17:00 in New York is 22:00Z, so an End at 20:00Z is before it; read as UTC it would not be.
    const row = { ...christmas, start: '2026-03-01T17:00', end: '2026-03-01T20:00Z' };
    const lenient = captureLogger();
    expect(parseOverrides(rows(row), 'test', lenient.logger)).toHaveLength(1);
    const zoned = captureLogger();
    expect(parseOverrides(rows(row), 'test', zoned.logger, { timeZone: 'America/New_York' })).toEqual([]);
    expect(warningsOf(zoned.lines)[0]).toMatch(/end must be after the start/);
  });
});

describe('names the roster does not know', () => {
  it('warns once per row and name, matching names as on-call does (case and spaces ignored)', () => {
    const { logger, lines } = captureLogger();
    const unknown = warnUnknownScheduleNames(
      {
        technicians: [{ name: 'Alex Rivera', phone: '+12125550101', tier: 1, active: true }],
        rotations: [{ name: 'Weekly', tier: 1, members: [' alex rivera', 'Jordan Le', 'Jordan Le'], start: '2026-01-02T17:00', shiftHours: 168, active: true }],
        overrides: [{ ...christmas, technician: 'ALEX RIVERA', replaces: 'Sam' }],
      },
      'test',
      logger,
    );
    expect(unknown).toEqual([
      { row: 'Weekly', name: 'Jordan Le' },
      { row: 'Christmas', name: 'Sam' },
    ]);
    expect(warningsOf(lines)).toEqual([
      'schedule row "Weekly" names "Jordan Le", who is not in the roster: nobody is on call for that turn',
      'schedule row "Christmas" names "Sam", who is not in the roster: nobody is on call for that turn',
    ]);
  });
});
