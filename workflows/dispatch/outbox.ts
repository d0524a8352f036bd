// Everything the dispatch sends, exactly once: each SMS and wake-up call has a key that names it
// for good, and the gateway reconciles with Twilio before any retry. Sends run to completion even
// if the dispatch is cancelled meanwhile, so we always know whom we paged.
import { ActivityFailure, CancellationScope, condition, log, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { DispatchActivities, PhoneActivities } from '../../src/contract/activities';
import type { PageSent } from '../../src/contract/phone';
import type { PageFields } from '../../src/domain/dispatch/messages';
import { sendRow, voiceCallRow } from '../../src/domain/dispatch/auditRows';
import { attemptsTo, isPage, type Recipient } from '../../src/domain/dispatch/sentMessages';
import type { DispatchInput, MessageKind, PlacedCall, SentMessage, SmsResult } from '../../src/domain/types';
import type { AuditLane } from './auditLane';
import type { DeliveryTracking } from './deliveryTracking';

export class Outbox {
  private readonly inFlight: Promise<void>[] = [];
  /** pages sent in a bundle by their phones' workflows (or withdrawn), by key */
  private readonly bundled = new Map<string, PageSent>();
  /** when each page held for a bundle goes out, by key */
  private readonly heldUntil = new Map<string, number>();
  /**
   * when Twilio took each message whose send has returned, by key (a status callback can come
   * first, with the message's SID, so the SID does not tell that the send has returned)
   */
  private readonly outAt = new Map<string, number>();

  constructor(
    private readonly input: DispatchInput,
    private readonly sent: { messages: SentMessage[]; calls: PlacedCall[] },
    private readonly twilio: ActivityInterfaceFor<DispatchActivities & PhoneActivities>,
    private readonly audit: AuditLane,
    private readonly delivery: DeliveryTracking,
  ) {}

  /**
   * Starts one SMS without waiting for Twilio; `stepId` makes its key unique within the dispatch.
   * `note` adds what the text says to its summary in the event history (e.g. the ETA it gives).
   */
  send(to: Recipient, kind: MessageKind, body: string, stepId: string, validitySeconds?: number, note?: string): SentMessage {
    const message = this.record(to, kind, stepId);
    const sent = CancellationScope.nonCancellable(() =>
      this.twilio.sendSms.executeWithOptions({ summary: `SMS ${kind.toLowerCase().replace('_', ' ')}: ${to.name}${note ? ` (${note})` : ''}` }, [
        {
          idempotencyKey: message.key,
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

  /**
   * A page through its phone's workflow (spec section 10): registered there first, so a reply typed
   * the instant it arrives finds it, then sent by the activity, or held and sent in a bundle by the
   * phone's workflow, which tells this dispatch. `onCode` hears the code the phone quotes.
   */
  page(to: Recipient, kind: 'PAGE' | 'FOLLOW_UP', page: PageFields, stepId: string, validitySeconds: number, onCode: (code: string) => void): SentMessage {
    const message = this.record(to, kind, stepId);
    const request = {
      key: message.key,
      callId: this.input.callId,
      phone: to.phone,
      name: to.name,
      jobCode: this.input.replyCode,
      kind,
      page,
      validitySeconds,
      bundleWindowMs: this.input.policy.bundleWindowMs ?? 0,
      ...(this.isFirstPage(message) ? { callReceivedAt: this.input.receivedAt } : {}),
    };
    const sent = CancellationScope.nonCancellable(async (): Promise<SmsResult | undefined> => {
      const outcome = await this.twilio.pageTechnician.executeWithOptions({ summary: `SMS ${kind.toLowerCase().replace('_', ' ')}: ${to.name}` }, [request]);
      onCode(outcome.replyCode);
      if (!outcome.held) return outcome.result;
      this.heldUntil.set(message.key, outcome.sendAt);
      await condition(() => this.bundled.has(message.key));
      const bundled = this.bundled.get(message.key)!;
      message.sentAt = bundled.sentAt;
      if ('withdrawn' in bundled.result) {
        message.withdrawn = true;
        return undefined;
      }
      return bundled.result;
    })
      .catch(gaveUp)
      .then((result) => result && this.recordSend(message, result));
    this.inFlight.push(sent);
    return message;
  }

  /** A phone's workflow sent (or withdrew) a page this dispatch asked it to hold. */
  onPageSent(sent: PageSent): void {
    this.bundled.set(sent.key, sent);
  }

  /** When the page goes out, if its phone's workflow held it for a bundle; undefined when it went at once. */
  heldUntilOf(message: SentMessage): number | undefined {
    return this.heldUntil.get(message.key);
  }

  /** When Twilio took the message; undefined while its send is on its way, or if it failed. */
  outAtOf(message: SentMessage): number | undefined {
    return this.outAt.get(message.key);
  }

  private record(to: Recipient, kind: MessageKind, stepId: string): SentMessage {
    const message: SentMessage = {
      key: `${this.input.callId}/${stepId}/${kind.toLowerCase()}/${to.phone}`,
      kind,
      to: to.phone,
      technician: to.name === 'caller' ? undefined : to.name,
      tier: to.tier,
      attempt: isPage({ kind }) ? attemptsTo(this.sent.messages, to.phone) + 1 : 1,
      sentAt: new Date().toISOString(),
      status: 'queued',
    };
    this.sent.messages.push(message);
    return message;
  }

  /** Rings a paged technician awake; their key press answers like a reply. */
  ring(page: SentMessage, ringId: string, ring: number, onceWithin?: number): void {
    const call: PlacedCall = {
      key: `${this.input.callId}/${ringId}/voice/${page.to}`,
      to: page.to,
      technician: page.technician ?? page.to,
      ring,
      placedAt: new Date().toISOString(),
      status: 'placed',
    };
    this.sent.calls.push(call);
    const request = { idempotencyKey: call.key, callId: this.input.callId, to: call.to };
    const summary = { summary: `Call ${call.technician} (ring ${ring})` };
    // With the phones' workflows, a phone rings at most once per window whatever the jobs paging it.
    const placed = CancellationScope.nonCancellable(() =>
      onceWithin === undefined
        ? this.twilio.ringTechnician.executeWithOptions(summary, [request])
        : this.twilio.wakeTechnician.executeWithOptions(summary, [{ ...request, windowMs: onceWithin, at: Date.parse(call.placedAt) }]),
    )
      .catch(gaveUp)
      .then((result) => {
        if ('skipped' in result) {
          this.sent.calls.splice(this.sent.calls.indexOf(call), 1);
          return;
        }
        if (result.ok) call.callSid = result.callSid;
        else Object.assign(call, { status: 'failed', errorCode: result.errorCode });
        this.audit.event(voiceCallRow(this.input.callId, call, result));
      });
    this.inFlight.push(placed);
  }

  /** Work that runs beside the sends and is awaited with them (an outcome for the metrics). */
  alongside(work: Promise<void>): void {
    this.inFlight.push(work);
  }

  /** Waits for every send started so far, so that a stand-down never overtakes its page. */
  async settled(): Promise<void> {
    while (this.inFlight.length) await Promise.all(this.inFlight.splice(0));
  }

  private recordSend(message: SentMessage, result: SmsResult): void {
    if (result.ok) {
      // When Twilio took it, as the send reports it: a worker that died before this task, or an
      // answer lost and found on a retry, does not make it later (never later than now, whatever
      // the clocks). A bundle's result recorded before sends reported it: when the bundle went.
      // Sent At is that moment, not when the send was asked for.
      const bundled = this.bundled.get(message.key);
      const takenAt = Math.min(Date.now(), result.takenAt ?? (bundled ? Date.parse(bundled.sentAt) : Infinity));
      message.sentAt = new Date(takenAt).toISOString();
      this.outAt.set(message.key, takenAt);
      message.messageSid = result.messageSid;
      this.audit.event(sendRow(this.input.callId, message));
      this.delivery.apply(message, result.status);
      this.delivery.watch(message);
    } else {
      message.status = 'failed';
      message.errorCode = result.errorCode;
      log.warn('SMS could not be sent', { callId: this.input.callId, to: message.to, errorCode: result.errorCode, reason: result.reason });
      this.audit.event(sendRow(this.input.callId, message, result));
    }
  }

  /** The dispatch's very first page of a call that pages at once: API-to-first-page starts there. */
  private isFirstPage(message: SentMessage): boolean {
    return this.input.urgency !== 'routine' && message.kind === 'PAGE' && this.sent.messages.find((m) => m.kind === 'PAGE') === message;
  }
}

/** A send or call Temporal stopped retrying: it counts as failed, and the ladder moves on. */
export function gaveUp(err: unknown): { ok: false; errorCode: number; reason: string } {
  if (err instanceof ActivityFailure) return { ok: false, errorCode: 0, reason: `gave up after retries: ${err.cause?.message ?? err.message}` };
  throw err;
}
