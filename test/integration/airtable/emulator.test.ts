// The emulator's REST surface as Airtable clients and other test processes see it over HTTP.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAirtableEmulator, type AirtableEmulator } from '../../../emulators/airtable';

const API_KEY = 'patTEST.secret';
const BASE_ID = 'appDispatchTest01';

function client(url: string, apiKey = API_KEY) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
}

const calls = `/v0/${BASE_ID}/Calls`;
const upsert = (records: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  performUpsert: { fieldsToMergeOn: ['Call ID'] },
  records: records.map((fields) => ({ fields })),
  ...extra,
});

describe('Airtable emulator REST API', () => {
  let emulator: AirtableEmulator;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    emulator = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, requestsPerSecond: 1000 });
    api = client(emulator.url);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.state.reset());

  it('requires the bearer token', async () => {
    const res = await client(emulator.url, 'wrong')('GET', calls);
    expect(res).toEqual({ status: 401, body: { error: { type: 'AUTHENTICATION_REQUIRED', message: expect.any(String) } } });
  });

  it('answers 404 for an unknown base, and for an unknown table what Airtable answers a personal access token', async () => {
    expect((await api('GET', '/v0/appNope/Calls')).body.error.type).toBe('NOT_FOUND');
    const res = await api('GET', `/v0/${BASE_ID}/Jobs`);
    expect(res.status).toBe(403);
    expect(res.body.error.type).toBe('INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND');
    // The request log names the table of a refused request too.
    expect(emulator.state.requestLog().map((r) => [r.table, r.status])).toEqual([
      ['Calls', 404],
      ['Jobs', 403],
    ]);
  });

  it('upserts: creates, then updates on the merge field, with Airtable-shaped ids', async () => {
    const created = await api('PATCH', calls, upsert([{ 'Call ID': 'CA1', Status: 'PAGING' }]));
    expect(created.status).toBe(200);
    const id = created.body.createdRecords[0] as string;
    expect(id).toMatch(/^rec[A-Za-z0-9]{14}$/);
    expect(created.body.records[0].createdTime).toMatch(/^\d{4}-\d\d-\d\dT/);

    const updated = await api('PATCH', calls, upsert([{ 'Call ID': 'CA1', Status: 'ACCEPTED' }, { 'Call ID': 'CA2' }]));
    expect(updated.body.updatedRecords).toEqual([id]);
    expect(updated.body.createdRecords).toHaveLength(1);
    expect(emulator.state.records('Calls').map((r) => r.fields)).toEqual([{ 'Call ID': 'CA1', Status: 'ACCEPTED' }, { 'Call ID': 'CA2' }]);
  });

  it('refuses more than 10 records per write', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ 'Call ID': `CA${i}` }));
    expect((await api('PATCH', calls, upsert(eleven))).status).toBe(422);
    expect((await api('POST', calls, { records: eleven.map((fields) => ({ fields })) })).status).toBe(422);
    expect(emulator.state.records('Calls')).toEqual([]);
  });

  it.each([
    [{ 'Call ID': 'CA1', Colour: 'red' }, false, 'UNKNOWN_FIELD_NAME'],
    [{ 'Call ID': 'CA1', 'Accepted At': 'yesterday' }, true, 'INVALID_VALUE_FOR_COLUMN'],
    [{ 'Call ID': 42 }, false, 'INVALID_VALUE_FOR_COLUMN'],
    [{ 'Call ID': 'CA1', Urgency: 'whenever' }, false, 'INVALID_MULTIPLE_CHOICE_OPTIONS'],
  ])('rejects %j (typecast %s) with 422 %s, writing nothing', async (fields, typecast, type) => {
    const res = await api('PATCH', calls, upsert([{ 'Call ID': 'CA0' }, fields], { typecast }));
    expect(res.status).toBe(422);
    expect(res.body.error.type).toBe(type);
    expect(emulator.state.records('Calls')).toEqual([]);
  });

  it('adds a missing select option when typecast is on', async () => {
    expect((await api('PATCH', calls, upsert([{ 'Call ID': 'CA1', Urgency: 'whenever' }], { typecast: true }))).status).toBe(200);
  });

  it('lists with filterByFormula and pages with offset', async () => {
    for (let batch = 0; batch < 3; batch++) {
      await api('POST', calls, { records: Array.from({ length: 10 }, (_, i) => ({ fields: { 'Call ID': `CA${batch * 10 + i}`, Status: i % 2 ? 'PAGING' : 'ACCEPTED' } })) });
    }
    const one = await api('GET', `${calls}?filterByFormula=${encodeURIComponent("{Call ID} = 'CA7'")}`);
    expect(one.body.records.map((r: any) => r.fields['Call ID'])).toEqual(['CA7']);

    const seen: string[] = [];
    let offset: string | undefined;
    do {
      const q = new URLSearchParams({ pageSize: '4', filterByFormula: "AND({Status} = 'PAGING', {Call ID} != 'CA1')", ...(offset ? { offset } : {}) });
      const res = await api('GET', `${calls}?${q}`);
      seen.push(...res.body.records.map((r: any) => r.fields['Call ID']));
      offset = res.body.offset;
    } while (offset);
    expect(seen).toEqual(['CA3', 'CA5', 'CA7', 'CA9', 'CA11', 'CA13', 'CA15', 'CA17', 'CA19', 'CA21', 'CA23', 'CA25', 'CA27', 'CA29']);

    expect((await api('GET', `${calls}?filterByFormula=${encodeURIComponent('{Nope}')}`)).body.error.type).toBe('INVALID_FILTER_BY_FORMULA');
  });

  it('returns only the cells named with fields[], and refuses an unknown one', async () => {
    await api('POST', calls, { records: [{ fields: { 'Call ID': 'CA1', Status: 'PAGING', Summary: 'no heat' } }] });
    const res = await api('GET', `${calls}?fields%5B%5D=Call+ID&fields%5B%5D=Status`);
    expect(res.body.records.map((r: any) => r.fields)).toEqual([{ 'Call ID': 'CA1', Status: 'PAGING' }]);
    expect((await api('GET', `${calls}?fields%5B%5D=Colour`)).body.error.type).toBe('UNKNOWN_FIELD_NAME');
  });

  it('holds linked-record fields as arrays of record ids, as Airtable returns them', async () => {
    const technicians = emulator.state.tables().find((t) => t.name === 'Technicians')!;
    const meta = `/v0/meta/bases/${BASE_ID}/tables`;
    const crew = await api('POST', meta, {
      name: 'Crews',
      fields: [
        { name: 'Name', type: 'singleLineText' },
        { name: 'Members', type: 'multipleRecordLinks', options: { linkedTableId: technicians.id } },
      ],
    });
    expect(crew.status).toBe(200);
    const linkNowhere = await api('POST', `${meta}/${crew.body.id}/fields`, { name: 'Lead', type: 'multipleRecordLinks', options: { linkedTableId: 'tblNope' } });
    expect(linkNowhere.status).toBe(422);

    const techs = await api('POST', `/v0/${BASE_ID}/Technicians`, { records: [{ fields: { Name: 'Alex' } }, { fields: { Name: 'Jordan' } }] });
    const [alex, jordan] = techs.body.records.map((r: any) => r.id as string);
    const crews = `/v0/${BASE_ID}/Crews`;
    const created = await api('POST', crews, { records: [{ fields: { Name: 'Night', Members: [jordan, alex] } }, { fields: { Name: 'Empty', Members: [] } }] });
    expect(created.status).toBe(200);
    expect((await api('GET', crews)).body.records.map((r: any) => r.fields)).toEqual([{ Name: 'Night', Members: [jordan, alex] }, { Name: 'Empty' }]);

    const stale = await api('POST', crews, { records: [{ fields: { Name: 'Stale', Members: ['recAAAAAAAAAAAAAA'] } }] });
    expect([stale.status, stale.body.error.type]).toEqual([422, 'ROW_DOES_NOT_EXIST']);
    expect((await api('POST', crews, { records: [{ fields: { Name: 'Text', Members: 'Alex' } }] })).status).toBe(422);
    // With typecast a name finds the row whose primary field holds it.
    const byName = await api('POST', crews, { typecast: true, records: [{ fields: { Name: 'Day', Members: ['Alex'] } }] });
    expect(byName.body.records[0].fields.Members).toEqual([alex]);
  });

  it('is controlled over HTTP: outage, stats, request log, records dump, reset', async () => {
    const control = client(emulator.url);
    expect((await control('POST', '/_emulator/outage', { status: 503 })).body.outage).toBe(503);
    expect((await api('GET', calls)).status).toBe(503);
    await control('DELETE', '/_emulator/outage');
    await api('PATCH', calls, upsert([{ 'Call ID': 'CA1' }]));

    const dump = await control('GET', `/_emulator/tables/${encodeURIComponent('Calls')}/records`);
    expect(dump.body.records.map((r: any) => r.fields)).toEqual([{ 'Call ID': 'CA1' }]);
    const log = await control('GET', '/_emulator/requests');
    expect(log.body.requests.map((r: any) => [r.method, r.table, r.status])).toEqual([
      ['GET', 'Calls', 503],
      ['PATCH', 'Calls', 200],
    ]);
    expect((await control('GET', '/_emulator/stats')).body).toEqual({ requests: 1, rateLimited: 0, peakRequestsPerSecond: 1, outage: null });

    await control('POST', '/_emulator/reset');
    expect((await control('GET', '/_emulator/tables/Calls/records')).body.records).toEqual([]);
    expect((await control('GET', '/_emulator/requests')).body.requests).toEqual([]);
  });
});

describe('Airtable emulator persistence', () => {
  it('keeps the base in its data file across restarts', async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), 'airtable-emu-')), 'base.json');
    const first = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, dataFile });
    await client(first.url)('PATCH', calls, upsert([{ 'Call ID': 'CA1', Status: 'PAGING' }]));
    await first.close();

    const second = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, dataFile });
    try {
      expect(second.state.records('Calls').map((r) => r.fields)).toEqual([{ 'Call ID': 'CA1', Status: 'PAGING' }]);
      expect(second.state.tables().map((t) => t.name)).toEqual(['Calls', 'Dispatch Events', 'Technicians', 'Rotations', 'Overrides']);
    } finally {
      await second.close();
    }
  });

  it('adds the schedule tables to a data file saved before them, keeping its rows', async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), 'airtable-emu-')), 'base.json');
    const first = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, dataFile });
    await client(first.url)('PATCH', calls, upsert([{ 'Call ID': 'CA1' }]));
    await first.close();
    const saved = JSON.parse(readFileSync(dataFile, 'utf8')) as { tables: { name: string }[] };
    writeFileSync(dataFile, JSON.stringify({ tables: saved.tables.filter((t) => !['Rotations', 'Overrides'].includes(t.name)) }));

    const second = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, dataFile });
    try {
      expect(second.state.tables().map((t) => t.name)).toEqual(['Calls', 'Dispatch Events', 'Technicians', 'Rotations', 'Overrides']);
      expect(second.state.records('Calls')).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
