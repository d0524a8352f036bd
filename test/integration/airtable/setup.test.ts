// The setup command and the start-up check against an empty emulated base.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAirtableGateway } from '../../../activities/airtable/gateway';
import { checkAirtableBase, describeGaps, logSchemaReview, reviewAirtableBase, setupAirtableBase } from '../../../activities/airtable/schema';
import { CALLS, DISPATCH_EVENTS, TECHNICIANS, tableFields, type TableSpec } from '../../../src/domain/airtable/fields';
import { startAirtableEmulator, type AirtableEmulator } from '../../../emulators/airtable';
import { captureLogger, LEVEL } from '../../unit/airtable/logCapture';

const API_KEY = 'patTEST.secret';
const BASE_ID = 'appEmptyBase0001';

describe('Airtable base setup', () => {
  let emulator: AirtableEmulator;
  let conn: { apiKey: string; baseId: string; endpointUrl: string };

  beforeAll(async () => {
    emulator = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, createSchema: false });
    conn = { apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url };
  });
  afterAll(() => emulator.close());

  it('builds an empty base, the schedule tables included, is idempotent, and repairs a missing field', async () => {
    expect(await checkAirtableBase(conn)).toEqual([{ table: 'Calls' }, { table: 'Dispatch Events' }, { table: 'Technicians' }]);
    expect((await reviewAirtableBase(conn)).optional).toEqual([
      { table: 'Rotations', optional: true },
      { table: 'Overrides', optional: true },
    ]);

    expect(await setupAirtableBase(conn, { timeZone: 'America/Chicago' })).toHaveLength(5);
    expect(await reviewAirtableBase(conn)).toEqual({ required: [], optional: [] });
    const tables = emulator.state.tables();
    expect(tables.map((t) => [t.name, t.fields.find((f) => f.id === t.primaryFieldId)?.name])).toEqual([
      ['Calls', 'Call ID'],
      ['Dispatch Events', 'Event Key'],
      ['Technicians', 'Name'],
      ['Rotations', 'Name'],
      ['Overrides', 'Name'],
    ]);
    const field = (table: string, name: string) => tables.find((t) => t.name === table)?.fields.find((f) => f.name === name);
    // Names as text, so a base built by hand from the spec reads the same.
    expect([field('Rotations', 'Members')?.type, field('Overrides', 'Technician')?.type, field('Overrides', 'Replaces')?.type]).toEqual(['singleLineText', 'singleLineText', 'singleLineText']);
    expect(field('Rotations', 'Shift Hours')).toMatchObject({ type: 'number', options: { precision: 2 } });
    // The office types Start and End in the business's zone, whatever their browser's.
    for (const [table, name] of [['Rotations', 'Start'], ['Overrides', 'Start'], ['Overrides', 'End']] as const) {
      expect(field(table, name)).toMatchObject({ type: 'dateTime', options: { timeZone: 'America/Chicago' } });
    }

    // Running it again changes nothing.
    expect(await setupAirtableBase(conn)).toEqual([]);
    expect(emulator.state.tables()).toEqual(tables);

    emulator.state.removeField('Dispatch Events', 'Delivery Status');
    const gaps = await checkAirtableBase(conn);
    expect(describeGaps(gaps)).toEqual(['field "Delivery Status" in table "Dispatch Events"']);
    expect(await setupAirtableBase(conn)).toEqual(gaps);
    expect(await checkAirtableBase(conn)).toEqual([]);

    emulator.state.removeField('Rotations', 'Shift Hours');
    expect(await checkAirtableBase(conn)).toEqual([]);
    expect(await reviewAirtableBase(conn)).toEqual({ required: [], optional: [{ table: 'Rotations', field: 'Shift Hours', optional: true }] });
    expect(await setupAirtableBase(conn)).toEqual([{ table: 'Rotations', field: 'Shift Hours', optional: true }]);
    expect(await reviewAirtableBase(conn)).toEqual({ required: [], optional: [] });

    // The base it built takes the gateway's writes.
    const gateway = createAirtableGateway({ ...conn, logger: captureLogger().logger });
    await gateway.upsertEvents([{ eventKey: 'k1', callId: 'CA1', eventType: 'PAGE_SENT', attemptNumber: 1, deliveryStatus: 'undelivered', sentAt: new Date().toISOString() }]);
    expect(emulator.state.records('Dispatch Events')).toHaveLength(1);
    // Setup paces itself: the base never saw more than Airtable allows.
    expect(emulator.state.stats().rateLimited).toBe(0);
  });

  it('the start-up check names the missing schedule tables as optional, not as an error', async () => {
    emulator.state.reset();
    // A base built before schedules: the three tables of the audit trail and the roster only.
    for (const spec of [CALLS, DISPATCH_EVENTS, TECHNICIANS] as TableSpec[]) {
      const res = await fetch(`${emulator.url}/v0/meta/bases/${BASE_ID}/tables`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: spec.name, fields: tableFields(spec) }),
      });
      expect(res.status).toBe(200);
    }
    expect(await checkAirtableBase(conn)).toEqual([]);

    const { logger, lines } = captureLogger();
    logSchemaReview(await reviewAirtableBase(conn), logger);
    expect(lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual([
      'schedule tables missing (table "Rotations", table "Overrides"): everyone Active pages as before; run npm run airtable:setup to add them',
    ]);
  });

  it('the start-up check raises required gaps as an error and a half-built schedule table as a warning', () => {
    const { logger, lines } = captureLogger();
    logSchemaReview({ required: [{ table: 'Calls', field: 'ETA' }], optional: [{ table: 'Overrides', field: 'Replaces', optional: true }] }, logger);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [LEVEL.error, 'Airtable base lacks field "ETA" in table "Calls": run npm run airtable:setup'],
      [LEVEL.warn, 'on-call schedule tables incomplete: base lacks field "Replaces" in table "Overrides" (rows needing it are skipped): run npm run airtable:setup'],
    ]);
    expect(lines[0]).toMatchObject({ alert: 'airtable-schema' });
  });

  it('fails with a permanent error for a wrong key', async () => {
    await expect(checkAirtableBase({ ...conn, apiKey: 'wrong' })).rejects.toMatchObject({ kind: 'permanent', status: 401, airtableType: 'AUTHENTICATION_REQUIRED' });
  });
});
