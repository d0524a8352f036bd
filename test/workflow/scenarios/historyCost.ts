// What a dispatch costs its history, in simulated time. The audit trail's hand-offs to the Airtable
// writer (spec section 6): at most one per AUDIT_FLUSH_INTERVAL, the rows of the moments between
// gathered into it, and what is left handed over as the dispatch closes, without waiting out the
// interval; the rows are the same as when every moment's rows go at once. And one patch marker for
// every change a new dispatch takes.
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { expect, test } from 'vitest';
import { loadConfig, type Config } from '../../../src/config';
import type { AuditOp } from '../../../src/contract/audit';
import { DISPATCH_PATCHES_TAKEN } from '../../../workflows/dispatch/versions';
import { alice, bob, PRODUCTION, simulationForTests, type Call } from '../support/simulation';

const sim = simulationForTests();

/** Production with the audit rows of every moment handed over at once (as before the interval). */
const AT_ONCE: Config = loadConfig({ BUSINESS_NAME: 'Acme Plumbing', AUDIT_FLUSH_INTERVAL: '0s' });

const ofCall = (call: Call, op: AuditOp) => op.row.callId === call.callId;

/** Paged at 0:00, Alice accepts at 0:30 and texts DONE at once: the hand-offs and the rows as the writer would hold them. */
async function acceptedThenDone(config: Config) {
  const call = await sim.call({ urgency: 'emergency' }, config);
  await call.at('0:30');
  await call.accept(alice);
  const final = await call.complete(alice);
  const handOffs = sim.auditHandOffs.filter((h) => h.ops.some((op) => ofCall(call, op)));
  // Event keys begin with the call id: compared without it.
  const rows = call.auditEvents().map((e) => [e.eventKey.slice(call.callId.length), e.eventType, e.technician, e.deliveryStatus]);
  const { callId: _id, workflowId: _workflow, createdAt: _created, acceptedAt: _accepted, completedAt: _completed, ...callRow } = call.callRow();
  return { call, final, handOffs, rows, callRow, startedAt: Date.parse(call.input.receivedAt) };
}

test('the audit rows go to the writer at most once per AUDIT_FLUSH_INTERVAL (5 s) and all of them get there; the close hands over the rest at once', async () => {
  expect(PRODUCTION.timers.auditFlushMs).toBe(5_000);
  const atOnce = await acceptedThenDone(AT_ONCE);
  await sim.reset();
  const gathered = await acceptedThenDone(PRODUCTION);

  // The same rows, whatever the interval.
  expect(gathered.final.status).toBe('COMPLETED');
  expect(gathered.rows).toEqual(atOnce.rows);
  expect(gathered.rows.map(([key]) => key)).toEqual(expect.arrayContaining(['/accepted', '/completed']));
  expect(gathered.callRow).toEqual(atOnce.callRow);
  expect(gathered.callRow.status).toBe('COMPLETED');

  // Every moment's rows on their own: a hand-off for the start, the pages, the accept, the stand-down, the close.
  expect(atOnce.handOffs.length).toBeGreaterThanOrEqual(5);
  // Gathered: the first one interval after the start, each next one at least an interval after the
  // one before, but for the close's.
  const times = gathered.handOffs.map((h) => h.at);
  expect(times[0]! - gathered.startedAt).toBeGreaterThanOrEqual(5_000);
  for (let i = 1; i < times.length - 1; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(5_000);
  expect(gathered.handOffs.length).toBeLessThanOrEqual(3);
  // DONE came at 0:30, less than an interval after the accept's hand-off: the close did not wait.
  const closing = gathered.handOffs.at(-1)!;
  expect(closing.ops.some((op) => op.table === 'events' && op.row.eventType === 'COMPLETED')).toBe(true);
  expect(closing.at - times.at(-2)!).toBeLessThan(5_000);
});

test('a moment after a quiet interval is handed over at once, with no wait', async () => {
  const call = await sim.call({ urgency: 'emergency' });
  await call.at('1:30');
  const before = sim.auditHandOffs.length;
  const declinedAt = await sim.now();
  const answer = await call.decline(bob);
  expect(answer.outcome).toBe('declined');
  await call.stateWhen('the decline recorded', (s) => s.declined.includes(bob.phone));
  await expect.poll(() => sim.auditHandOffs.length, { timeout: 5_000 }).toBe(before + 1);
  const handOff = sim.auditHandOffs.at(-1)!;
  expect(handOff.ops.map((op) => op.table === 'events' && op.row.eventType)).toContain('DECLINED');
  expect(handOff.at).toBeGreaterThanOrEqual(declinedAt);
  expect(handOff.at - declinedAt).toBeLessThan(1_000);
});

test('a new dispatch takes every change with one patch marker: one marker and one TemporalChangeVersion upsert in its history, and each change in effect', async () => {
  const call = await sim.call({ urgency: 'emergency' });
  await call.at('2:30');
  // In effect: the follow-up rings (voice-follow-up), the dispatch follows the job until DONE
  // (after-accept), pages go through the phones' workflows (phone-workflows).
  expect(await call.timeline()).toEqual(['0:00 page → Alice', '0:00 page → Bob', '2:00 follow-up → Alice', '2:00 ring → Alice', '2:00 follow-up → Bob', '2:00 ring → Bob']);
  await call.accept(alice);
  expect((await call.complete(alice)).status).toBe('COMPLETED');
  const events = (await call.handle.fetchHistory()).events ?? [];
  const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  expect(scheduled).toContain('pageTechnician');
  // The first step's read ran inside its first workflow task (first-read-local): a marker, no
  // activity task; the follow-up's, after the pages, is an activity.
  expect(markers<{ activity_type: string }>(events, 'core_local_activity', 'data').map((m) => m.activity_type)).toEqual(['onCallNow']);
  expect(scheduled.filter((name) => name === 'onCallNow')).toHaveLength(1);

  expect(markers<{ id: string }>(events, 'core_patch', 'patch-data').map((m) => m.id)).toEqual([DISPATCH_PATCHES_TAKEN]);
  const versionUpserts = events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion);
  expect(versionUpserts).toHaveLength(1);
});

/** What the SDK's core recorded in each marker named `name`, under `key`, decoded. */
function markers<T>(events: temporal.api.history.v1.IHistoryEvent[], name: string, key: string): T[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== name) return [];
    return [defaultPayloadConverter.fromPayload<T>(marker.details![key]!.payloads![0]! as never)];
  });
}
