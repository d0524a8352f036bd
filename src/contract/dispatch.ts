// Messages of the dispatch workflow, shared by the workflow, the HTTP layer and the tests.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallerText, DispatchState, MessageStatusReport, ReplyResult, TechnicianReply } from '../domain/types';

export const WORKFLOW_ID_PREFIX = 'dispatch-';
export const workflowIdFor = (callId: string): string => `${WORKFLOW_ID_PREFIX}${callId}`;

/**
 * A dispatch's workflow task handed to a worker that just died is retried after this long: it
 * bounds how late a follow-up can be after a crash (a dispatch's tasks take milliseconds).
 */
export const DISPATCH_WORKFLOW_TASK_TIMEOUT = '3s';

/** Current state for the API and the Web UI's query tab. */
export const stateQuery = defineQuery<DispatchState>('state');

/** A technician's accept or decline; an Update so the replying phone gets its answer at once. */
export const replyUpdate = defineUpdate<ReplyResult, [TechnicianReply]>('reply');

/** A Twilio status callback for one of this dispatch's messages, matched by its idempotency key. */
export interface DeliveryReport extends MessageStatusReport {
  key: string;
}
export const deliverySignal = defineSignal<[DeliveryReport]>('delivery');

/**
 * A text from the caller's number while the dispatch is open (spec section 12): recorded, passed
 * on to the technician; answers with where things stand (the TwiML <Message> to the caller).
 */
export const callerMessageUpdate = defineUpdate<string, [CallerText]>('callerMessage');

/** The caller's description, heard by the IVR after the dispatch started. */
export const describeSignal = defineSignal<[string]>('describe');
