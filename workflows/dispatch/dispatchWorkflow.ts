// The dispatch story, top to bottom: one workflow per after-hours call (spec section 2).
// Deterministic orchestration only; every side effect is an activity with an idempotency key.
import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AuditActivities, AuditForwardActivities, DispatchActivities } from '../../src/contract/activities';
import { advance, isFinal } from '../../src/domain/twilio/deliveryStatus';
import { escalationRound, pageValiditySeconds, type LadderStep } from '../../src/domain/dispatch/escalationPolicy';
import { nextOpening } from '../../src/domain/dispatch/businessHours';
import { initialDispatchState } from '../../src/domain/dispatch/dispatchState';
import { mergeRow } from '../../src/domain/airtable/rowMerge';
import * as text from '../../src/domain/dispatch/messages';
import type {
  CallRow,
  DispatchEventRow,
  DispatchInput,
  DispatchState,
  DispatchStatus,
  EventType,
  MessageKind,
  PlacedCall,
  ReplyResult,
  SentMessage,
  SmsResult,
  Technician,
  TechnicianReply,
} from '../../src/domain/types';
import {
  DispatchPagedPhonesKey,
  DispatchStatusKey,
  DispatchTechnicianKey,
} from '../../src/contract/searchAttributes';
import { auditTaskQueueFor, type AuditOp } from '../../src/contract/audit';
import { deliverySignal, describeSignal, replyUpdate, stateQuery, workflowIdFor, type DeliveryReport } from '../../src/contract/dispatch';

export async function dispatchWorkflow(input: DispatchInput): Promise<DispatchState> {
  const dispatch = new Dispatch(input);
  return dispatch.run();
}


interface Recipient {
  phone: string;
  name: string;
  tier?: Technician['tier'];
}

class Dispatch {
  private readonly sms;
  private readonly audit;
  private readonly forward;
  private state: DispatchState;
  private pagedInStep: SentMessage[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private replyVia: TechnicianReply['via'] = 'sms';
  private graceEndsAt?: number;
  private readonly auditQueue: AuditOp[] = [];
  private closing = false;
  /** background work (status checks) that ends with the dispatch */
  private readonly background = new CancellationScope();

  constructor(private readonly input: DispatchInput) {
    this.sms = proxyActivities<DispatchActivities>({
      // One Twilio request (10 s client timeout) per attempt; a worker that dies mid-send is
      // noticed after this long and the retry reconciles with Twilio before sending.
      startToCloseTimeout: '12s',
      // A page must not wait forever on Twilio; after this the page counts as failed and we escalate.
      scheduleToCloseTimeout: '10m',
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
    });
    // Only for dispatches recorded before the fleet's Airtable writer existed (see runAuditLane).
    this.audit = proxyActivities<AuditActivities>({
      taskQueue: auditTaskQueueFor(workflowInfo().taskQueue),
      startToCloseTimeout: '30s',
      scheduleToCloseTimeout: '7 days',
      retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s' },
    });
    // Temporal only (a signal to the writer): quick, and retried until it lands. On the audit
    // queue, so a burst of audit rows never queues ahead of a page on the dispatch queue.
    this.forward = proxyActivities<AuditForwardActivities>({
      taskQueue: auditTaskQueueFor(workflowInfo().taskQueue),
      startToCloseTimeout: '10s',
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
    });
    this.state = initialDispatchState(input);
  }

  async run(): Promise<DispatchState> {
    setHandler(stateQuery, () => this.state);
    setHandler(replyUpdate, (reply) => this.onReply(reply), { validator: (reply) => this.validateReply(reply) });
    setHandler(deliverySignal, (report) => this.onDelivery(report));
    setHandler(describeSignal, (summary) => {
      this.state.summary = summary;
      this.recordCall({ summary });
    });
    const auditLane = CancellationScope.nonCancellable(() => this.runAuditLane());
    this.recordCall({
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
      const accepted = await this.escalate();
      if (accepted) await this.confirmAcceptance();
      else await this.giveUp();
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(() => this.cancel());
    } finally {
      if (patched('await-final-status')) await CancellationScope.nonCancellable(() => this.awaitFinalStatuses());
      this.background.cancel();
      this.closing = true;
      await auditLane;
    }
    return this.state;
  }

  // ---- the ladder -------------------------------------------------------------------------

  /** Routine calls wake nobody: the caller hears from the office when it opens. */
  private async waitForBusinessHours(): Promise<void> {
    const opensAt = nextOpening(Date.now(), this.input.policy.businessHours);
    this.state.scheduledFor = new Date(opensAt).toISOString();
    this.startSend(
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
      const roster = await this.sms.loadRoster();
      const roundStart = this.state.messages.length;
      for (const [index, step] of steps.entries()) {
        if (this.state.assigned) return true;
        // Whose page this round could not reach them gets no follow-up this round (spec section 2:
        // such a page is not waited on). patched(): histories recorded before this rule replay as they ran.
        const unreachable = patched('skip-unreachable-in-round') ? this.unreachableSince(roundStart) : new Set<string>();
        const recipients = roster.filter(
          (t) => t.active && t.tier === step.tier && !this.state.declined.includes(t.phone) && !unreachable.has(t.phone),
        );
        if (index > 0 || round > 1) this.recordEscalation(step, recipients.length);
        if (recipients.length === 0) continue;
        const stepStartedAt = Date.now();
        this.pageStep(step, recipients, `r${round}s${index + 1}`);
        if (await this.awaitAcceptOrTimeout(step, stepStartedAt, `r${round}s${index + 1}`)) return true;
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
    this.addPagedPhones(technicians.map((t) => t.phone));
    this.pagedInStep = technicians.map((tech) => {
      const attempt = this.attemptsTo(tech.phone) + 1;
      const body = text.pageText({
        businessName: this.input.businessName,
        urgency: this.input.urgency,
        summary: this.state.summary,
        address: this.input.address,
        replyCode: this.input.replyCode,
        attempt,
        tier: tech.tier,
      });
      return this.startSend(tech, attempt > 1 ? 'FOLLOW_UP' : 'PAGE', body, stepId, pageValiditySeconds(step));
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
    const settled = () => Boolean(this.state.assigned) || !this.stepCanStillAnswer();
    for (let ring = 1; !settled() && Date.now() < deadline; ring++) {
      if (ringing) this.ringStep(`${stepId}/ring${ring}`, ring);
      const until = ringing ? Math.min(deadline, Date.now() + this.input.policy.ringEveryMs) : deadline;
      await condition(settled, Math.max(0, until - Date.now()), { summary: `wait ${step.label}` });
    }
    this.state.nextEscalationAt = undefined;
    return Boolean(this.state.assigned);
  }

  /** Rings everyone of the step who can still answer; their key press answers like a reply. */
  private ringStep(ringId: string, ring: number): void {
    for (const page of this.pagedInStep) {
      if (page.status === 'failed' || page.status === 'undelivered' || this.state.declined.includes(page.to)) continue;
      const call: PlacedCall = {
        key: `${this.input.callId}/${ringId}/voice/${page.to}`,
        to: page.to,
        technician: page.technician ?? page.to,
        ring,
        placedAt: new Date().toISOString(),
        status: 'placed',
      };
      this.state.calls.push(call);
      const placed = CancellationScope.nonCancellable(() =>
        this.sms.ringTechnician.executeWithOptions({ summary: `Call ${call.technician} (ring ${ring})` }, [
          { idempotencyKey: call.key, callId: this.input.callId, to: call.to },
        ]),
      )
        .catch(gaveUp)
        .then((result) => {
          if (result.ok) call.callSid = result.callSid;
          else Object.assign(call, { status: 'failed', errorCode: result.errorCode });
          this.enqueueAudit({
            table: 'events',
            row: {
              eventKey: call.key,
              callId: this.input.callId,
              eventType: result.ok ? 'FOLLOW_UP_SENT' : 'SEND_FAILED',
              method: 'VOICE',
              recipient: call.to,
              technician: call.technician,
              attemptNumber: ring,
              sentAt: call.placedAt,
              messageSid: call.callSid,
              errorCode: result.ok ? undefined : String(result.errorCode),
              detail: result.ok ? `wake-up call, ring ${ring}` : `wake-up call failed: ${result.reason}`,
            },
          });
        });
      this.inFlight.push(placed);
    }
  }

  /** Technicians whose page or follow-up since message `from` failed or went undelivered. */
  private unreachableSince(from: number): Set<string> {
    return new Set(
      this.state.messages
        .slice(from)
        .filter((m) => (m.kind === 'PAGE' || m.kind === 'FOLLOW_UP') && (m.status === 'failed' || m.status === 'undelivered'))
        .map((m) => m.to),
    );
  }

  private stepCanStillAnswer(): boolean {
    return this.pagedInStep.some(
      (m) => m.status !== 'failed' && m.status !== 'undelivered' && !this.state.declined.includes(m.to),
    );
  }

  private async confirmAcceptance(): Promise<void> {
    const assigned = this.state.assigned!;
    this.state.step = undefined;
    this.state.nextEscalationAt = undefined;
    this.setStatus('ACCEPTED');
    upsertSearchAttributes([{ key: DispatchTechnicianKey, value: assigned.name }]);
    this.recordCall({ status: 'ACCEPTED', assignedTechnician: assigned.name, acceptedAt: assigned.acceptedAt });
    this.recordEvent('ACCEPTED', `accepted`, { recipient: assigned.phone, technician: assigned.name, detail: `via ${this.replyVia}` });
    await this.sendsSettled();
    this.reportOutcome('ACCEPTED');
    this.startSend(
      this.caller(),
      'CUSTOMER_NOTIFIED',
      text.customerAssignedText({ businessName: this.input.businessName, technicianName: assigned.name, replyCode: this.input.replyCode }),
      'assigned',
    );
    for (const tech of this.otherReachablePagedTechnicians(assigned.phone)) {
      this.startSend(tech, 'STAND_DOWN', text.standDownText({ replyCode: this.input.replyCode, name: assigned.name, reason: 'taken' }), 'stand-down');
    }
    // A technician who accepted by SMS got the details in the reply; other channels get them by SMS.
    if (this.replyVia !== 'sms') {
      const details = text.acceptedReply({
        callerPhone: this.input.callerPhone,
        summary: this.state.summary,
        address: this.input.address,
        replyCode: this.input.replyCode,
      });
      this.startSend({ phone: assigned.phone, name: assigned.name }, 'ASSIGNMENT', details, 'assignment');
    }
    await this.sendsSettled();
  }

  /** Every round went unanswered: tell the caller, alert the managers, keep accepts open a while. */
  private async giveUp(): Promise<void> {
    this.state.step = undefined;
    this.setStatus('UNANSWERED');
    this.recordCall({ status: 'UNANSWERED' });
    this.recordEvent('UNANSWERED', 'unanswered', { detail: `no accept after ${this.input.policy.maxRounds} round(s)` });
    this.reportOutcome('UNANSWERED');
    const roster = await this.sms.loadRoster();
    this.startSend(
      this.caller(),
      'CUSTOMER_NOTIFIED',
      text.customerUnansweredText({ businessName: this.input.businessName, replyCode: this.input.replyCode }),
      'unanswered',
    );
    const alert = text.managerAlertText({ replyCode: this.input.replyCode, summary: this.state.summary, callerPhone: this.input.callerPhone });
    for (const manager of roster.filter((t) => t.active && t.tier === 3)) this.startSend(manager, 'ALERT', alert, 'alert');
    await this.sendsSettled();
    this.graceEndsAt = Date.now() + this.input.policy.graceMs;
    if (await condition(() => Boolean(this.state.assigned), this.input.policy.graceMs, { summary: 'grace period for late accepts' })) {
      await this.confirmAcceptance();
    }
  }

  private async cancel(): Promise<void> {
    this.state.step = undefined;
    this.state.nextEscalationAt = undefined;
    this.setStatus('CANCELLED');
    this.recordCall({ status: 'CANCELLED' });
    this.recordEvent('CANCELLED', 'cancelled', { detail: 'cancelled by ops' });
    await this.sendsSettled();
    this.reportOutcome('CANCELLED');
    for (const tech of this.otherReachablePagedTechnicians(undefined)) {
      this.startSend(tech, 'STAND_DOWN', text.standDownText({ replyCode: this.input.replyCode, reason: 'cancelled' }), 'stand-down');
    }
    await this.sendsSettled();
  }

  /** The dispatch's very first page of a call that pages at once: API-to-first-page starts there. */
  private isFirstPage(message: SentMessage): boolean {
    return this.input.urgency !== 'routine' && message.kind === 'PAGE' && this.state.messages.find((m) => m.kind === 'PAGE') === message;
  }

  /** Counts the outcome in the worker's metrics; runs beside the sends, never delays them. */
  private reportOutcome(status: 'ACCEPTED' | 'UNANSWERED' | 'CANCELLED'): void {
    const firstPage = this.state.messages.find((m) => m.kind === 'PAGE');
    const acceptedAt = this.state.assigned?.acceptedAt;
    const secondsToAccept = status === 'ACCEPTED' && firstPage && acceptedAt ? (Date.parse(acceptedAt) - Date.parse(firstPage.sentAt)) / 1000 : undefined;
    this.inFlight.push(this.sms.reportOutcome({ urgency: this.input.urgency, status, secondsToAccept }));
  }

  private caller(): Recipient {
    return { phone: this.input.callerPhone, name: 'caller' };
  }

  // ---- replies and callbacks ------------------------------------------------------------

  private validateReply(reply: TechnicianReply): void {
    if (reply.decision !== 'accept' && reply.decision !== 'decline') throw new Error('decision must be accept or decline');
    if (!this.wasPaged(reply.phone)) throw new Error(`${reply.phone} was not paged for this dispatch`);
  }

  private onReply(reply: TechnicianReply): ReplyResult {
    const code = this.input.replyCode;
    const assigned = this.state.assigned;
    if (assigned) {
      return assigned.phone === reply.phone
        ? { outcome: 'already_yours', message: text.alreadyYoursReply({ replyCode: code }) }
        : { outcome: 'already_taken', message: text.alreadyTakenReply({ name: assigned.name, replyCode: code }) };
    }
    const graceOver = this.state.status === 'UNANSWERED' && this.graceEndsAt !== undefined && Date.now() >= this.graceEndsAt;
    if (this.state.status === 'CANCELLED' || graceOver) {
      return { outcome: 'closed', message: text.closedReply({ replyCode: code, status: this.state.status }) };
    }
    const name = this.nameOf(reply.phone);
    if (reply.decision === 'decline') {
      if (!this.state.declined.includes(reply.phone)) {
        this.state.declined.push(reply.phone);
        this.recordEvent('DECLINED', `declined:${reply.phone}`, { recipient: reply.phone, technician: name, detail: `via ${reply.via}` });
      }
      return { outcome: 'declined', message: text.declinedReply({ replyCode: code }) };
    }
    this.replyVia = reply.via;
    this.state.assigned = { name, phone: reply.phone, acceptedAt: new Date().toISOString() };
    return {
      outcome: 'accepted',
      message: text.acceptedReply({ callerPhone: this.input.callerPhone, summary: this.state.summary, address: this.input.address, replyCode: code }),
    };
  }

  private onDelivery(report: DeliveryReport): void {
    const message = this.state.messages.find((m) => m.key === report.key || (report.messageSid && m.messageSid === report.messageSid));
    if (!message) return;
    this.applyStatus(message, report.status, report.errorCode, report.messageSid);
  }

  /** Status only moves forward; a duplicate or late callback changes nothing. */
  private applyStatus(message: SentMessage, status: SentMessage['status'], errorCode?: number, messageSid?: string): void {
    const next = advance(message.status, status);
    if (messageSid && !message.messageSid) message.messageSid = messageSid;
    if (next === message.status) return;
    message.status = next;
    if (errorCode) message.errorCode = errorCode;
    this.enqueueAudit({
      table: 'events',
      row: {
        eventKey: message.key,
        callId: this.input.callId,
        deliveryStatus: next,
        messageSid: message.messageSid,
        errorCode: errorCode ? String(errorCode) : undefined,
      },
    });
  }

  // ---- sending --------------------------------------------------------------------------

  /**
   * Starts one SMS, exactly once: the key names the message for good, and the gateway reconciles
   * with Twilio before any retry. The send runs to completion even if the dispatch is cancelled
   * meanwhile, so we always know whom we paged.
   */
  private startSend(to: Recipient, kind: MessageKind, body: string, stepId: string, validitySeconds?: number): SentMessage {
    const key = `${this.input.callId}/${stepId}/${kind.toLowerCase()}/${to.phone}`;
    const message: SentMessage = {
      key,
      kind,
      to: to.phone,
      technician: to.name === 'caller' ? undefined : to.name,
      tier: to.tier,
      attempt: kind === 'PAGE' || kind === 'FOLLOW_UP' ? this.attemptsTo(to.phone) + 1 : 1,
      sentAt: new Date().toISOString(),
      status: 'queued',
    };
    this.state.messages.push(message);
    const sent = CancellationScope.nonCancellable(() =>
      this.sms.sendSms.executeWithOptions({ summary: `SMS ${kind.toLowerCase().replace('_', ' ')}: ${to.name}` }, [
        {
          idempotencyKey: key,
          callId: this.input.callId,
          to: to.phone,
          body,
          validitySeconds,
          kind,
          callReceivedAt: this.isFirstPage(message) ? this.input.receivedAt : undefined,
        },
      ]),
    )
      .catch(gaveUp)
      .then((result) => this.recordSend(message, result));
    this.inFlight.push(sent);
    return message;
  }

  /** Waits for every send started so far, so that a stand-down never overtakes its page. */
  private async sendsSettled(): Promise<void> {
    while (this.inFlight.length) await Promise.all(this.inFlight.splice(0));
  }

  private recordSend(message: SentMessage, result: SmsResult): void {
    const event = MESSAGE_EVENTS[message.kind];
    if (result.ok) {
      message.messageSid = result.messageSid;
      this.enqueueAudit({ table: 'events', row: this.messageRow(message, event.type, event.detail) });
      this.applyStatus(message, result.status);
      this.watchDelivery(message);
    } else {
      message.status = 'failed';
      message.errorCode = result.errorCode;
      log.warn('SMS could not be sent', { callId: this.input.callId, to: message.to, errorCode: result.errorCode, reason: result.reason });
      this.enqueueAudit({ table: 'events', row: { ...this.messageRow(message, 'SEND_FAILED', `${event.detail}: ${result.reason}`), deliveryStatus: 'failed' } });
    }
  }

  /**
   * The last messages' callbacks come after the dispatch's work is done, and a closed dispatch
   * hears none: keep listening until every message has a final status, and ask Twilio about the
   * ones still open after the check period (spec section 3), so the audit rows end final.
   */
  private async awaitFinalStatuses(): Promise<void> {
    const open = () => this.state.messages.filter((m) => m.messageSid && !isFinal(m.status));
    await condition(() => open().length === 0, this.input.policy.statusCheckMs, { summary: 'final delivery statuses' });
    for (const message of open()) {
      try {
        const report = await this.sms.fetchMessageStatus(message.messageSid!);
        this.applyStatus(message, report.status, report.errorCode);
      } catch (err) {
        // Twilio unreachable for good: close with the last status we know rather than fail.
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('final delivery status unknown', { callId: this.input.callId, messageSid: message.messageSid });
      }
    }
  }

  /**
   * No final status within the check period: ask Twilio ourselves (spec section 3), and keep
   * asking, less and less often, until the status is final or the dispatch ends.
   */
  private watchDelivery(message: SentMessage): void {
    this.background
      .run(async () => {
        for (let wait = this.input.policy.statusCheckMs; ; wait = Math.min(wait * 2, 10 * 60_000)) {
          await sleep(wait, { summary: `check delivery: ${message.technician ?? 'caller'}` });
          if (isFinal(message.status) || !message.messageSid) return;
          const report = await this.sms.fetchMessageStatus(message.messageSid);
          this.applyStatus(message, report.status, report.errorCode);
          if (isFinal(message.status)) return;
        }
      })
      .catch((err: unknown) => {
        if (!isCancellation(err)) log.warn('delivery check failed', { callId: this.input.callId, error: String(err) });
      });
  }

  // ---- audit trail (Airtable), never on the paging path ---------------------------------

  private messageRow(message: SentMessage, eventType: EventType, detail: string | undefined): DispatchEventRow {
    return {
      eventKey: message.key,
      callId: this.input.callId,
      eventType,
      method: 'SMS',
      recipient: message.to,
      technician: message.technician,
      attemptNumber: message.attempt,
      sentAt: message.sentAt,
      messageSid: message.messageSid,
      // a row never sits blank before its first callback
      deliveryStatus: message.status,
      errorCode: message.errorCode ? String(message.errorCode) : undefined,
      detail,
    };
  }

  private recordEvent(eventType: EventType, keySuffix: string, fields: Partial<DispatchEventRow>): void {
    this.enqueueAudit({
      table: 'events',
      row: { eventKey: `${this.input.callId}/${keySuffix}`, callId: this.input.callId, eventType, sentAt: new Date().toISOString(), ...fields },
    });
  }

  private recordEscalation(step: LadderStep, recipients: number): void {
    this.recordEvent('ESCALATED', `escalated/r${this.state.round}/${step.label.replace(/\s+/g, '-')}`, {
      detail: recipients === 0 ? `${step.label}: nobody on tier ${step.tier} left to page (inactive, declined or unreachable), skipped` : `${step.label}: ${recipients} technician(s)`,
    });
  }

  private recordCall(row: Omit<CallRow, 'callId'>): void {
    this.enqueueAudit({ table: 'calls', row: { callId: this.input.callId, ...row } });
  }

  private enqueueAudit(op: AuditOp): void {
    this.auditQueue.push(op);
  }

  /** Writes the audit trail in order, batching what queued up meanwhile; ends once the dispatch has. */
  private async runAuditLane(): Promise<void> {
    const viaWriter = patched('audit-writer');
    for (;;) {
      await condition(() => this.auditQueue.length > 0 || this.closing);
      if (this.auditQueue.length === 0) return;
      // Everything queued so far, in order, to the fleet's one Airtable writer.
      if (viaWriter) await this.forward.forwardAudit.executeWithOptions({ summary: `audit ${this.auditQueue.length} row(s)` }, [this.auditQueue.splice(0)]);
      else await this.writeAuditDirectly();
    }
  }

  /** The lane as it wrote before the writer existed: kept so those histories replay. */
  private async writeAuditDirectly(): Promise<void> {
    if (this.auditQueue[0]?.table === 'calls') {
      let row: CallRow = { callId: this.input.callId };
      while (this.auditQueue[0]?.table === 'calls') row = { ...row, ...(this.auditQueue.shift()!.row as CallRow) };
      await this.audit.upsertCall.executeWithOptions({ summary: `Airtable call ${row.status ?? ''}`.trim() }, [row]);
      return;
    }
    const batch = new Map<string, DispatchEventRow>();
    while (this.auditQueue[0]?.table === 'events') {
      const row = this.auditQueue[0].row as DispatchEventRow;
      if (!batch.has(row.eventKey) && batch.size === 10) break; // Airtable takes 10 records a request
      this.auditQueue.shift();
      batch.set(row.eventKey, mergeRow(batch.get(row.eventKey), row));
    }
    await this.audit.upsertDispatchEvents.executeWithOptions({ summary: `Airtable ${batch.size} event(s)` }, [[...batch.values()]]);
  }

  // ---- small helpers --------------------------------------------------------------------

  private setStatus(status: DispatchStatus): void {
    this.state.status = status;
    upsertSearchAttributes([{ key: DispatchStatusKey, value: status }]);
  }

  private addPagedPhones(phones: string[]): void {
    const all = new Set([...this.pagedPhones(), ...phones]);
    upsertSearchAttributes([{ key: DispatchPagedPhonesKey, value: [...all] }]);
  }

  private pagedPhones(): string[] {
    return this.state.messages.filter((m) => m.kind === 'PAGE' || m.kind === 'FOLLOW_UP').map((m) => m.to);
  }

  private wasPaged(phone: string): boolean {
    return this.pagedPhones().includes(phone);
  }

  private attemptsTo(phone: string): number {
    return this.state.messages.filter((m) => m.to === phone && (m.kind === 'PAGE' || m.kind === 'FOLLOW_UP')).length;
  }

  private nameOf(phone: string): string {
    return this.state.messages.find((m) => m.to === phone && m.technician)?.technician ?? phone;
  }

  /** Paged technicians other than `except` whose pages reached them, once each. */
  private otherReachablePagedTechnicians(except: string | undefined): Recipient[] {
    const seen = new Map<string, Recipient>();
    for (const m of this.state.messages) {
      if ((m.kind !== 'PAGE' && m.kind !== 'FOLLOW_UP') || m.to === except) continue;
      if (m.status === 'failed' || m.status === 'undelivered') continue;
      seen.set(m.to, { phone: m.to, name: m.technician ?? m.to, tier: m.tier });
    }
    return [...seen.values()];
  }
}

/** A send or call Temporal stopped retrying: it counts as failed, and the ladder moves on. */
function gaveUp(err: unknown): { ok: false; errorCode: number; reason: string } {
  if (err instanceof ActivityFailure) return { ok: false, errorCode: 0, reason: `gave up after retries: ${err.cause?.message ?? err.message}` };
  throw err;
}

/** Which audit event each kind of message writes, and how the row describes it. */
const MESSAGE_EVENTS: Record<MessageKind, { type: EventType; detail: string }> = {
  PAGE: { type: 'PAGE_SENT', detail: 'page' },
  FOLLOW_UP: { type: 'FOLLOW_UP_SENT', detail: 'follow-up page' },
  STAND_DOWN: { type: 'STAND_DOWN_SENT', detail: 'stand-down' },
  CUSTOMER_NOTIFIED: { type: 'CUSTOMER_NOTIFIED', detail: 'caller notified' },
  ASSIGNMENT: { type: 'ACCEPTED', detail: 'job details sent to the technician' },
  ALERT: { type: 'UNANSWERED', detail: 'manager alerted: nobody accepted' },
};
