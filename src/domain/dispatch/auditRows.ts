// The Dispatch Events and Calls rows a dispatch writes (spec section 6), built from what it did.
// Pure: the workflow hands these to the Airtable lane.
import type { DispatchEventRow, EventType, MessageKind, PlacedCall, SentMessage, VoiceCallResult } from '../types';
import type { LadderStep } from './escalationPolicy';

/** Which audit event each kind of message writes, and how the row describes it. */
export const MESSAGE_EVENTS: Readonly<Record<MessageKind, { type: EventType; detail: string }>> = {
  PAGE: { type: 'PAGE_SENT', detail: 'page' },
  FOLLOW_UP: { type: 'FOLLOW_UP_SENT', detail: 'follow-up page' },
  STAND_DOWN: { type: 'STAND_DOWN_SENT', detail: 'stand-down' },
  CUSTOMER_NOTIFIED: { type: 'CUSTOMER_NOTIFIED', detail: 'caller notified' },
  ASSIGNMENT: { type: 'ACCEPTED', detail: 'job details sent to the technician' },
  ALERT: { type: 'UNANSWERED', detail: 'manager alerted: nobody accepted' },
  CHECK_IN: { type: 'CHECK_IN_SENT', detail: 'arrival check-in to the technician' },
  OVERDUE_ALERT: { type: 'OVERDUE_ALERT', detail: 'manager alerted: technician not on site' },
  CALLER_MESSAGE: { type: 'CALLER_MESSAGE', detail: "caller's text forwarded to the technician" },
  ONCALL_REMINDER: { type: 'ONCALL_REMINDER', detail: 'hand-off reminder' },
  COVERAGE_GAP: { type: 'COVERAGE_GAP', detail: 'coverage gap alert' },
};

/** The row of one sent message; it never sits blank before its first callback. */
export function messageRow(callId: string, message: SentMessage, eventType: EventType, detail: string | undefined): DispatchEventRow {
  return {
    eventKey: message.key,
    callId,
    eventType,
    method: 'SMS',
    recipient: message.to,
    technician: message.technician,
    attemptNumber: message.attempt,
    sentAt: message.sentAt,
    messageSid: message.messageSid,
    deliveryStatus: message.status,
    errorCode: message.errorCode ? String(message.errorCode) : undefined,
    detail,
  };
}

/** A message Twilio accepted, or one it refused for good. */
export function sendRow(callId: string, message: SentMessage, failure?: { reason: string }): DispatchEventRow {
  const event = MESSAGE_EVENTS[message.kind];
  if (!failure) return messageRow(callId, message, event.type, event.detail);
  return { ...messageRow(callId, message, 'SEND_FAILED', `${event.detail}: ${failure.reason}`), deliveryStatus: 'failed' };
}

/** A later delivery status of a message already recorded. */
export function deliveryRow(callId: string, message: SentMessage, errorCode: number | undefined): DispatchEventRow {
  return {
    eventKey: message.key,
    callId,
    deliveryStatus: message.status,
    messageSid: message.messageSid,
    errorCode: errorCode ? String(errorCode) : undefined,
  };
}

/** An event of the dispatch itself (escalated, accepted, declined …), keyed once per occurrence. */
export function dispatchEventRow(callId: string, eventType: EventType, keySuffix: string, sentAt: string, fields: Partial<DispatchEventRow>): DispatchEventRow {
  return { eventKey: `${callId}/${keySuffix}`, callId, eventType, sentAt, ...fields };
}

/** The ladder moved to `step` with this many technicians to page (none: skipped). */
export function escalationRow(callId: string, round: number, step: LadderStep, recipients: number, sentAt: string): DispatchEventRow {
  return dispatchEventRow(callId, 'ESCALATED', `escalated/r${round}/${step.label.replace(/\s+/g, '-')}`, sentAt, {
    detail:
      recipients === 0
        ? `${step.label}: nobody on tier ${step.tier} left to page (inactive, declined, unreachable or busy), skipped`
        : `${step.label}: ${recipients} technician(s)`,
  });
}

/** A wake-up call placed, or one Twilio could not place. */
export function voiceCallRow(callId: string, call: PlacedCall, result: VoiceCallResult): DispatchEventRow {
  return {
    eventKey: call.key,
    callId,
    eventType: result.ok ? 'FOLLOW_UP_SENT' : 'SEND_FAILED',
    method: 'VOICE',
    recipient: call.to,
    technician: call.technician,
    attemptNumber: call.ring,
    sentAt: call.placedAt,
    messageSid: call.callSid,
    errorCode: result.ok ? undefined : String(result.errorCode),
    detail: result.ok ? `wake-up call, ring ${call.ring}` : `wake-up call failed: ${result.reason}`,
  };
}
