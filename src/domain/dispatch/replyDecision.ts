// What a technician's reply means at this moment of the dispatch (spec sections 2 and 11): first
// accept wins, a closed dispatch takes no more answers, and after the accept the assigned
// technician reports ETA, arrival and the job's end. Pure: the workflow applies it.
import { ETA_MINUTES, REPLY_DECISIONS, type DispatchState, type ReplyResult, type TechnicianReply } from '../types';
import {
  acceptedReply,
  alreadyArrivedReply,
  alreadyTakenReply,
  alreadyYoursReply,
  arrivedReply,
  closedReply,
  completedReply,
  declinedReply,
  etaSetReply,
  formatLocalClock,
  notYourJobReply,
} from './messages';
import { jobInProgress } from './dispatchState';
import { pagedPhones } from './sentMessages';

/** Why a reply is refused before it reaches the dispatch's history, or undefined to take it. */
export function replyRefusal(reply: TechnicianReply, state: Pick<DispatchState, 'messages'>): string | undefined {
  if (!REPLY_DECISIONS.includes(reply.decision)) return `decision must be one of ${REPLY_DECISIONS.join(', ')}`;
  if (reply.etaMinutes !== undefined && !(Number.isInteger(reply.etaMinutes) && reply.etaMinutes >= ETA_MINUTES.min && reply.etaMinutes <= ETA_MINUTES.max)) {
    return `etaMinutes must be a whole number from ${ETA_MINUTES.min} to ${ETA_MINUTES.max}`;
  }
  if (reply.decision === 'eta' && reply.etaMinutes === undefined) return 'an eta reply needs etaMinutes';
  if (!pagedPhones(state.messages).includes(reply.phone)) return `${reply.phone} was not paged for this dispatch`;
  return undefined;
}

export interface ReplyContext {
  state: Pick<DispatchState, 'assigned' | 'status' | 'replyCode' | 'callerPhone' | 'summary' | 'address' | 'eta'>;
  /** when late accepts stop counting after UNANSWERED */
  graceEndsAt?: number;
  now: number;
  /** the dispatch follows the job after the accept (ETA, arrival, done); false in dispatches from before */
  followsJob?: boolean;
  /** the business time zone, for ETAs as clock times */
  timeZone?: string;
}

/** What the dispatch records when it applies an ETA: when the technician expects to arrive. */
export function etaAt(now: number, minutes: number): string {
  return new Date(now + minutes * 60_000).toISOString();
}

/** The answer to a reply; every outcome but `already_*`, `closed` and `unchanged` is for the dispatch to apply. */
export function judgeReply(reply: TechnicianReply, context: ReplyContext): ReplyResult {
  const { state, graceEndsAt, now } = context;
  const replyCode = state.replyCode;
  const jobReport = reply.decision === 'eta' || reply.decision === 'arrived' || reply.decision === 'done';
  const clock = (minutes: number) => formatLocalClock(etaAt(now, minutes), context.timeZone ?? 'UTC');

  if (state.assigned) {
    const mine = state.assigned.phone === reply.phone;
    if (!mine) {
      return jobReport
        ? { outcome: 'unchanged', message: notYourJobReply({ replyCode, assignedTo: state.assigned.name }) }
        : { outcome: 'already_taken', message: alreadyTakenReply({ name: state.assigned.name, replyCode }) };
    }
    if (!context.followsJob || !jobInProgress(state.status)) {
      if (jobReport) return { outcome: 'closed', message: closedReply({ replyCode, status: state.status }) };
      return { outcome: 'already_yours', message: alreadyYoursReply({ replyCode }) };
    }
    const etaMinutes = reply.decision === 'eta' || reply.decision === 'accept' ? reply.etaMinutes : undefined;
    if (reply.decision === 'done') return { outcome: 'completed', message: completedReply({ replyCode }) };
    if (state.status === 'ON_SITE' && (reply.decision === 'arrived' || etaMinutes !== undefined)) {
      return { outcome: 'unchanged', message: alreadyArrivedReply({ replyCode }) };
    }
    if (reply.decision === 'arrived') return { outcome: 'arrived', message: arrivedReply({ replyCode }) };
    if (etaMinutes !== undefined) return { outcome: 'eta_set', message: etaSetReply({ replyCode, clock: clock(etaMinutes), minutes: etaMinutes }) };
    return { outcome: 'already_yours', message: alreadyYoursReply({ replyCode }) };
  }

  const graceOver = state.status === 'UNANSWERED' && graceEndsAt !== undefined && now >= graceEndsAt;
  if (state.status === 'CANCELLED' || graceOver) return { outcome: 'closed', message: closedReply({ replyCode, status: state.status }) };
  if (jobReport) return { outcome: 'unchanged', message: notYourJobReply({ replyCode }) };
  if (reply.decision === 'decline') return { outcome: 'declined', message: declinedReply({ replyCode }) };
  const eta = context.followsJob && reply.etaMinutes !== undefined ? { clock: clock(reply.etaMinutes), minutes: reply.etaMinutes } : undefined;
  return {
    outcome: 'accepted',
    message: acceptedReply({ callerPhone: state.callerPhone, summary: state.summary, address: state.address, replyCode, eta, askEta: context.followsJob && !eta }),
  };
}
