// The one place that knows Airtable's table and field names (spec section 6) and their types.
// The setup command, the start-up check, the gateway and the local emulator all read this, so a
// base built from it — by hand or by `airtable:setup` — is exactly what the product writes to.
import {
  DISPATCH_STATUSES,
  EVENT_TYPES,
  URGENCIES,
  type CallRow,
  type DeliveryStatus,
  type DispatchEventRow,
  type Technician,
} from '../types';
import type { Override, Rotation } from '../roster/schedule';

export type FieldType =
  | 'singleLineText'
  | 'multilineText'
  | 'phoneNumber'
  | 'singleSelect'
  | 'number'
  | 'dateTime'
  | 'checkbox';

/** A field as the Meta API creates it (`POST …/tables`, `POST …/fields`). */
export interface FieldSpec {
  name: string;
  type: FieldType;
  options?: Record<string, unknown>;
}

/** A table: one column per property of the row type it stores; `primary` is the first field. */
export interface TableSpec<K extends string = string> {
  name: string;
  description: string;
  primary: K;
  columns: Record<K, FieldSpec>;
  /** the product works without it: a base lacking the table reads it as empty (the schedule's tables) */
  optional?: boolean;
}

const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'];

const text = (name: string): FieldSpec => ({ name, type: 'singleLineText' });
const longText = (name: string): FieldSpec => ({ name, type: 'multilineText' });
const phone = (name: string): FieldSpec => ({ name, type: 'phoneNumber' });
const integer = (name: string): FieldSpec => ({ name, type: 'number', options: { precision: 0 } });
const checkbox = (name: string): FieldSpec => ({ name, type: 'checkbox', options: { icon: 'check', color: 'greenBright' } });
// ISO in UTC so the office sees the same instant the workflow recorded, whatever their browser zone.
const dateTime = (name: string): FieldSpec => ({
  name,
  type: 'dateTime',
  options: { timeZone: 'utc', dateFormat: { name: 'iso' }, timeFormat: { name: '24hour' } },
});
// The schedule's Start and End are typed by the office, so they are shown and entered in one zone
// for everyone: the business time zone when setup is given it, else each viewer's own ('client').
// Whatever the zone, the REST API returns the instant in UTC ISO.
const officeDateTime = (name: string, timeZone: string): FieldSpec => ({
  name,
  type: 'dateTime',
  options: { timeZone, dateFormat: { name: 'iso' }, timeFormat: { name: '24hour' } },
});
const decimal = (name: string): FieldSpec => ({ name, type: 'number', options: { precision: 2 } });
const select = (name: string, choices: readonly string[]): FieldSpec => ({
  name,
  type: 'singleSelect',
  options: { choices: choices.map((choice) => ({ name: choice })) },
});

export const CALLS: TableSpec<keyof CallRow> = {
  name: 'Calls',
  description: 'One row per after-hours call (dispatch), upserted on Call ID.',
  primary: 'callId',
  columns: {
    callId: text('Call ID'),
    callerPhone: phone('Caller Phone'),
    urgency: select('Urgency', URGENCIES),
    summary: longText('Summary'),
    address: longText('Address'),
    status: select('Status', DISPATCH_STATUSES),
    assignedTechnician: text('Assigned Technician'),
    acceptedAt: dateTime('Accepted At'),
    createdAt: dateTime('Created At'),
    workflowId: text('Workflow ID'),
    // After the accept (spec section 11) and the after-hours fee (section 12).
    eta: dateTime('ETA'),
    arrivedAt: dateTime('Arrived At'),
    completedAt: dateTime('Completed At'),
    feeAccepted: checkbox('Fee Accepted'),
  },
};

export const DISPATCH_EVENTS: TableSpec<keyof DispatchEventRow> = {
  name: 'Dispatch Events',
  description: 'One row per message sent or dispatch event, upserted on Event Key.',
  primary: 'eventKey',
  columns: {
    eventKey: text('Event Key'),
    // Plain text rather than a link to Calls: an upsert can then be written without first looking
    // up the Calls record id, and the office can still group or filter on it.
    callId: text('Call ID'),
    eventType: select('Event Type', EVENT_TYPES),
    method: select('Method', ['SMS', 'VOICE']),
    recipient: phone('Recipient'),
    technician: text('Technician'),
    attemptNumber: integer('Attempt Number'),
    sentAt: dateTime('Sent At'),
    deliveryStatus: select('Delivery Status', DELIVERY_STATUSES),
    messageSid: text('Message SID'),
    errorCode: text('Error Code'),
    detail: longText('Detail'),
  },
};

export const TECHNICIANS: TableSpec<keyof Technician> = {
  name: 'Technicians',
  description: 'The on-call roster. Tier 1 primary, 2 backup, 3 manager; only Active rows are paged.',
  primary: 'name',
  columns: {
    name: text('Name'),
    phone: phone('Phone'),
    tier: integer('Tier'),
    active: checkbox('Active'),
  },
};

/** The zone Start and End are shown in when setup is not told the business time zone. */
export const VIEWER_TIME_ZONE = 'client';

// Members, Technician and Replaces are text (technician names) so a base built by hand from the
// spec works; an office may turn them into links to Technicians rows, which the gateway resolves.
function rotationsTable(timeZone: string): TableSpec<keyof Rotation> {
  return {
    name: 'Rotations',
    description: 'On-call rotations: Members take turns of Shift Hours from Start, in order. Read by the service; without this table everyone Active is on call.',
    primary: 'name',
    optional: true,
    columns: {
      name: text('Name'),
      tier: integer('Tier'),
      members: text('Members'),
      start: officeDateTime('Start', timeZone),
      shiftHours: decimal('Shift Hours'),
      active: checkbox('Active'),
    },
  };
}

function overridesTable(timeZone: string): TableSpec<keyof Override> {
  return {
    name: 'Overrides',
    description: 'One-off on-call changes: Technician is on call for Tier from Start until End, instead of Replaces when given. Read by the service.',
    primary: 'name',
    optional: true,
    columns: {
      name: text('Name'),
      technician: text('Technician'),
      tier: integer('Tier'),
      start: officeDateTime('Start', timeZone),
      end: officeDateTime('End', timeZone),
      replaces: text('Replaces'),
    },
  };
}

export const ROTATIONS = rotationsTable(VIEWER_TIME_ZONE);
export const OVERRIDES = overridesTable(VIEWER_TIME_ZONE);

export const SCHEMA: readonly TableSpec[] = [CALLS, DISPATCH_EVENTS, TECHNICIANS, ROTATIONS, OVERRIDES];

/** SCHEMA as setup creates it: the schedule's Start and End shown in `timeZone` (the business's). */
export function schemaInTimeZone(timeZone: string): readonly TableSpec[] {
  return [CALLS, DISPATCH_EVENTS, TECHNICIANS, rotationsTable(timeZone), overridesTable(timeZone)];
}

/** The table's fields in creation order: the primary field first, as the Meta API requires. */
export function tableFields<K extends string>(table: TableSpec<K>): FieldSpec[] {
  const rest = (Object.keys(table.columns) as K[]).filter((key) => key !== table.primary);
  return [table.primary, ...rest].map((key) => table.columns[key]);
}

export function primaryFieldName<K extends string>(table: TableSpec<K>): string {
  return table.columns[table.primary].name;
}

export type AirtableFields = Record<string, unknown>;

/** Row → Airtable fields. Only the table's own columns are written, and undefined is left out so
 *  a partial row (e.g. a delivery-status update) never blanks what an earlier write set. */
export function toAirtableFields<K extends string>(table: TableSpec<K>, row: Partial<Record<K, unknown>>): AirtableFields {
  const fields: AirtableFields = {};
  for (const key of Object.keys(table.columns) as K[]) {
    const value = row[key];
    if (value !== undefined) fields[table.columns[key].name] = value;
  }
  return fields;
}

/** Airtable fields → the row's properties, unvalidated (Airtable leaves empty cells out). */
export function fromAirtableFields<K extends string>(table: TableSpec<K>, fields: AirtableFields): Record<K, unknown> {
  const row = {} as Record<K, unknown>;
  for (const key of Object.keys(table.columns) as K[]) row[key] = fields[table.columns[key].name];
  return row;
}
