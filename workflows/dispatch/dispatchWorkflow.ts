// The dispatch story, top to bottom: one workflow per after-hours call (spec section 2).
// Deterministic orchestration only; every side effect is an activity with an idempotency key.
import {
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { deliverySignal, describeSignal, replyUpdate, stateQuery, workflowIdFor } from '../../src/contract/dispatch';
import { DispatchPagedPhonesKey, DispatchStatusKey, DispatchTechnicianKey } from '../../src/contract/searchAttributes';
import { escalationRow } from '../../src/domain/dispatch/auditRows';
import { nextOpening } from '../../src/domain/dispatch/businessHours';
import { initialDispatchState } from '../../src/domain/dispatch/dispatchState';
import { escalationRound, pageValiditySeconds, type LadderStep } from '../../src/domain/dispatch/escalationPolicy';
import * as text from '../../src/domain/dispatch/messages';
import { judgeReply, replyRefusal } from '../../src/domain/dispatch/replyDecision';
import {
  attemptsTo,
  mayStillAnswer,
  nameOf,
  pagedPhones,
  stepCanStillAnswer,
  stepRecipients,
  unreachableSince,
  whomToStandDown,
  type Recipient,
} from '../../src/domain/dispatch/sentMessages';
import type {
  CallRow,
  DispatchEventRow,
  DispatchInput,
  DispatchOutcome,
  DispatchState,
  DispatchStatus,
  ReplyResult,
  SentMessage,
  Technician,
  TechnicianReply,
} from '../../src/domain/types';
import { pagingActivities } from './activities';
import { AuditLane } from './auditLane';
import { DeliveryTracking } from './deliveryTracking';
import { Outbox } from './outbox';

export async function dispatchWorkflow(input: DispatchInput): Promise<DispatchState> {
  return new Dispatch(input).run();
}

/** How a dispatch stops paging: accepted, unanswered or cancelled. */
interface CloseOut {
  outcome: DispatchOutcome['status'];
  call?: Omit<CallRow, 'callId' | 'status'>;
  event: Partial<DispatchEventRow>;
  searchAttributes?: SearchAttributeUpdatePair[];
  /** a close that stands technicians down first lets their pages settle, so no stand-down overtakes its page */
  standsDown: boolean;
  /** the messages that go with the outcome */
  notify(): Promise<void> | void;
}

class Dispatch {
  private readonly twilio = pagingActivities();
  private readonly state: DispatchState;
  private readonly audit: AuditLane;
  private readonly delivery: DeliveryTracking;
  private readonly outbox: Outbox;
  private pagedInStep: SentMessage[] = [];
  private replyVia: TechnicianReply['via'] = 'sms';
  private graceEndsAt?: number;

  constructor(private readonly input: DispatchInput) {
    this.state = initialDispatchState(input);
    this.audit = new AuditLane(input.callId);
    this.delivery = new DeliveryTracking(input.callId, this.state.messages, input.policy.statusCheckMs, this.twilio, this.audit);
    this.outbox = new Outbox(input, this.state, this.twilio, this.audit, this.delivery);
  }

  async run(): Promise<DispatchState> {
    setHandler(stateQuery, () => this.state);
    setHandler(replyUpdate, (reply) => this.onReply(reply), {
      validator: (reply) => {
        const refusal = replyRefusal(reply, this.state);
        if (refusal) throw new Error(refusal);
      },
    });
    setHandler(deliverySignal, (report) => this.delivery.onReport(report));
    setHandler(describeSignal, (summary) => {
      this.state.summary = summary;
      this.audit.call({ summary });
    });
    this.audit.open();
    this.audit.call({
      callerPhone: this.input.callerPhone,
      urgency: this.input.urgency,
      summary: this.input.summary,
      address: this.input.address,
      status: this.state.status,
      createdAt: this.input.receivedAt,
      workflowId: workflowIdFor(this.input.callId),
    });

    try {
      if (this.input.urgency === 'routine') await this.waitForBusinessHours();
      if (await this.escalate()) await this.confirmAcceptance();
      else await this.giveUp();
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(() => this.cancel());
    } finally {
      if (patched('await-final-status')) await CancellationScope.nonCancellable(() => this.delivery.awaitFinalStatuses());
      this.delivery.stop();
      await this.audit.close();
    }
    return this.state;
  }

  // ---- the ladder -------------------------------------------------------------------------

  /** Routine calls wake nobody: the caller hears from the office when it opens. */
  private async waitForBusinessHours(): Promise<void> {
    const opensAt = nextOpening(Date.now(), this.input.policy.businessHours);
    this.state.scheduledFor = new Date(opensAt).toISOString();
    this.outbox.send(
      this.caller(),
      'CUSTOMER_NOTIFIED',
      text.customerCallbackText({
        businessName: this.input.businessName,
        opensAt: text.formatLocalTime(this.state.scheduledFor, this.input.policy.businessHours.timeZone),
        replyCode: this.input.replyCode,
      }),
      'callback',
    );
    if (opensAt > Date.now()) await sleep(opensAt - Date.now(), { summary: 'wait for business hours' });
    this.state.scheduledFor = undefined;
    this.setStatus('PAGING');
  }

  /** Runs rounds of the ladder until someone accepts; false when every round went unanswered. */
  private async escalate(): Promise<boolean> {
    const steps = escalationRound(this.input.policy);
    for (let round = 1; round <= this.input.policy.maxRounds; round++) {
      this.state.round = round;
      // Before the schedule (section 9) a round paged from the roster read at its start.
      const roster = this.followsSchedule() ? undefined : await this.twilio.loadRoster();
      const roundStart = this.state.messages.length;
      for (const [index, step] of steps.entries()) {
        if (this.state.assigned) return true;
        // Whose page this round could not reach them gets no follow-up this round (spec section 2:
        // such a page is not waited on). patched(): histories recorded before this rule replay as they ran.
        const unreachable = patched('skip-unreachable-in-round') ? unreachableSince(this.state.messages, roundStart) : new Set<string>();
        // Each step pages its tier's on-call technicians as of the moment it pages.
        const candidates = roster ?? (await this.twilio.loadOnCall(step.tier));
        const recipients = stepRecipients(candidates, step.tier, this.state.declined, unreachable);
        if (index > 0 || round > 1) this.audit.event(escalationRow(this.input.callId, round, step, recipients.length, new Date().toISOString()));
        if (recipients.length === 0) continue;
        const stepId = `r${round}s${index + 1}`;
        const stepStartedAt = Date.now();
        this.pageStep(step, recipients, stepId);
        if (await this.awaitAcceptOrTimeout(step, stepStartedAt, stepId)) return true;
      }
    }
    return Boolean(this.state.assigned);
  }

  /**
   * Pages the step's technicians without waiting for Twilio: the step's clock starts now, and one
   * slow send (or a worker crash in the middle of one) must not hold up anybody's follow-up.
   */
  private pageStep(step: LadderStep, technicians: Technician[], stepId: string): void {
    this.state.step = `round ${this.state.round}: ${step.label}`;
    upsertSearchAttributes([{ key: DispatchPagedPhonesKey, value: [...new Set([...pagedPhones(this.state.messages), ...technicians.map((t) => t.phone)])] }]);
    this.pagedInStep = technicians.map((tech) => {
      const attempt = attemptsTo(this.state.messages, tech.phone) + 1;
      const body = text.pageText({
        businessName: this.input.businessName,
        urgency: this.input.urgency,
        summary: this.state.summary,
        address: this.input.address,
        replyCode: this.input.replyCode,
        attempt,
        tier: tech.tier,
      });
      return this.outbox.send(tech, attempt > 1 ? 'FOLLOW_UP' : 'PAGE', body, stepId, pageValiditySeconds(step));
    });
  }

  /**
   * Waits for an accept, for the step's timer, or until nobody paged in this step can still
   * answer. An emergency's follow-up also rings the technicians, again every ringEveryMs.
   */
  private async awaitAcceptOrTimeout(step: LadderStep, startedAt: number, stepId: string): Promise<boolean> {
    const deadline = startedAt + step.waitMs;
    this.state.nextEscalationAt = new Date(deadline).toISOString();
    const ringing = step.kind === 'FOLLOW_UP' && this.input.policy.voiceFollowUp && patched('voice-follow-up');
    const settled = () => Boolean(this.state.assigned) || !stepCanStillAnswer(this.pagedInStep, this.state.declined);
    for (let ring = 1; !settled() && Date.now() < deadline; ring++) {
      if (ringing) {
        for (const page of this.pagedInStep) if (mayStillAnswer(page, this.state.declined)) this.outbox.ring(page, `${stepId}/ring${ring}`, ring);
      }
      const until = ringing ? Math.min(deadline, Date.now() + this.input.policy.ringEveryMs) : deadline;
      await condition(settled, Math.max(0, until - Date.now()), { summary: `wait ${step.label}` });
    }
    this.state.nextEscalationAt = undefined;
    return Boolean(this.state.assigned);
  }

  // ---- how paging ends -------------------------------------------------------------------

  private async confirmAcceptance(): Promise<void> {
    const assigned = this.state.assigned!;
    await this.closeOut({
      outcome: 'ACCEPTED',
      searchAttributes: [{ key: DispatchTechnicianKey, value: assigned.name }],
      call: { assignedTechnician: assigned.name, acceptedAt: assigned.acceptedAt },
      event: { recipient: assigned.phone, technician: assigned.name, detail: `via ${this.replyVia}` },
      standsDown: true,
      notify: () => {
        const code = this.input.replyCode;
        this.outbox.send(this.caller(), 'CUSTOMER_NOTIFIED', text.customerAssignedText({ businessName: this.input.businessName, technicianName: assigned.name, replyCode: code }), 'assigned');
        this.standDown(assigned.phone, text.standDownText({ replyCode: code, name: assigned.name, reason: 'taken' }));
        // A technician who accepted by SMS got the details in the reply; other channels get them by SMS.
        if (this.replyVia !== 'sms') {
          const details = text.acceptedReply({ callerPhone: this.input.callerPhone, summary: this.state.summary, address: this.input.address, replyCode: code });
          this.outbox.send({ phone: assigned.phone, name: assigned.name }, 'ASSIGNMENT', details, 'assignment');
        }
      },
    });
  }

  /** Every round went unanswered: tell the caller, alert the managers, keep accepts open a while. */
  private async giveUp(): Promise<void> {
    await this.closeOut({
      outcome: 'UNANSWERED',
      event: { detail: `no accept after ${this.input.policy.maxRounds} round(s)` },
      standsDown: false,
      notify: async () => {
        const managers = this.followsSchedule()
          ? await this.twilio.loadOnCall(3)
          : (await this.twilio.loadRoster()).filter((t) => t.active && t.tier === 3);
        this.outbox.send(this.caller(), 'CUSTOMER_NOTIFIED', text.customerUnansweredText({ businessName: this.input.businessName, replyCode: this.input.replyCode }), 'unanswered');
        const alert = text.managerAlertText({ replyCode: this.input.replyCode, summary: this.state.summary, callerPhone: this.input.callerPhone });
        for (const manager of managers) this.outbox.send(manager, 'ALERT', alert, 'alert');
      },
    });
    this.graceEndsAt = Date.now() + this.input.policy.graceMs;
    if (await condition(() => Boolean(this.state.assigned), this.input.policy.graceMs, { summary: 'grace period for late accepts' })) {
      await this.confirmAcceptance();
    }
  }

  private async cancel(): Promise<void> {
    await this.closeOut({
      outcome: 'CANCELLED',
      event: { detail: 'cancelled by ops' },
      standsDown: true,
      notify: () => this.standDown(undefined, text.standDownText({ replyCode: this.input.replyCode, reason: 'cancelled' })),
    });
  }

  /** The one sequence every outcome runs: status, record, metrics, then its messages. */
  private async closeOut(close: CloseOut): Promise<void> {
    this.state.step = undefined;
    this.state.nextEscalationAt = undefined;
    this.setStatus(close.outcome);
    if (close.searchAttributes) upsertSearchAttributes(close.searchAttributes);
    this.audit.call({ status: close.outcome, ...close.call });
    this.audit.dispatchEvent(close.outcome, close.outcome.toLowerCase(), close.event);
    if (close.standsDown) await this.outbox.settled();
    this.reportOutcome(close.outcome);
    await close.notify();
    await this.outbox.settled();
  }

  private standDown(except: string | undefined, body: string): void {
    for (const tech of whomToStandDown(this.state.messages, except)) this.outbox.send(tech, 'STAND_DOWN', body, 'stand-down');
  }

  /** Counts the outcome in the worker's metrics; runs beside the sends, never delays them. */
  private reportOutcome(status: DispatchOutcome['status']): void {
    const firstPage = this.state.messages.find((m) => m.kind === 'PAGE');
    const acceptedAt = this.state.assigned?.acceptedAt;
    const secondsToAccept = status === 'ACCEPTED' && firstPage && acceptedAt ? (Date.parse(acceptedAt) - Date.parse(firstPage.sentAt)) / 1000 : undefined;
    this.outbox.alongside(this.twilio.reportOutcome({ urgency: this.input.urgency, status, secondsToAccept }));
  }

  // ---- replies ----------------------------------------------------------------------------

  private onReply(reply: TechnicianReply): ReplyResult {
    const result = judgeReply(reply, { state: this.state, graceEndsAt: this.graceEndsAt, now: Date.now() });
    const name = nameOf(this.state.messages, reply.phone);
    if (result.outcome === 'declined' && !this.state.declined.includes(reply.phone)) {
      this.state.declined.push(reply.phone);
      this.audit.dispatchEvent('DECLINED', `declined:${reply.phone}`, { recipient: reply.phone, technician: name, detail: `via ${reply.via}` });
    }
    if (result.outcome === 'accepted') {
      this.replyVia = reply.via;
      this.state.assigned = { name, phone: reply.phone, acceptedAt: new Date().toISOString() };
    }
    return result;
  }

  // ---- small helpers --------------------------------------------------------------------

  /** Pages follow the on-call schedule; dispatches recorded before it replay with the roster. */
  private followsSchedule(): boolean {
    return patched('pages-follow-schedule');
  }

  private setStatus(status: DispatchStatus): void {
    this.state.status = status;
    upsertSearchAttributes([{ key: DispatchStatusKey, value: status }]);
  }

  private caller(): Recipient {
    return { phone: this.input.callerPhone, name: 'caller' };
  }
}
