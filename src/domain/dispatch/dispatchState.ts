// A dispatch as it starts, before anything was sent: the workflow's first state, and what the API
// answers for a dispatch it just created. Pure: the workflow sandbox imports it.
import type { DispatchInput, DispatchState, DispatchStatus } from '../types';

export function initialDispatchState(input: DispatchInput): DispatchState {
  return {
    callId: input.callId,
    status: input.urgency === 'routine' ? 'SCHEDULED' : 'PAGING',
    urgency: input.urgency,
    callerPhone: input.callerPhone,
    summary: input.summary,
    address: input.address,
    replyCode: input.replyCode,
    round: 0,
    declined: [],
    messages: [],
    calls: [],
  };
}

/** Still waiting for an accept: paging, or unanswered within its grace for late accepts. */
export function awaitsAccept(status: DispatchStatus | undefined): boolean {
  return status === 'PAGING' || status === 'UNANSWERED';
}

/** Accepted and not yet done: the technician is on the way or on site (spec section 11). */
export function jobInProgress(status: DispatchStatus | undefined): boolean {
  return status === 'ACCEPTED' || status === 'ON_SITE';
}
