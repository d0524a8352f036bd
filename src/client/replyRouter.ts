// Routes a technician's SMS reply to the dispatch it answers (spec section 4) and words the answer.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { DispatchService, RecentPage } from './dispatchService';
import type { OnCallService } from './onCallService';
import * as text from '../domain/dispatch/messages';
import { parseReply } from '../domain/dispatch/replyParser';
import type { DispatchState, TechnicianReply } from '../domain/types';
import { logger } from '../observability/logger';

export interface InboundReply {
  /** the text for the TwiML <Message>, or undefined to answer nothing (opt-out words stay with Twilio) */
  message?: string;
  callId?: string;
}

export class ReplyRouter {
  constructor(
    private readonly dispatches: DispatchService,
    private readonly onCall: OnCallService,
    private readonly onOptOut: (phone: string, word: 'optout' | 'optin' | 'help') => void,
  ) {}

  async handle(phone: string, body: string): Promise<InboundReply> {
    const parsed = parseReply(body);
    if (parsed.kind === 'optout' || parsed.kind === 'optin' || parsed.kind === 'help') {
      // Opt-out words stay with Twilio whoever sends them; a number back in may be paged again.
      this.onOptOut(phone, parsed.kind);
      if (parsed.kind === 'optin') await this.dispatches.phoneReachable(phone);
      return {};
    }
    const where = await this.whereTextsGo(phone);
    // A caller's text to their open dispatch never reads as a technician's reply (spec section 12).
    const fromCaller = await this.callerText(where.callerOf, phone, body);
    if (fromCaller) return fromCaller;
    if (parsed.kind === 'unknown') return { message: text.unrecognisedReply() };
    if (parsed.kind === 'oncall') return { message: await this.whoIsOnCall(phone) };
    const pages = where.jobs;
    if (parsed.kind === 'eta' || parsed.kind === 'arrived' || parsed.kind === 'done') return this.jobReport(phone, parsed, pages);
    if (parsed.kind !== 'accept' && parsed.kind !== 'decline') return { message: text.unrecognisedReply() };

    const open = pages.filter((p) => p.open);
    const openCodes = open.map((p) => p.replyCode);
    let target: RecentPage | undefined;
    if (parsed.code) {
      target = pages.find((p) => p.replyCode === parsed.code);
      if (!target) return { message: pages.length ? text.unknownCodeReply(parsed.code, openCodes) : text.unknownSenderReply() };
    } else if (open.length > 1) {
      return { message: text.chooseCodeReply(openCodes) };
    } else {
      // One open page, or none open but a recent one (a late YES after someone else took it).
      target = open[0] ?? pages[0];
      if (!target) return { message: text.unknownSenderReply() };
    }

    const etaMinutes = parsed.kind === 'accept' ? parsed.etaMinutes : undefined;
    return this.deliver(target, { phone, decision: parsed.kind, via: 'sms', ...(etaMinutes === undefined ? {} : { etaMinutes }) });
  }

  /**
   * ETA, ARRIVED, DONE (spec section 11): for the job quoted, or without a code for the one job in
   * progress the sender is assigned to.
   */
  private async jobReport(phone: string, parsed: { kind: 'eta' | 'arrived' | 'done'; code?: string; etaMinutes?: number }, pages: RecentPage[]): Promise<InboundReply> {
    let target: RecentPage | undefined;
    if (parsed.code) {
      target = pages.find((p) => p.replyCode === parsed.code);
      if (!target) {
        const codes = pages.filter((p) => p.inProgress).map((p) => p.replyCode);
        return { message: pages.length ? text.unknownCodeReply(parsed.code, codes) : text.unknownSenderReply() };
      }
    } else {
      let jobs = pages.filter((p) => p.inProgress);
      // Paged for several jobs that are in progress: the sender's own are those assigned to them.
      if (jobs.length > 1) {
        const states = await Promise.all(jobs.map((p) => this.dispatches.get(p.callId)));
        jobs = jobs.filter((_, i) => states[i]?.assigned?.phone === phone);
      }
      if (jobs.length > 1) return { message: text.chooseJobReply(jobs.map((p) => p.replyCode)) };
      target = jobs[0];
      if (!target) return { message: pages.length ? text.noJobInProgressReply() : text.unknownSenderReply() };
    }
    const etaMinutes = parsed.kind === 'eta' ? parsed.etaMinutes : undefined;
    return this.deliver(target, { phone, decision: parsed.kind, via: 'sms', ...(etaMinutes === undefined ? {} : { etaMinutes }) });
  }

  /** Hands the reply to its dispatch as an Update; a finished dispatch answers from its final state. */
  private async deliver(target: RecentPage, reply: TechnicianReply): Promise<InboundReply> {
    const phone = reply.phone;
    try {
      const result = await this.dispatches.reply(target.callId, reply);
      if (!result) return { callId: target.callId, message: text.notPagedReply(target.replyCode) };
      logger.info({ callId: target.callId, outcome: result.outcome }, 'technician reply');
      return { callId: target.callId, message: result.message };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !/already completed|closed/i.test(String(err))) throw err;
      // The dispatch has finished: answer from its final state.
      const state = await this.dispatches.get(target.callId);
      return { callId: target.callId, message: state ? finishedReply(state, phone) : text.unknownSenderReply() };
    }
  }

  /**
   * The phone's open calls and its jobs, from its phone workflow: a page is registered there before
   * it is sent, so a reply typed the instant it arrives is found. A number without one can only be
   * known to dispatches started before the phones' workflows existed: those are looked up in visibility.
   */
  private async whereTextsGo(phone: string): Promise<{ callerOf: string[]; jobs: RecentPage[] }> {
    const view = await this.dispatches.phoneView(phone);
    if (view) return view;
    const [callerOf, jobs] = await Promise.all([this.dispatches.openDispatchesOfCaller(phone), this.dispatches.recentPagesFor(phone)]);
    return { callerOf, jobs };
  }

  /** The text of a caller whose dispatch is open, handed to that dispatch; undefined when there is none. */
  private async callerText(callerOf: string[], phone: string, body: string): Promise<InboundReply | undefined> {
    for (const callId of callerOf) {
      const answer = await this.dispatches.callerText(callId, { phone, body });
      if (answer !== undefined) {
        logger.info({ callId }, 'caller text');
        return { callId, message: answer };
      }
    }
    return undefined;
  }

  /** ONCALL / WHO: any roster number may ask who is on call now, per tier. */
  private async whoIsOnCall(phone: string): Promise<string> {
    const plan = await this.onCall.current();
    if (!plan?.roster.some((t) => t.phone === phone)) return text.unknownSenderReply();
    return text.onCallReply(plan);
  }
}

function finishedReply(state: DispatchState, phone: string): string {
  const code = state.replyCode;
  if (state.status === 'COMPLETED' || state.status === 'CANCELLED') return text.closedReply({ replyCode: code, status: state.status });
  if (state.assigned) {
    return state.assigned.phone === phone
      ? text.alreadyYoursReply({ replyCode: code })
      : text.alreadyTakenReply({ name: state.assigned.name, replyCode: code });
  }
  return text.closedReply({ replyCode: code, status: state.status });
}
