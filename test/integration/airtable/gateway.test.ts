// The gateway over the official client against the emulator: real HTTP, real client.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AirtableRequestError } from '../../../activities/airtable/errors';
import { createAirtableGateway, type AirtableGateway } from '../../../activities/airtable/gateway';
import { createRosterSource } from '../../../activities/roster/rosterSource';
import type { DispatchEventRow } from '../../../src/domain/types';
import { startAirtableEmulator, type AirtableEmulator } from '../../../emulators/airtable';
import { captureLogger, LEVEL } from '../../unit/airtable/logCapture';

const API_KEY = 'patTEST.secret';
const BASE_ID = 'appDispatchTest01';

async function rejectionOf(promise: Promise<unknown>): Promise<AirtableRequestError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirtableRequestError);
  return err as AirtableRequestError;
}

const page = (n: number, callId = 'CA1'): DispatchEventRow => ({
  eventKey: `${callId}:page:${n}`,
  callId,
  eventType: 'PAGE_SENT',
  method: 'SMS',
  recipient: '+12125550101',
  attemptNumber: 1,
  sentAt: '2025-01-01T02:58:01.000Z',
  deliveryStatus: 'queued',
});

describe('Airtable gateway', () => {
  let emulator: AirtableEmulator;
  let gateway: AirtableGateway;
  const log = captureLogger();

  beforeAll(async () => {
    // A generous limit here; the limiter has its own suite below with Airtable's real 5/s.
    emulator = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID, requestsPerSecond: 1000 });
    gateway = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url, logger: log.logger });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.state.reset());

  it('upserts the same event twice into one row; the second write updates it', async () => {
    expect(await gateway.upsertEvents([page(1)])).toEqual({ created: 1, updated: 0 });
    expect(await gateway.upsertEvents([{ eventKey: 'CA1:page:1', callId: 'CA1', deliveryStatus: 'delivered', messageSid: 'SM1' }])).toEqual({
      created: 0,
      updated: 1,
    });

    const rows = emulator.state.records('Dispatch Events');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.fields).toEqual({
      'Event Key': 'CA1:page:1',
      'Call ID': 'CA1',
      'Event Type': 'PAGE_SENT',
      Method: 'SMS',
      Recipient: '+12125550101',
      'Attempt Number': 1,
      'Sent At': '2025-01-01T02:58:01.000Z',
      'Delivery Status': 'delivered',
      'Message SID': 'SM1',
    });
  });

  it('upserts a Calls row on Call ID', async () => {
    await gateway.upsertCalls([{ callId: 'CA9', callerPhone: '+12125550199', urgency: 'emergency', status: 'PAGING', workflowId: 'dispatch-CA9' }]);
    await gateway.upsertCalls([{ callId: 'CA9', status: 'ACCEPTED', assignedTechnician: 'Alex', acceptedAt: '2025-01-01T03:00:00Z' }]);
    const rows = emulator.state.records('Calls');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.fields).toMatchObject({ Status: 'ACCEPTED', Urgency: 'emergency', 'Accepted At': '2025-01-01T03:00:00.000Z' });
  });

  it('writes a batch of 10 rows in one request; retrying it duplicates nothing', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => page(i));
    expect(await gateway.upsertEvents(rows)).toEqual({ created: 10, updated: 0 });
    const writes = emulator.state.requestLog().filter((r) => r.method === 'PATCH');
    expect(writes.map((r) => r.status)).toEqual([200]);
    // Retrying the whole batch (as Temporal would) duplicates nothing.
    expect(await gateway.upsertEvents(rows)).toEqual({ created: 0, updated: 10 });
    expect(emulator.state.records('Dispatch Events')).toHaveLength(10);
  });

  it('refuses more than 10 rows before sending anything: the writer batches them', async () => {
    await expect(gateway.upsertEvents(Array.from({ length: 11 }, (_, i) => page(i)))).rejects.toThrow(/at most 10 records/);
    expect(emulator.state.requestLog().filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('reports a field the base lacks as a permanent error naming table and field', async () => {
    emulator.state.removeField('Dispatch Events', 'Detail');
    const err = await rejectionOf(gateway.upsertEvents([{ ...page(1), detail: 'landline' }]));
    expect(err).toMatchObject({ kind: 'permanent', status: 422, airtableType: 'UNKNOWN_FIELD_NAME' });
    expect(err.message).toContain('"Dispatch Events"');
    expect(err.message).toContain('"Detail"');
    expect(emulator.state.records('Dispatch Events')).toEqual([]);
  });

  it('classifies a wrong key as permanent and an outage as transient', async () => {
    const wrongKey = createAirtableGateway({ apiKey: 'patWRONG', baseId: BASE_ID, endpointUrl: emulator.url, logger: log.logger });
    expect(await rejectionOf(wrongKey.upsertCalls([{ callId: 'CA1' }]))).toMatchObject({ kind: 'permanent', status: 401 });

    emulator.state.setOutage(503);
    expect(await rejectionOf(gateway.upsertCalls([{ callId: 'CA1' }]))).toMatchObject({ kind: 'transient', status: 503 });
    emulator.state.setOutage(null);
    await gateway.upsertCalls([{ callId: 'CA1' }]);
    expect(emulator.state.records('Calls')).toHaveLength(1);
  });

  it('classifies an unreachable Airtable as transient', async () => {
    const nowhere = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: 'http://127.0.0.1:1', logger: log.logger });
    expect(await rejectionOf(nowhere.upsertCalls([{ callId: 'CA1' }]))).toMatchObject({ kind: 'transient', status: undefined });
  });

  it('lists active technicians across pages, validated, invalid rows skipped with a warning', async () => {
    const create = (fields: Record<string, unknown>[]) =>
      fetch(`${emulator.url}/v0/${BASE_ID}/Technicians`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ records: fields.map((f) => ({ fields: f })) }),
      }).then((r) => expect(r.status).toBe(200));
    // 105 active rows force a second page.
    for (let batch = 0; batch < 11; batch++) {
      await create(
        Array.from({ length: 10 }, (_, i) => {
          const n = batch * 10 + i;
          return { Name: `Tech ${n}`, Phone: `(212) 555-${String(1000 + n).padStart(4, '0')}`, Tier: (n % 3) + 1, Active: n < 105 };
        }),
      );
    }
    await create([{ Name: 'Broken', Phone: 'not a phone', Tier: 1, Active: true }]);

    const before = log.lines.length;
    const technicians = await gateway.listTechnicians();
    expect(technicians).toHaveLength(105);
    expect(technicians[0]).toEqual({ name: 'Tech 0', phone: '+12125551000', tier: 1, active: true });
    expect(emulator.state.requestLog().filter((r) => r.method === 'GET')).toHaveLength(2);
    const warnings = log.lines.slice(before).filter((l) => l.level === LEVEL.warn);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/^roster row rec\w{14} skipped: phone/);
  });

  it('keeps paging on the last roster while Airtable is down', async () => {
    const create = await fetch(`${emulator.url}/v0/${BASE_ID}/Technicians`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ fields: { Name: 'Alex', Phone: '+12125550101', Tier: 1, Active: true } }] }),
    });
    expect(create.status).toBe(200);
    const roster = createRosterSource({ gateway, logger: log.logger, cacheTtlMs: 0 });
    const first = await roster.loadRoster();
    emulator.state.setOutage(503);
    expect(await roster.loadRoster()).toEqual(first);
    expect(first).toEqual([{ name: 'Alex', phone: '+12125550101', tier: 1, active: true }]);
  });
});

describe('Airtable rate limit (5 requests/s per base)', () => {
  let emulator: AirtableEmulator;
  let gateway: AirtableGateway;

  beforeAll(async () => {
    emulator = await startAirtableEmulator({ apiKey: API_KEY, baseId: BASE_ID });
    // Pacing off (1000/s) so the burst really reaches the emulator at once.
    gateway = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url, logger: captureLogger().logger, requestsPerSecond: 1000 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.state.reset());

  it('paces a burst of 20 by default: no 429, never more than 5 requests in a second', async () => {
    const paced = createAirtableGateway({ apiKey: API_KEY, baseId: BASE_ID, endpointUrl: emulator.url, logger: captureLogger().logger });
    const started = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => paced.upsertEvents([page(i)])));
    expect(emulator.state.stats()).toMatchObject({ requests: 20, rateLimited: 0 });
    expect(emulator.state.stats().peakRequestsPerSecond).toBeLessThanOrEqual(5);
    expect(emulator.state.records('Dispatch Events')).toHaveLength(20);
    // 4 per second by default: the 20th request starts about 19 × 250 ms after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
  });

  it('answers a burst of 20 with 429s that the gateway classifies as rate-limited', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => gateway.upsertEvents([page(i)])));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');

    expect(refused.length).toBeGreaterThan(0);
    for (const { reason } of refused) expect(reason).toMatchObject({ kind: 'rateLimited', status: 429 });
    const stats = emulator.state.stats();
    expect(stats.rateLimited).toBe(refused.length);
    expect(stats.peakRequestsPerSecond).toBeGreaterThan(5);
    // Nothing refused was written: one row per accepted request.
    expect(emulator.state.records('Dispatch Events')).toHaveLength(20 - refused.length);
    expect(emulator.state.requestLog().filter((r) => r.status === 429)).toHaveLength(refused.length);
  });
});
