// What "the audit trail in Airtable is complete" means, checked from the outside (spec section 6):
// the emulator's rows against the dispatch's own account of the messages it sent
// (GET /api/dispatches/:callId) and against the messages Twilio (the emulator) really carried.
// Shared by test/e2e/airtable.test.ts and bench/auditDrain.ts.
import { Client, Connection } from '@temporalio/client';
import type { EmulatorRecord } from '../../emulators/airtable';
import type { EmulatedMessage } from '../../emulators/twilio';
import type { DispatchState, SentMessage } from '../../src/domain/types';
import type { Stack } from '../support/stack';

// ---- the spec's names, written out here on purpose (not imported from the product) -------------

export const SPEC_CALLS_FIELDS = [
  'Call ID',
  'Caller Phone',
  'Urgency',
  'Summary',
  'Address',
  'Status',
  'Assigned Technician',
  'Accepted At',
  'Created At',
  'Workflow ID',
  'ETA',
  'Arrived At',
  'Completed At',
  'Fee Accepted',
] as const;

export const SPEC_EVENTS_FIELDS = [
  'Event Key',
  'Call ID',
  'Event Type',
  'Method',
  'Recipient',
  'Technician',
  'Attempt Number',
  'Sent At',
  'Delivery Status',
  'Message SID',
  'Error Code',
  'Detail',
] as const;

export const SPEC_TECHNICIANS_FIELDS = ['Name', 'Phone', 'Tier', 'Active'] as const;
// Section 9: the on-call schedule, read by the service, never written.
export const SPEC_ROTATIONS_FIELDS = ['Name', 'Tier', 'Members', 'Start', 'Shift Hours', 'Active'] as const;
export const SPEC_OVERRIDES_FIELDS = ['Name', 'Technician', 'Tier', 'Start', 'End', 'Replaces'] as const;

export const SPEC_SELECTS: Record<string, Record<string, readonly string[]>> = {
  Calls: {
    Urgency: ['emergency', 'urgent', 'routine'],
    Status: ['SCHEDULED', 'PAGING', 'ACCEPTED', 'ON_SITE', 'COMPLETED', 'UNANSWERED', 'CANCELLED'],
  },
  'Dispatch Events': {
    'Event Type': [
      'PAGE_SENT',
      'FOLLOW_UP_SENT',
      'SEND_FAILED',
      'ESCALATED',
      'ACCEPTED',
      'DECLINED',
      'UNANSWERED',
      'CANCELLED',
      'CUSTOMER_NOTIFIED',
      'STAND_DOWN_SENT',
      'ETA_SET',
      'ARRIVED',
      'COMPLETED',
      'CHECK_IN_SENT',
      'OVERDUE_ALERT',
      'FEE_ACCEPTED',
      'CALLER_MESSAGE',
      'ONCALL_REMINDER',
      'COVERAGE_GAP',
    ],
    Method: ['SMS', 'VOICE'],
    'Delivery Status': ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'],
  },
};

/** The row each kind of message writes (spec: one row per message sent). */
const EVENT_TYPE_OF: Record<SentMessage['kind'], string> = {
  PAGE: 'PAGE_SENT',
  FOLLOW_UP: 'FOLLOW_UP_SENT',
  STAND_DOWN: 'STAND_DOWN_SENT',
  CUSTOMER_NOTIFIED: 'CUSTOMER_NOTIFIED',
  ASSIGNMENT: 'ACCEPTED',
  ALERT: 'UNANSWERED',
  CHECK_IN: 'CHECK_IN_SENT',
  OVERDUE_ALERT: 'OVERDUE_ALERT',
  CALLER_MESSAGE: 'CALLER_MESSAGE',
  ONCALL_REMINDER: 'ONCALL_REMINDER',
  COVERAGE_GAP: 'COVERAGE_GAP',
};

const FINAL_CALL_STATUSES = new Set(['ACCEPTED', 'ON_SITE', 'COMPLETED', 'CANCELLED', 'UNANSWERED']);
const FINAL_DELIVERY = new Set(['delivered', 'undelivered', 'failed']);

// ---- reading both sides ------------------------------------------------------------------------

/** One look at the base, grouped by key. */
export interface BaseSnapshot {
  calls: EmulatorRecord[];
  events: EmulatorRecord[];
  callsById: Map<string, EmulatorRecord[]>;
  eventsByKey: Map<string, EmulatorRecord[]>;
}

export function snapshot(stack: Stack): BaseSnapshot {
  const calls = stack.airtable.state.records('Calls');
  const events = stack.airtable.state.records('Dispatch Events');
  return { calls, events, callsById: groupBy(calls, 'Call ID'), eventsByKey: groupBy(events, 'Event Key') };
}

function groupBy(records: EmulatorRecord[], field: string): Map<string, EmulatorRecord[]> {
  const map = new Map<string, EmulatorRecord[]>();
  for (const r of records) {
    const key = String(r.fields[field]);
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  return map;
}

/** Keys that more than one row carries: the whole table, whichever dispatch wrote them. */
export function duplicateKeys(base: BaseSnapshot): { callIds: string[]; eventKeys: string[] } {
  const dup = (m: Map<string, EmulatorRecord[]>) => [...m].filter(([, rows]) => rows.length > 1).map(([k]) => k);
  return { callIds: dup(base.callsById), eventKeys: dup(base.eventsByKey) };
}

/** SMS our service sent through the Messages API for this call (the status callback names it). */
export function twilioMessagesOf(stack: Stack, callId: string): EmulatedMessage[] {
  return stack.twilio.state
    .messages()
    .filter((m) => m.direction === 'outbound-api' && m.statusCallback && new URL(m.statusCallback).searchParams.get('callId') === callId);
}

/** A Temporal client for asking whether a dispatch has closed (its audit lane then has drained). */
export async function temporalClient(stack: Stack): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: stack.temporal.address });
  return { client: new Client({ connection }), close: () => connection.close() };
}

export async function workflowClosed(client: Client, callId: string): Promise<string | undefined> {
  const { status } = await client.workflow.getHandle(`dispatch-${callId}`).describe();
  return status.name === 'RUNNING' ? undefined : status.name;
}

// ---- the check ---------------------------------------------------------------------------------

export interface AuditExpectation {
  callId: string;
  /** Event Types of the rows that are not a message (ACCEPTED, CANCELLED, DECLINED, ESCALATED …) */
  otherEvents: string[];
}

/**
 * Everything wrong with one dispatch's rows, given its final state; [] when the Calls row and
 * every Dispatch Events row are there, once each, with the final values.
 */
export function auditProblems(stack: Stack, base: BaseSnapshot, state: DispatchState, expect: AuditExpectation): string[] {
  const problems: string[] = [];
  const { callId } = state;
  const p = (what: string) => problems.push(`${callId}: ${what}`);

  // Calls: one row, final status.
  const callRows = base.callsById.get(callId) ?? [];
  if (callRows.length !== 1) p(`${callRows.length} Calls rows`);
  const call = callRows[0]?.fields;
  if (call) {
    const want: Record<string, unknown> = {
      Status: state.status,
      'Workflow ID': `dispatch-${callId}`,
      'Caller Phone': state.callerPhone,
      Urgency: state.urgency,
      Summary: state.summary,
      ...(state.address ? { Address: state.address } : {}),
      ...(state.assigned ? { 'Assigned Technician': state.assigned.name } : {}),
    };
    for (const [field, value] of Object.entries(want)) if (call[field] !== value) p(`Calls.${field} is ${JSON.stringify(call[field])}, want ${JSON.stringify(value)}`);
    if (typeof call['Created At'] !== 'string') p('Calls.Created At missing');
    if (state.assigned && !sameInstant(call['Accepted At'], state.assigned.acceptedAt)) {
      p(`Calls.Accepted At is ${String(call['Accepted At'])}, want ${state.assigned.acceptedAt}`);
    }
  }
  if (!FINAL_CALL_STATUSES.has(state.status)) p(`dispatch still ${state.status}`);

  // Dispatch Events: exactly one row per message, matching the dispatch and Twilio.
  const sent = twilioMessagesOf(stack, callId);
  const bySid = new Map(sent.map((m) => [m.sid, m]));
  const stateSids = new Set(state.messages.map((m) => m.messageSid).filter(Boolean));
  for (const m of sent) if (!stateSids.has(m.sid)) p(`Twilio carried ${m.sid} to ${m.to} that the dispatch does not list`);
  for (const m of state.messages) {
    if (!FINAL_DELIVERY.has(m.status)) p(`message ${m.key} still ${m.status}`);
    const rows = base.eventsByKey.get(m.key) ?? [];
    if (rows.length !== 1) {
      p(`${rows.length} Dispatch Events rows for message ${m.key}`);
      continue;
    }
    const row = rows[0]!.fields;
    const twilio = m.messageSid ? bySid.get(m.messageSid) : undefined;
    if (m.messageSid && !twilio) p(`message ${m.key} (${m.messageSid}) not found at Twilio`);
    const want: Record<string, unknown> = {
      'Call ID': callId,
      'Event Type': m.messageSid ? EVENT_TYPE_OF[m.kind] : 'SEND_FAILED',
      Method: 'SMS',
      Recipient: m.to,
      'Attempt Number': m.attempt,
      'Delivery Status': twilio?.status ?? m.status,
      ...(m.messageSid ? { 'Message SID': m.messageSid } : {}),
      ...(m.technician ? { Technician: m.technician } : {}),
      ...(m.errorCode ? { 'Error Code': String(m.errorCode) } : {}),
    };
    if (twilio && twilio.status !== m.status) p(`message ${m.key}: dispatch says ${m.status}, Twilio says ${twilio.status}`);
    for (const [field, value] of Object.entries(want)) {
      if (row[field] !== value) p(`row ${m.key}: ${field} is ${JSON.stringify(row[field])}, want ${JSON.stringify(value)}`);
    }
    if (!sameInstant(row['Sent At'], m.sentAt)) p(`row ${m.key}: Sent At is ${String(row['Sent At'])}, want ${m.sentAt}`);
  }

  // Wake-up calls (emergency follow-ups): one VOICE row each.
  for (const c of state.calls ?? []) {
    const rows = base.eventsByKey.get(c.key) ?? [];
    if (rows.length !== 1) {
      p(`${rows.length} Dispatch Events rows for wake-up call ${c.key}`);
      continue;
    }
    const row = rows[0]!.fields;
    const want: Record<string, unknown> = {
      'Call ID': callId,
      'Event Type': c.status === 'placed' ? 'FOLLOW_UP_SENT' : 'SEND_FAILED',
      Method: 'VOICE',
      Recipient: c.to,
      Technician: c.technician,
      'Attempt Number': c.ring,
      ...(c.callSid ? { 'Message SID': c.callSid } : {}),
    };
    for (const [field, value] of Object.entries(want)) {
      if (row[field] !== value) p(`row ${c.key}: ${field} is ${JSON.stringify(row[field])}, want ${JSON.stringify(value)}`);
    }
  }

  // The rows of this call that are neither a message nor a call: exactly the events expected.
  const messageKeys = new Set([...state.messages.map((m) => m.key), ...(state.calls ?? []).map((c) => c.key)]);
  const others = base.events.filter((r) => String(r.fields['Event Key']).startsWith(`${callId}/`) && !messageKeys.has(String(r.fields['Event Key'])));
  const gotOthers = others.map((r) => String(r.fields['Event Type'])).sort();
  const wantOthers = [...expect.otherEvents].sort();
  if (JSON.stringify(gotOthers) !== JSON.stringify(wantOthers)) p(`event rows besides messages are ${JSON.stringify(gotOthers)}, want ${JSON.stringify(wantOthers)}`);
  for (const r of others) if (r.fields['Call ID'] !== callId) p(`row ${String(r.fields['Event Key'])}: Call ID is ${JSON.stringify(r.fields['Call ID'])}`);
  return problems;
}

function sameInstant(a: unknown, b: string | undefined): boolean {
  return typeof a === 'string' && b !== undefined && Date.parse(a) === Date.parse(b);
}

/** Field names and select values outside the spec, anywhere in the base or its schema. */
export function specShapeProblems(stack: Stack): string[] {
  const problems: string[] = [];
  const spec: Record<string, readonly string[]> = {
    Calls: SPEC_CALLS_FIELDS,
    'Dispatch Events': SPEC_EVENTS_FIELDS,
    Technicians: SPEC_TECHNICIANS_FIELDS,
    Rotations: SPEC_ROTATIONS_FIELDS,
    Overrides: SPEC_OVERRIDES_FIELDS,
  };
  for (const table of stack.airtable.state.tables()) {
    const names = spec[table.name];
    if (!names) {
      problems.push(`table "${table.name}" is not in the spec`);
      continue;
    }
    const fields = table.fields.map((f) => f.name);
    if (JSON.stringify([...fields].sort()) !== JSON.stringify([...names].sort())) {
      problems.push(`table "${table.name}" has fields ${JSON.stringify(fields)}, spec says ${JSON.stringify(names)}`);
    }
    // typecast: true would quietly add an option for a value the spec does not have.
    for (const [field, allowed] of Object.entries(SPEC_SELECTS[table.name] ?? {})) {
      const choices = ((table.fields.find((f) => f.name === field)?.options?.choices ?? []) as { name: string }[]).map((c) => c.name);
      const extra = choices.filter((c) => !allowed.includes(c));
      if (extra.length) problems.push(`${table.name}.${field} gained options ${JSON.stringify(extra)}`);
    }
    if (table.name === 'Technicians') continue;
    for (const record of stack.airtable.state.records(table.name)) {
      const unknown = Object.keys(record.fields).filter((f) => !names.includes(f));
      if (unknown.length) problems.push(`${table.name} row ${record.id} has fields ${JSON.stringify(unknown)}`);
      for (const [field, allowed] of Object.entries(SPEC_SELECTS[table.name] ?? {})) {
        const value = record.fields[field];
        if (value !== undefined && !allowed.includes(String(value))) problems.push(`${table.name} row ${record.id}: ${field} = ${JSON.stringify(value)}`);
      }
    }
  }
  const rejected = stack.airtable.state.requestLog().filter((r) => r.status === 422);
  if (rejected.length) problems.push(`${rejected.length} request(s) answered 422, first ${JSON.stringify(rejected[0])}`);
  return problems;
}

/** Busiest 1 s window of a request log (sliding, by each request's logged time). */
export function peakPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}
