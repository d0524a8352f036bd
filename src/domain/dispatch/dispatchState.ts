// A dispatch as it starts, before anything was sent: the workflow's first state, and what the API
// answers for a dispatch it just created. Pure: the workflow sandbox imports it.
import type { DispatchInput, DispatchState } from '../types';

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
