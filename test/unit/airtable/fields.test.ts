import { describe, expect, it } from 'vitest';
import {
  CALLS,
  DISPATCH_EVENTS,
  SCHEMA,
  TECHNICIANS,
  fromAirtableFields,
  tableFields,
  toAirtableFields,
} from '../../../src/domain/airtable/fields';
import type { CallRow, DispatchEventRow } from '../../../src/domain/types';

// Spec section 6, verbatim: the office builds views on these names.
const SPEC_FIELDS: Record<string, string[]> = {
  Calls: ['Call ID', 'Caller Phone', 'Urgency', 'Summary', 'Address', 'Status', 'Assigned Technician', 'Accepted At', 'Created At', 'Workflow ID', 'ETA', 'Arrived At', 'Completed At', 'Fee Accepted'],
  'Dispatch Events': ['Event Key', 'Call ID', 'Event Type', 'Method', 'Recipient', 'Technician', 'Attempt Number', 'Sent At', 'Delivery Status', 'Message SID', 'Error Code', 'Detail'],
  Technicians: ['Name', 'Phone', 'Tier', 'Active'],
  // Section 9.
  Rotations: ['Name', 'Tier', 'Members', 'Start', 'Shift Hours', 'Active'],
  Overrides: ['Name', 'Technician', 'Tier', 'Start', 'End', 'Replaces'],
};

describe('Airtable schema', () => {
  it('has exactly the spec tables and fields, primary field first', () => {
    expect(Object.fromEntries(SCHEMA.map((table) => [table.name, tableFields(table).map((f) => f.name)]))).toEqual(SPEC_FIELDS);
  });

  it('gives select fields the domain values as choices', () => {
    const choices = (name: string) =>
      (tableFields(DISPATCH_EVENTS).find((f) => f.name === name)?.options?.choices as { name: string }[]).map((c) => c.name);
    expect(choices('Event Type')).toContain('STAND_DOWN_SENT');
    expect(choices('Delivery Status')).toEqual(['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed']);
    expect(choices('Method')).toEqual(['SMS', 'VOICE']);
  });
});

describe('row → Airtable fields', () => {
  it.each([
    [
      'full call',
      CALLS,
      {
        callId: 'CA1',
        callerPhone: '+12125550199',
        urgency: 'emergency',
        summary: 'no heat',
        address: '1 Main St',
        status: 'ACCEPTED',
        assignedTechnician: 'Alex',
        acceptedAt: '2025-01-01T03:00:00.000Z',
        createdAt: '2025-01-01T02:58:00.000Z',
        workflowId: 'dispatch-CA1',
      } satisfies CallRow,
      {
        'Call ID': 'CA1',
        'Caller Phone': '+12125550199',
        Urgency: 'emergency',
        Summary: 'no heat',
        Address: '1 Main St',
        Status: 'ACCEPTED',
        'Assigned Technician': 'Alex',
        'Accepted At': '2025-01-01T03:00:00.000Z',
        'Created At': '2025-01-01T02:58:00.000Z',
        'Workflow ID': 'dispatch-CA1',
      },
    ],
    ['status-only call update leaves other cells alone', CALLS, { callId: 'CA1', status: 'PAGING', summary: undefined } satisfies CallRow, { 'Call ID': 'CA1', Status: 'PAGING' }],
    [
      'page event',
      DISPATCH_EVENTS,
      {
        eventKey: 'CA1:page:1:+12125550101',
        callId: 'CA1',
        eventType: 'PAGE_SENT',
        method: 'SMS',
        recipient: '+12125550101',
        technician: 'Alex',
        attemptNumber: 1,
        sentAt: '2025-01-01T02:58:01.000Z',
        deliveryStatus: 'queued',
        messageSid: 'SM1',
        errorCode: '30034',
        detail: 'x',
      } satisfies DispatchEventRow,
      {
        'Event Key': 'CA1:page:1:+12125550101',
        'Call ID': 'CA1',
        'Event Type': 'PAGE_SENT',
        Method: 'SMS',
        Recipient: '+12125550101',
        Technician: 'Alex',
        'Attempt Number': 1,
        'Sent At': '2025-01-01T02:58:01.000Z',
        'Delivery Status': 'queued',
        'Message SID': 'SM1',
        'Error Code': '30034',
        Detail: 'x',
      },
    ],
    ['delivery callback', DISPATCH_EVENTS, { eventKey: 'k', callId: 'CA1', deliveryStatus: 'delivered' } satisfies DispatchEventRow, { 'Event Key': 'k', 'Call ID': 'CA1', 'Delivery Status': 'delivered' }],
  ])('%s', (_name, table, row, expected) => {
    expect(toAirtableFields(table as typeof CALLS, row)).toEqual(expected);
  });

  it('never writes a property that is not a column', () => {
    const row = { callId: 'CA1', status: 'PAGING', replyCode: 'AB12', round: 2 } as CallRow;
    expect(Object.keys(toAirtableFields(CALLS, row))).toEqual(['Call ID', 'Status']);
  });
});

describe('Technicians record → row', () => {
  it('reads the spec fields and ignores the others', () => {
    expect(fromAirtableFields(TECHNICIANS, { Name: 'Alex', Phone: '+12125550101', Tier: 1, Active: true, Notes: 'x' })).toEqual({
      name: 'Alex',
      phone: '+12125550101',
      tier: 1,
      active: true,
    });
  });

  it('leaves an unticked (absent) checkbox undefined', () => {
    expect(fromAirtableFields(TECHNICIANS, { Name: 'Alex' }).active).toBeUndefined();
  });
});
