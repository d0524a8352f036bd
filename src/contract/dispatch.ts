// Messages of the dispatch workflow, shared by the workflow, the HTTP layer and the tests.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DispatchState, MessageStatusReport, ReplyResult, TechnicianReply } from '../domain/types';

export const WORKFLOW_ID_PREFIX = 'dispatch-';
export const workflowIdFor = (callId: string): string => `${WORKFLOW_ID_PREFIX}${callId}`;

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
