// The gateway's listSchedule over the official client against the emulator: the Rotations and
// Overrides tables across pages, links resolved, invalid rows skipped, a base without them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AirtableRequestError } from '../../../activities/airtable/errors';
import { createAirtableGateway } from '../../../activities/airtable/gateway';
import { setupAirtableBase } from '../../../activities/airtable/schema';
import { CALLS, DISPATCH_EVENTS, OVERRIDES, ROTATIONS, TECHNICIANS, tableFields, type FieldSpec, type TableSpec } from '../../../src/domain/airtable/fields';
import { startAirtableEmulator, type AirtableEmulator } from '../../../emulators/airtable';
import { captureLogger, LEVEL, type LogLine } from '../../unit/airtable/logCapture';

const API_KEY = 'patTEST.secret';
const BASE_ID = 'appScheduleTest01';

function api(emulator: AirtableEmulator) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${emulator.url}/v0${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Creates the rows, 10 a request as Airtable takes them; returns their record ids. */
async function insert(emulator: AirtableEmulator, table: string, rows: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 10) {
    const body = await api(emulator)('POST', `/${BASE_ID}/${encodeURIComponent(table)}`, { records: rows.slice(i, i + 10).map((fields) => ({ fields })) });
    ids.push(...body.records.map((r: { id: string }) => r.id));
  }
  return ids;
}

const gets = (emulator: AirtableEmulator) => emulator.state.requestLog().filter((r) => r.method === 'GET').map((r) => `${r.table} ${r.status}`);
const warnings = (lines: LogLine[], from = 0) => lines.slice(from).filter((l) => l.level === LEVEL.warn).map((l) => l.msg);

describe('listSchedule from the tables setup creates', () => {
  let emulator: AirtableEmulator;
  const log = captureLogger();

  beforeAll(async () => {
    emulator = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, requestsPerSecond: 1000 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.state.reset());

  it('reads both tables across pages, through the paced requests, skipping invalid rows with a warning', async () => {
    await insert(emulator, 'Technicians', [
      { Name: 'Alex Rivera', Phone: '+12125550101', Tier: 1, Active: true },
      { Name: 'Jordan Lee', Phone: '+12125550102', Tier: 1, Active: true },
    ]);
    await insert(emulator, 'Rotations', [
      { Name: 'Weekly', Tier: 1, Members: 'Alex Rivera, Jordan Lee', Start: '2026-01-02T22:00:00.000Z', 'Shift Hours': 168, Active: true },
      // 100 drafts push the rows onto a second page.
      ...Array.from({ length: 100 }, (_, i) => ({ Name: `Draft ${i}`, Tier: 2, Members: 'Jordan Lee', Start: '2026-02-01T13:00:00.000Z', 'Shift Hours': 12.5 })),
      { Name: 'Broken', Tier: 1, Members: 'Alex Rivera', Start: '2026-01-02T22:00:00.000Z', 'Shift Hours': 0, Active: true },
      { Name: 'Tier 7', Tier: 7, Members: 'Alex Rivera', Start: '2026-01-02T22:00:00.000Z', 'Shift Hours': 24, Active: true },
    ]);
    await insert(emulator, 'Overrides', [
      { Name: 'Christmas', Technician: 'Jordan Lee', Tier: 1, Start: '2026-12-24T22:00:00.000Z', End: '2026-12-25T22:00:00.000Z', Replaces: 'Alex Rivera' },
      ...Array.from({ length: 100 }, (_, i) => ({ Name: `Past ${i}`, Technician: 'Alex Rivera', Tier: 1, Start: '2025-06-01T12:00:00.000Z', End: '2025-06-02T12:00:00.000Z' })),
      { Name: 'Backwards', Technician: 'Alex Rivera', Tier: 1, Start: '2026-12-31T22:00:00.000Z', End: '2026-12-31T12:00:00.000Z' },
    ]);
    const before = log.lines.length;
    const requestsBefore = gets(emulator).length;

    // Airtable's pace (4 requests a second by default): 4 pages take at least three intervals.
    const gateway = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url, logger: log.logger });
    const started = Date.now();
    const { rotations, overrides } = await gateway.listSchedule();
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);

    expect(rotations).toHaveLength(101);
    expect(rotations[0]).toEqual({ name: 'Weekly', tier: 1, members: ['Alex Rivera', 'Jordan Lee'], start: '2026-01-02T22:00:00.000Z', shiftHours: 168, active: true });
    expect(rotations[1]).toEqual({ name: 'Draft 0', tier: 2, members: ['Jordan Lee'], start: '2026-02-01T13:00:00.000Z', shiftHours: 12.5, active: false });
    expect(overrides).toHaveLength(101);
    expect(overrides[0]).toEqual({ name: 'Christmas', technician: 'Jordan Lee', tier: 1, start: '2026-12-24T22:00:00.000Z', end: '2026-12-25T22:00:00.000Z', replaces: 'Alex Rivera' });
    expect(overrides[1]).not.toHaveProperty('replaces');

    // Two pages each; names as text need no Technicians request.
    expect(gets(emulator).slice(requestsBefore)).toEqual(['Rotations 200', 'Rotations 200', 'Overrides 200', 'Overrides 200']);
    const skipped = warnings(log.lines, before);
    expect(skipped).toHaveLength(3);
    expect(skipped[0]).toMatch(/^rotation row rec\w{14} \(Broken\) skipped: "Shift Hours" must be a number of hours above 0 \(got 0\)$/);
    expect(skipped[1]).toMatch(/^rotation row rec\w{14} \(Tier 7\) skipped: "Tier" must be 1, 2 or 3 \(got 7\)$/);
    expect(skipped[2]).toMatch(/^override row rec\w{14} \(Backwards\) skipped: "End" must be after the start/);
    // Tables present: nothing said about missing ones.
    expect(log.lines.slice(before).some((l) => /schedule tables/.test(l.msg))).toBe(false);
  });

  it('rejects while Airtable is down, so the caller keeps the last schedule', async () => {
    const gateway = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url, logger: log.logger, requestsPerSecond: 1000 });
    emulator.state.setOutage(503);
    const err = await gateway.listSchedule().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirtableRequestError);
    expect(err).toMatchObject({ kind: 'transient', status: 503 });
  });
});

describe('listSchedule from a base whose schedule links to Technicians', () => {
  let emulator: AirtableEmulator;

  beforeAll(async () => {
    // Built by hand: Members, Technician and Replaces are links to Technicians rows.
    emulator = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, requestsPerSecond: 1000, createSchema: false });
    const meta = (spec: TableSpec, links: string[], technicians?: string) =>
      api(emulator)('POST', `/meta/bases/${BASE_ID}/tables`, {
        name: spec.name,
        fields: tableFields(spec).map((f): FieldSpec | Record<string, unknown> => (links.includes(f.name) ? { name: f.name, type: 'multipleRecordLinks', options: { linkedTableId: technicians } } : f)),
      });
    const technicians = await meta(TECHNICIANS, []);
    await meta(ROTATIONS, ['Members'], technicians.id);
    await meta(OVERRIDES, ['Technician', 'Replaces'], technicians.id);
  });
  afterAll(() => emulator.close());

  it('resolves links to technician names, an inactive technician too, with one listing of Technicians', async () => {
    const [alex, jordan, sam, nameless] = await insert(emulator, 'Technicians', [
      { Name: 'Alex Rivera', Phone: '+12125550101', Tier: 1, Active: true },
      { Name: 'Jordan Lee', Phone: '+12125550102', Tier: 1, Active: true },
      { Name: 'Sam Patel', Phone: '+12125550103', Tier: 2 },
      { Phone: '+12125550104', Tier: 1, Active: true },
    ]);
    await insert(emulator, 'Rotations', [
      { Name: 'Weekly', Tier: 1, Members: [jordan, alex], Start: '2026-01-02T22:00:00.000Z', 'Shift Hours': 168, Active: true },
      { Name: 'Nameless member', Tier: 1, Members: [alex, nameless], Start: '2026-01-02T22:00:00.000Z', 'Shift Hours': 24, Active: true },
    ]);
    await insert(emulator, 'Overrides', [
      { Name: 'Holiday', Technician: [sam], Tier: 1, Start: '2026-12-24T22:00:00.000Z', End: '2026-12-25T22:00:00.000Z', Replaces: [alex] },
      { Name: 'Two at once', Technician: [sam, jordan], Tier: 1, Start: '2026-12-24T22:00:00.000Z', End: '2026-12-25T22:00:00.000Z' },
    ]);
    const log = captureLogger();
    const gateway = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url, logger: log.logger, requestsPerSecond: 1000 });
    const requestsBefore = gets(emulator).length;

    const { rotations, overrides } = await gateway.listSchedule();
    expect(rotations.map((r) => [r.name, r.members])).toEqual([['Weekly', ['Jordan Lee', 'Alex Rivera']]]);
    expect(overrides).toEqual([{ name: 'Holiday', technician: 'Sam Patel', tier: 1, start: '2026-12-24T22:00:00.000Z', end: '2026-12-25T22:00:00.000Z', replaces: 'Alex Rivera' }]);

    expect(gets(emulator).slice(requestsBefore)).toEqual(['Rotations 200', 'Overrides 200', 'Technicians 200']);
    const skipped = warnings(log.lines);
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toBe(`rotation row ${skipped[0]!.split(' ')[2]} (Nameless member) skipped: "Members" links record ${nameless}, which is not a named row of Technicians`);
    expect(skipped[1]).toMatch(/\(Two at once\) skipped: "Technician" links 2 technicians; link one$/);
  });
});

describe('listSchedule from a base without the schedule tables', () => {
  let emulator: AirtableEmulator;

  beforeAll(async () => {
    emulator = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, requestsPerSecond: 1000, createSchema: false });
    for (const spec of [CALLS, DISPATCH_EVENTS, TECHNICIANS] as TableSpec[]) {
      await api(emulator)('POST', `/meta/bases/${BASE_ID}/tables`, { name: spec.name, fields: tableFields(spec) });
    }
  });
  afterAll(() => emulator.close());

  it('reads an empty schedule, says so once at info, and picks the tables up once they exist', async () => {
    const log = captureLogger();
    const gateway = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url, logger: log.logger, requestsPerSecond: 1000 });

    expect(await gateway.listSchedule()).toEqual({ rotations: [], overrides: [] });
    expect(await gateway.listSchedule()).toEqual({ rotations: [], overrides: [] });
    // Airtable answers 403 for the missing tables; Technicians answering proves the base is readable.
    expect(gets(emulator)).toEqual(['Rotations 403', 'Overrides 403', 'Technicians 200', 'Rotations 403', 'Overrides 403', 'Technicians 200']);
    expect(log.lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
    const said = log.lines.map((l) => l.msg);
    expect(said).toEqual(['schedule tables missing (Rotations, Overrides): read as empty; where a tier has no rotation everyone Active pages as before']);

    await setupAirtableBase({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url });
    await insert(emulator, 'Rotations', [{ Name: 'Weekly', Tier: 1, Members: 'Alex Rivera', Start: '2026-01-02T22:00:00.000Z', 'Shift Hours': 168, Active: true }]);
    expect((await gateway.listSchedule()).rotations.map((r) => r.name)).toEqual(['Weekly']);
    expect(log.lines.map((l) => l.msg).slice(1)).toEqual(['schedule tables found: the on-call schedule is read from Rotations and Overrides']);
  });

  it('rejects when the base itself cannot be read, rather than reading an empty schedule', async () => {
    const log = captureLogger();
    const elsewhere = createAirtableGateway({ apiKey: API_KEY, baseId: 'appSomeoneElse01', endpointUrl: emulator.url, logger: log.logger, requestsPerSecond: 1000 });
    const err = await elsewhere.listSchedule().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirtableRequestError);
    expect(err).toMatchObject({ kind: 'permanent', action: 'list "Technicians"' });
    expect(log.lines).toEqual([]);
  });
});
