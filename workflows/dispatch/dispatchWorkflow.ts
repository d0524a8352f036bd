// The dispatch story, top to bottom: one workflow per after-hours call (spec section 2).
// Deterministic orchestration only; every side effect is an activity with an idempotency key.
import {
  CancellationScope,
  condition,
  isCancellation,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { callerMessageUpdate, deliverySignal, describeSignal, replyUpdate, stateQuery, workflowIdFor } from '../../src/contract/dispatch';
import { pageSentSignal, type JobNotice } from '../../src/contract/phone';
import { DispatchPagedPhonesKey, DispatchStatusKey, DispatchTechnicianKey } from '../../src/contract/searchAttributes';
import { escalationRow } from '../../src/domain/dispatch/auditRows';
import { nextOpening } from '../../src/domain/dispatch/businessHours';
import { initialDispatchState, jobInProgress } from '../../src/domain/dispatch/dispatchState';
import { escalationRound, jobTimers, pageValiditySeconds, type LadderStep } from '../../src/domain/dispatch/escalationPolicy';
import * as text from '../../src/domain/dispatch/messages';
import { etaAt, judgeReply, replyRefusal } from '../../src/domain/dispatch/replyDecision';
import {
  attemptsTo,
  mayStillAnswer,
  nameOf,
  pagedPhones,
  stepCanStillAnswer,
  stepRecipients,
  unreachableSince,
  whomToPage,
  whomToStandDown,
  type Recipient,
} from '../../src/domain/dispatch/sentMessages';
import type {
  CallerMessage,
  CallerText,
  CallRow,
  DispatchEventRow,
  DispatchInput,
  DispatchOutcome,
  DispatchState,
  DispatchStatus,
  EtaEstimate,
  ReplyResult,
  SentMessage,
  Technician,
  TechnicianReply,
} from '../../src/domain/types';
import { firstReadActivities, pagingActivities, type FirstRead } from './activities';
import { AuditLane } from './auditLane';
import { DeliveryTracking } from './deliveryTracking';
import { Outbox } from './outbox';
import { DispatchVersions } from './versions';

/** what a dispatch keeps of one caller's text (an SMS is at most 1600 characters) */
const MAX_CALLER_TEXT = 1600;

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
  private readonly versions: DispatchVersions;
  private readonly twilio = pagingActivities();
  private readonly state: DispatchState;
  private readonly audit: AuditLane;
  private readonly delivery: DeliveryTracking;
  private readonly outbox: Outbox;
  private pagedInStep: SentMessage[] = [];
  private replyVia: TechnicianReply['via'] = 'sms';
  private graceEndsAt?: number;
  /**
   * Whether this dispatch follows the job after the accept (spec section 11): decided by
   * patched('after-accept') when the accept is taken; undefined until then. Dispatches accepted
   * before the patch ended at the accept and replay that way.
   */
  private followsJob?: boolean;
  /** an ETA the accept gave, applied when the acceptance is confirmed */
  private etaOfAccept?: number;
  /**
   * Whether pages go through the phones' workflows (spec section 10: busy technicians, bundles,
   * one wake-up call per T1): patched('phone-workflows'), decided at the start. Dispatches started
   * before it page on their own and replay that way.
   */
  private usesPhones = false;
  /**
   * Whether a step's clock starts when its first page went out rather than when it was asked for
   * (a page held up by a Twilio outage or a dead worker would be followed up moments after it
   * arrives): patched('step-clock-from-send'), decided at the start.
   */
  private clockFromSend = false;
  /**
   * How a step reads the roster and its phones while the dispatch has sent nothing: a local
   * activity since patched('first-read-local'), decided at the start; dispatches started before
   * it scheduled an activity and replay that way.
   */
  private firstRead: ActivityInterfaceFor<FirstRead> = this.twilio;
  /** phones told the job is over for them */
  private readonly phonesClosed = new Set<string>();
  /** the assigned technician's phone was told they are busy with this job */
  private phonesBusy = false;

  constructor(private readonly input: DispatchInput) {
    this.versions = new DispatchVersions();
    this.state = initialDispatchState(input);
    this.audit = new AuditLane(input.callId, { flushIntervalMs: input.policy.auditFlushMs, versions: this.versions });
    this.delivery = new DeliveryTracking(input.callId, this.state.messages, input.policy.statusCheckMs, this.twilio, this.audit);
    this.outbox = new Outbox(input, this.state, this.twilio, this.audit, this.delivery);
  }

  async run(): Promise<DispatchState> {
    this.usesPhones = this.versions.has('phone-workflows');
    this.clockFromSend = this.versions.has('step-clock-from-send');
    if (this.versions.has('first-read-local')) this.firstRead = firstReadActivities();
    if (this.versions.has('delivery-check-ends-when-final')) this.delivery.endChecksWhenFinal();
    setHandler(stateQuery, () => this.state);
    setHandler(pageSentSignal, (sent) => this.outbox.onPageSent(sent));
    setHandler(replyUpdate, (reply) => this.onReply(reply), {
      validator: (reply) => {
        const refusal = replyRefusal(reply, this.state);
        if (refusal) throw new Error(refusal);
      },
    });
    setHandler(deliverySignal, (report) => this.delivery.onReport(report));
    setHandler(callerMessageUpdate, (message) => this.onCallerText(message), {
      validator: (message) => {
        if (message.phone !== this.input.callerPhone) throw new Error(`${message.phone} is not this dispatch's caller`);
        if (typeof message.body !== 'string' || message.body.trim() === '') throw new Error('the text is empty');
      },
    });
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
      // Dispatches whose input has no answer about the fee write their row as before.
      ...(this.input.feeAccepted === undefined ? {} : { feeAccepted: this.input.feeAccepted }),
    });
    // The caller's texts reach this dispatch through the caller's phone workflow (spec section 12).
    if (this.usesPhones) this.outbox.alongside(this.twilio.tellPhones([{ phone: this.input.callerPhone, callId: this.input.callId, change: 'caller-open' }]));
    if (this.input.feeAccepted) {
      this.audit.dispatchEvent('FEE_ACCEPTED', 'fee-accepted', { recipient: this.input.callerPhone, detail: 'caller agreed to the after-hours fee' });
    }

    try {
      if (this.input.urgency === 'routine') await this.waitForBusinessHours();
      if (await this.escalate()) await this.confirmAcceptance();
      else await this.giveUp();
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(() => this.cancel());
    } finally {
      await CancellationScope.nonCancellable(() => this.tellPhones({ callerToo: true }));
      if (this.versions.has('await-final-status')) await CancellationScope.nonCancellable(() => this.delivery.awaitFinalStatuses());
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
        const unreachable = this.versions.has('skip-unreachable-in-round') ? unreachableSince(this.state.messages, roundStart) : new Set<string>();
        // Each step pages its tier's on-call technicians as of the moment it pages; with the phones'
        // workflows, the free ones (spec section 10).
        const recipients = this.usesPhones
          ? whomToPage(await this.onCallNow(), step.tier, this.state.declined, unreachable)
          : stepRecipients(roster ?? (await this.twilio.loadOnCall(step.tier)), step.tier, this.state.declined, unreachable);
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

  /** Every tier's on-call technicians, busy or free; nobody can be replying before anything is sent. */
  private onCallNow() {
    return (this.state.messages.length === 0 ? this.firstRead : this.twilio).onCallNow();
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
      const page: text.PageFields = {
        businessName: this.input.businessName,
        urgency: this.input.urgency,
        summary: this.state.summary,
        address: this.input.address,
        attempt,
        tier: tech.tier,
        feeAccepted: this.input.feeAccepted,
      };
      const kind = attempt > 1 ? 'FOLLOW_UP' : 'PAGE';
      if (this.usesPhones) return this.outbox.page(tech, kind, page, stepId, pageValiditySeconds(step), (code) => this.notePhoneCode(tech.phone, code));
      return this.outbox.send(tech, kind, text.pageText({ ...page, replyCode: this.input.replyCode }), stepId, pageValiditySeconds(step));
    });
  }

  /**
   * Waits for an accept, for the step's timer, or until nobody paged in this step can still
   * answer. An emergency's follow-up also rings the technicians, again every ringEveryMs.
   */
  private async awaitAcceptOrTimeout(step: LadderStep, startedAt: number, stepId: string): Promise<boolean> {
    const deadlineNow = () => this.stepClockStart(startedAt) + step.waitMs;
    let deadline = deadlineNow();
    const ringing = step.kind === 'FOLLOW_UP' && this.input.policy.voiceFollowUp && this.versions.has('voice-follow-up');
    const settled = () => Boolean(this.state.assigned) || !stepCanStillAnswer(this.pagedInStep, this.state.declined);
    let ring = 0;
    let ringDue = true;
    while (!settled() && Date.now() < deadline) {
      this.state.nextEscalationAt = Number.isFinite(deadline) ? new Date(deadline).toISOString() : undefined;
      if (ringing && ringDue) {
        ring++;
        const onceWithin = this.usesPhones ? this.input.policy.t1Ms : undefined;
        for (const page of this.pagedInStep) if (mayStillAnswer(page, this.state.declined)) this.outbox.ring(page, `${stepId}/ring${ring}`, ring, onceWithin);
      }
      const until = ringing ? Math.min(deadline, Date.now() + this.input.policy.ringEveryMs) : deadline;
      const planned = deadline;
      const woken = () => settled() || deadlineNow() !== planned;
      // Until a page of the step is out its clock has not started: no timer, only the wait for it.
      if (Number.isFinite(until)) await condition(woken, Math.max(0, until - Date.now()), { summary: `wait ${step.label}` });
      else await condition(woken);
      deadline = deadlineNow();
      // Woken because a bundle's time became known, not because the ring interval passed: no ring.
      ringDue = Date.now() >= until;
    }
    this.state.nextEscalationAt = undefined;
    return Boolean(this.state.assigned);
  }

  /**
   * When the step's wait starts counting: a page held for a bundle starts its clock when the bundle
   * goes out (spec section 10), and a page counts from the moment it went out, the first of the
   * step's to go out setting the clock for all (one slow send does not hold up the others'
   * follow-up). Infinity while none is out yet.
   */
  private stepClockStart(startedAt: number): number {
    const start = Math.max(startedAt, ...this.pagedInStep.map((p) => this.outbox.heldUntilOf(p) ?? 0));
    if (!this.clockFromSend) return start;
    const out = this.pagedInStep.map((p) => this.outbox.outAtOf(p)).filter((at) => at !== undefined);
    return out.length > 0 ? Math.max(start, Math.min(...out)) : Infinity;
  }

  // ---- how paging ends -------------------------------------------------------------------

  private async confirmAcceptance(): Promise<void> {
    const assigned = this.state.assigned!;
    if (this.followsJob && this.etaOfAccept !== undefined) this.setEta(this.etaOfAccept, Date.parse(assigned.acceptedAt), assigned);
    const eta = this.state.eta && { clock: this.clock(this.state.eta.at), minutes: this.state.eta.minutes };
    await this.closeOut({
      outcome: 'ACCEPTED',
      searchAttributes: [{ key: DispatchTechnicianKey, value: assigned.name }],
      call: { assignedTechnician: assigned.name, acceptedAt: assigned.acceptedAt },
      event: { recipient: assigned.phone, technician: assigned.name, detail: `via ${this.replyVia}` },
      standsDown: true,
      notify: () => {
        this.outbox.send(this.caller(), 'CUSTOMER_NOTIFIED', text.customerAssignedText({ businessName: this.input.businessName, technicianName: assigned.name, replyCode: this.input.replyCode, eta }), 'assigned');
        this.standDown(assigned.phone, (replyCode) => text.standDownText({ replyCode, name: assigned.name, reason: 'taken' }));
        const code = this.codeFor(assigned.phone);
        // The caller's texts from before the accept go along with it.
        for (const [index, message] of (this.state.callerMessages ?? []).entries()) {
          if (!message.forwardedTo) this.forwardCallerText(message, index + 1, assigned);
        }
        // A technician who accepted by SMS got the details in the reply; other channels get them by SMS.
        if (this.replyVia !== 'sms') {
          const details = text.acceptedReply({ callerPhone: this.input.callerPhone, summary: this.state.summary, address: this.input.address, replyCode: code, eta, askEta: this.followsJob && !eta });
          this.outbox.send({ phone: assigned.phone, name: assigned.name }, 'ASSIGNMENT', details, 'assignment');
        }
      },
    });
    if (this.followsJob) {
      this.showJob();
      await this.followJob();
      // DONE, cancel or BUSY_FOR: the technician is free for the next call.
      await this.tellPhones();
    }
  }

  // ---- after the accept (spec section 11) -------------------------------------------------

  /**
   * Holds the technician to the job until DONE, or until BUSY_FOR has passed since the accept: one
   * check-in at ETA + grace, one manager alert at ETA + 2×grace while nobody reported arriving;
   * a new ETA starts both again. ETA, ARRIVED and DONE themselves are applied by onReply.
   */
  private async followJob(): Promise<void> {
    const { arrivalGraceMs: grace, busyForMs, defaultEtaMs } = jobTimers(this.input.policy);
    const assigned = this.state.assigned!;
    const acceptedAt = Date.parse(assigned.acceptedAt);
    const busyUntil = acceptedAt + busyForMs;
    let checkedIn = -1;
    let alerted = -1;
    while (jobInProgress(this.state.status) && Date.now() < busyUntil) {
      const revision = this.state.eta?.revision ?? 0;
      const expected = this.state.eta ? Date.parse(this.state.eta.at) : acceptedAt + defaultEtaMs;
      const waitingForArrival = this.state.status === 'ACCEPTED';
      if (waitingForArrival && checkedIn !== revision && Date.now() >= expected + grace) {
        checkedIn = revision;
        this.checkIn(revision, expected);
        continue;
      }
      if (waitingForArrival && alerted !== revision && Date.now() >= expected + 2 * grace) {
        alerted = revision;
        await this.overdueAlert(revision, expected);
        continue;
      }
      const checkIn = checkedIn !== revision;
      const nextCheck = !waitingForArrival ? undefined : checkIn ? expected + grace : alerted !== revision ? expected + 2 * grace : undefined;
      this.state.nextArrivalCheckAt = nextCheck === undefined ? undefined : new Date(nextCheck).toISOString();
      const status = this.state.status;
      const wakeAt = Math.min(busyUntil, nextCheck ?? busyUntil);
      const at = (ms: number) => this.clock(new Date(ms).toISOString());
      const eta = `ETA ${at(expected)}${this.state.eta ? '' : ' (default)'}`;
      const summary =
        status === 'ON_SITE'
          ? `on site since ${this.clock(this.state.arrivedAt!)}: until DONE, or ${at(busyUntil)}`
          : nextCheck === undefined
            ? `wait for arrival, ${eta} passed: until ARRIVED or DONE, or ${at(busyUntil)}`
            : `wait for arrival, ${eta}: ${checkIn ? 'check-in' : 'managers alerted'} at ${at(nextCheck)}`;
      await condition(() => this.state.status !== status || (this.state.eta?.revision ?? 0) !== revision, Math.max(0, wakeAt - Date.now()), { summary });
    }
    // Still ACCEPTED or ON_SITE after BUSY_FOR: the dispatch closes with that status, its technician free.
    this.state.nextArrivalCheckAt = undefined;
    if (jobInProgress(this.state.status)) this.showJob(`closed ${this.clock(new Date().toISOString())}: BUSY_FOR passed without DONE`);
    await this.outbox.settled();
  }

  /**
   * The job as the Web UI's Current Details show it (spec section 11): who has it, the ETA, the
   * arrival and the end. Metadata only: no command, so histories replay whatever it says.
   */
  private showJob(closing?: string): void {
    const { assigned, eta, arrivedAt, completedAt } = this.state;
    if (!assigned || !this.followsJob) return;
    const lines = [`**${this.state.status}** — ${assigned.name}, accepted ${this.clock(assigned.acceptedAt)}`];
    lines.push(eta ? `ETA ${this.clock(eta.at)} (${eta.minutes} min, given ${this.clock(eta.setAt)})` : 'no ETA given');
    if (arrivedAt) lines.push(`arrived ${this.clock(arrivedAt)}`);
    if (completedAt) lines.push(`completed ${this.clock(completedAt)}`);
    if (closing) lines.push(closing);
    setCurrentDetails(lines.join('\n\n'));
  }

  /** The technician is late: one SMS per ETA asking them to report arrival or a new ETA. */
  private checkIn(revision: number, expected: number): void {
    const assigned = this.state.assigned!;
    const body = text.checkInText({ replyCode: this.codeFor(assigned.phone), clock: this.clock(new Date(expected).toISOString()), check: revision + 1 });
    this.outbox.send({ phone: assigned.phone, name: assigned.name }, 'CHECK_IN', body, `eta${revision}/check-in`);
  }

  /** Still not on site: the managers hear of it, once per ETA. */
  private async overdueAlert(revision: number, expected: number): Promise<void> {
    const assigned = this.state.assigned!;
    const managers = await this.managers();
    const alert = (replyCode: string) => text.overdueAlertText({
      replyCode,
      technicianName: assigned.name,
      clock: this.clock(new Date(expected).toISOString()),
      summary: this.state.summary,
      callerPhone: this.input.callerPhone,
      alert: revision + 1,
    });
    for (const manager of managers) this.outbox.send(manager, 'OVERDUE_ALERT', alert(this.codeFor(manager.phone)), `eta${revision}/overdue`);
  }

  /** Records an ETA `minutes` from `from`; the caller hears of every change after the accept. */
  private setEta(minutes: number, from: number, assigned: { name: string; phone: string }, tellCaller = false): EtaEstimate {
    const revision = (this.state.eta?.revision ?? 0) + 1;
    const eta: EtaEstimate = { minutes, at: etaAt(from, minutes), setAt: new Date(from).toISOString(), revision };
    this.state.eta = eta;
    this.audit.call({ eta: eta.at });
    const clock = this.clock(eta.at);
    this.audit.dispatchEvent('ETA_SET', `eta/${revision}`, { recipient: assigned.phone, technician: assigned.name, detail: `ETA ${clock} (${minutes} min)` });
    if (tellCaller) {
      const body = text.customerEtaText({ businessName: this.input.businessName, technicianName: assigned.name, replyCode: this.input.replyCode, clock, minutes, revision });
      this.outbox.send(this.caller(), 'CUSTOMER_NOTIFIED', body, `eta${revision}`, undefined, `ETA ${clock}, ${minutes} min`);
    }
    this.showJob();
    return eta;
  }

  /** Every round went unanswered: tell the caller, alert the managers, keep accepts open a while. */
  private async giveUp(): Promise<void> {
    await this.closeOut({
      outcome: 'UNANSWERED',
      event: { detail: `no accept after ${this.input.policy.maxRounds} round(s)` },
      standsDown: false,
      notify: async () => {
        const managers = await this.managers();
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
      notify: () => {
        const body = (replyCode: string) => text.standDownText({ replyCode, reason: 'cancelled' });
        // After the accept the others were stood down already: only the assigned technician hears of it.
        const assigned = this.state.assigned;
        if (this.followsJob && assigned) this.outbox.send({ phone: assigned.phone, name: assigned.name }, 'STAND_DOWN', body(this.codeFor(assigned.phone)), 'cancelled');
        else this.standDown(undefined, body);
      },
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
    // Pages held for a bundle are withdrawn, and the technicians free or busy, before anyone hears of it.
    if (close.outcome !== 'UNANSWERED') await this.tellPhones();
    if (close.standsDown) await this.outbox.settled();
    this.reportOutcome(close.outcome);
    await close.notify();
    await this.outbox.settled();
  }

  private standDown(except: string | undefined, body: (replyCode: string) => string): void {
    for (const tech of whomToStandDown(this.state.messages, except)) this.outbox.send(tech, 'STAND_DOWN', body(this.codeFor(tech.phone)), 'stand-down');
  }

  /**
   * Tells the phones this dispatch paged how the job stands for them: the one who has it is busy
   * with it until it ends, for everyone else it is over; at the end the caller's too.
   */
  private async tellPhones(opts: { callerToo?: boolean } = {}): Promise<void> {
    if (!this.usesPhones) return;
    const callId = this.input.callId;
    const assigned = jobInProgress(this.state.status) ? this.state.assigned : undefined;
    const notices: Array<JobNotice & { phone: string }> = [];
    for (const phone of new Set(pagedPhones(this.state.messages))) {
      if (this.phonesClosed.has(phone)) continue;
      if (phone === assigned?.phone) {
        if (this.phonesBusy) continue;
        this.phonesBusy = true;
        notices.push({ phone, callId, change: 'assigned', busyUntil: Date.parse(assigned.acceptedAt) + jobTimers(this.input.policy).busyForMs, summary: this.state.summary });
        continue;
      }
      this.phonesClosed.add(phone);
      notices.push({ phone, callId, change: 'closed' });
    }
    if (opts.callerToo) notices.push({ phone: this.input.callerPhone, callId, change: 'caller-closed' });
    if (notices.length > 0) await this.twilio.tellPhones(notices);
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
    // The answer quotes the code this technician's phone knows the job by.
    const state = { ...this.state, replyCode: this.codeFor(reply.phone) };
    const judge = () =>
      judgeReply(reply, { state, graceEndsAt: this.graceEndsAt, now: Date.now(), followsJob: this.followsJob, timeZone: this.input.policy.businessHours.timeZone });
    let result = judge();
    if (result.outcome === 'accepted' && this.followsJob === undefined) {
      this.followsJob = this.versions.has('after-accept');
      if (this.followsJob) result = judge();
    }
    const name = nameOf(this.state.messages, reply.phone);
    const assigned = this.state.assigned;
    if (result.outcome === 'eta_set' && assigned && reply.etaMinutes !== undefined) this.setEta(reply.etaMinutes, Date.now(), assigned, true);
    if (result.outcome === 'arrived' && assigned) this.reportJob(reply, assigned.name, 'ON_SITE', 'arrivedAt', 'ARRIVED');
    if (result.outcome === 'completed' && assigned) this.reportJob(reply, assigned.name, 'COMPLETED', 'completedAt', 'COMPLETED');
    if (result.outcome === 'declined' && !this.state.declined.includes(reply.phone)) {
      this.state.declined.push(reply.phone);
      this.audit.dispatchEvent('DECLINED', `declined:${reply.phone}`, { recipient: reply.phone, technician: name, detail: `via ${reply.via}` });
    }
    if (result.outcome === 'accepted') {
      this.replyVia = reply.via;
      this.state.assigned = { name, phone: reply.phone, acceptedAt: new Date().toISOString() };
      if (this.followsJob) this.etaOfAccept = reply.etaMinutes;
    }
    return result;
  }

  /** ARRIVED or DONE from the assigned technician: the status, its time, the Calls row and an event row. */
  private reportJob(reply: TechnicianReply, technician: string, status: 'ON_SITE' | 'COMPLETED', at: 'arrivedAt' | 'completedAt', event: 'ARRIVED' | 'COMPLETED'): void {
    const now = new Date().toISOString();
    this.state[at] = now;
    this.setStatus(status);
    this.showJob();
    this.audit.call({ status, [at]: now });
    this.audit.dispatchEvent(event, event.toLowerCase(), { recipient: reply.phone, technician, detail: `via ${reply.via}` });
  }

  // ---- the caller (spec section 12) -------------------------------------------------------

  /** A text from the caller: recorded, passed on to the technician once there is one; answers where things stand. */
  private onCallerText(incoming: CallerText): string {
    const messages = (this.state.callerMessages ??= []);
    const message: CallerMessage = { at: new Date().toISOString(), text: incoming.body.trim().slice(0, MAX_CALLER_TEXT) };
    messages.push(message);
    const number = messages.length;
    this.audit.dispatchEvent('CALLER_MESSAGE', `caller-message/${number}`, { recipient: incoming.phone, detail: message.text });
    const assigned = this.state.assigned;
    const passOnNow = Boolean(assigned) && jobInProgress(this.state.status) && this.versions.has('caller-messages');
    if (assigned && passOnNow) this.forwardCallerText(message, number, assigned);
    return text.callerStatusReply({
      businessName: this.input.businessName,
      replyCode: this.input.replyCode,
      status: this.state.status,
      technicianName: assigned?.name,
      eta: this.state.eta && this.clock(this.state.eta.at),
      passedOn: passOnNow,
    });
  }

  private forwardCallerText(message: CallerMessage, number: number, to: { name: string; phone: string }): void {
    message.forwardedTo = to.name;
    const body = text.callerMessageForward({ replyCode: this.codeFor(to.phone), callerPhone: this.input.callerPhone, text: message.text, number });
    this.outbox.send({ phone: to.phone, name: to.name }, 'CALLER_MESSAGE', body, `caller${number}`);
  }

  // ---- small helpers --------------------------------------------------------------------

  /** The tier-3 technicians to alert: on call per the schedule, or every Active one before it. */
  private async managers(): Promise<Technician[]> {
    return this.followsSchedule() ? await this.twilio.loadOnCall(3) : (await this.twilio.loadRoster()).filter((t) => t.active && t.tier === 3);
  }

  /** A time as the business's clock shows it, e.g. "9:40 PM". */
  private clock(iso: string): string {
    return text.formatLocalClock(iso, this.input.policy.businessHours.timeZone);
  }

  /** Pages follow the on-call schedule; dispatches recorded before it replay with the roster. */
  private followsSchedule(): boolean {
    return this.versions.has('pages-follow-schedule');
  }

  /** The code a phone quotes for this job: the dispatch's own unless that phone had it for another job. */
  private codeFor(phone: string): string {
    return this.state.phoneCodes?.[phone] ?? this.input.replyCode;
  }

  private notePhoneCode(phone: string, code: string): void {
    if (code !== this.input.replyCode) (this.state.phoneCodes ??= {})[phone] = code;
  }

  private setStatus(status: DispatchStatus): void {
    this.state.status = status;
    upsertSearchAttributes([{ key: DispatchStatusKey, value: status }]);
  }

  private caller(): Recipient {
    return { phone: this.input.callerPhone, name: 'caller' };
  }
}
