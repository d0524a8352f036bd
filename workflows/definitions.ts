// Messages of the dispatch workflow, shared by the workflow, the HTTP layer and the tests.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallRow, DispatchEventRow, DispatchState, MessageStatusReport, ReplyResult, TechnicianReply } from '../src/domain/types';

export const WORKFLOW_ID_PREFIX = 'dispatch-';
export const workflowIdFor = (callId: string): string => `${WORKFLOW_ID_PREFIX}${callId}`;

/** Airtable writes run on their own queue so the Temporal server can rate limit them fleet-wide. */
export const auditTaskQueueFor = (taskQueue: string): string => `${taskQueue}-audit`;

/** Current state for the API and the Web UI's query tab. */
export const stateQuery = defineQuery<DispatchState>('state');

/** A technician's accept or decline; an Update so the replying phone gets its answer at once. */
export const replyUpdate = defineUpdate<ReplyResult, [TechnicianReply]>('reply');

/** A Twilio status callback for one of this dispatch's messages, matched by its idempotency key. */
export interface DeliveryReport extends MessageStatusReport {
  key: string;
}
export const deliverySignal = defineSignal<[DeliveryReport]>('delivery');

/** The caller's description, heard by the IVR after the dispatch started. */
export const describeSignal = defineSignal<[string]>('describe');

/** One audit row for the Airtable writer: a Calls row or a Dispatch Events row, partial. */
export type AuditOp = { table: 'calls'; row: CallRow } | { table: 'events'; row: DispatchEventRow };

/** Rows from the dispatches to the one Airtable writer of the fleet. */
export const auditRowsSignal = defineSignal<[AuditOp[]]>('auditRows');

/** The single writer per task queue and base: every Airtable write of the fleet goes through it. */
export const auditWriterIdFor = (taskQueue: string, baseId: string): string => `airtable-audit-${taskQueue}-${baseId}`;
