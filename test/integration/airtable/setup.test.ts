// The setup command and the start-up check against an empty emulated base.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAirtableGateway } from '../../../activities/airtable/gateway';
import { checkAirtableBase, describeGaps, setupAirtableBase } from '../../../activities/airtable/schema';
import { startAirtableEmulator, type AirtableEmulator } from '../../../emulators/airtable';
import { captureLogger } from '../../unit/airtable/logCapture';

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

  it('builds an empty base, is idempotent, and repairs a missing field', async () => {
    expect(await checkAirtableBase(conn)).toEqual([{ table: 'Calls' }, { table: 'Dispatch Events' }, { table: 'Technicians' }]);

    expect(await setupAirtableBase(conn)).toHaveLength(3);
    expect(await checkAirtableBase(conn)).toEqual([]);
    const tables = emulator.state.tables();
    expect(tables.map((t) => [t.name, t.fields.find((f) => f.id === t.primaryFieldId)?.name])).toEqual([
      ['Calls', 'Call ID'],
      ['Dispatch Events', 'Event Key'],
      ['Technicians', 'Name'],
    ]);

    // Running it again changes nothing.
    expect(await setupAirtableBase(conn)).toEqual([]);
    expect(emulator.state.tables()).toEqual(tables);

    emulator.state.removeField('Dispatch Events', 'Delivery Status');
    const gaps = await checkAirtableBase(conn);
    expect(describeGaps(gaps)).toEqual(['field "Delivery Status" in table "Dispatch Events"']);
    expect(await setupAirtableBase(conn)).toEqual(gaps);
    expect(await checkAirtableBase(conn)).toEqual([]);

    // The base it built takes the gateway's writes.
    const gateway = createAirtableGateway({ ...conn, logger: captureLogger().logger });
    await gateway.upsertEvents([{ eventKey: 'k1', callId: 'CA1', eventType: 'PAGE_SENT', attemptNumber: 1, deliveryStatus: 'undelivered', sentAt: new Date().toISOString() }]);
    expect(emulator.state.records('Dispatch Events')).toHaveLength(1);
    // Setup paces itself: the base never saw more than Airtable allows.
    expect(emulator.state.stats().rateLimited).toBe(0);
  });

  it('fails with a permanent error for a wrong key', async () => {
    await expect(checkAirtableBase({ ...conn, apiKey: 'wrong' })).rejects.toMatchObject({ kind: 'permanent', status: 401, airtableType: 'AUTHENTICATION_REQUIRED' });
  });
});
