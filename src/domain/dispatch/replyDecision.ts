// What a technician's accept or decline means at this moment of the dispatch (spec section 2):
// first accept wins, a closed dispatch takes no more answers. Pure: the workflow applies it.
import type { DispatchState, ReplyResult, TechnicianReply } from '../types';
import { alreadyTakenReply, alreadyYoursReply, acceptedReply, closedReply, declinedReply } from './messages';
import { pagedPhones } from './sentMessages';

/** Why a reply is refused before it reaches the dispatch's history, or undefined to take it. */
export function replyRefusal(reply: TechnicianReply, state: Pick<DispatchState, 'messages'>): string | undefined {
  if (reply.decision !== 'accept' && reply.decision !== 'decline') return 'decision must be accept or decline';
  if (!pagedPhones(state.messages).includes(reply.phone)) return `${reply.phone} was not paged for this dispatch`;
  return undefined;
}

export interface ReplyContext {
  state: Pick<DispatchState, 'assigned' | 'status' | 'replyCode' | 'callerPhone' | 'summary' | 'address'>;
  /** when late accepts stop counting after UNANSWERED */
  graceEndsAt?: number;
  now: number;
}

/** The answer to a reply; `accepted` and `declined` are for the dispatch to apply. */
export function judgeReply(reply: TechnicianReply, { state, graceEndsAt, now }: ReplyContext): ReplyResult {
  const replyCode = state.replyCode;
  if (state.assigned) {
    return state.assigned.phone === reply.phone
      ? { outcome: 'already_yours', message: alreadyYoursReply({ replyCode }) }
      : { outcome: 'already_taken', message: alreadyTakenReply({ name: state.assigned.name, replyCode }) };
  }
  const graceOver = state.status === 'UNANSWERED' && graceEndsAt !== undefined && now >= graceEndsAt;
  if (state.status === 'CANCELLED' || graceOver) return { outcome: 'closed', message: closedReply({ replyCode, status: state.status }) };
  if (reply.decision === 'decline') return { outcome: 'declined', message: declinedReply({ replyCode }) };
  return {
    outcome: 'accepted',
    message: acceptedReply({ callerPhone: state.callerPhone, summary: state.summary, address: state.address, replyCode }),
  };
}
