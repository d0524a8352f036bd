// Everything the dispatch sends, exactly once: each SMS and wake-up call has a key that names it
// for good, and the gateway reconciles with Twilio before any retry. Sends run to completion even
// if the dispatch is cancelled meanwhile, so we always know whom we paged.
import { ActivityFailure, CancellationScope, log, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { DispatchActivities } from '../../src/contract/activities';
import { sendRow, voiceCallRow } from '../../src/domain/dispatch/auditRows';
import { attemptsTo, isPage, type Recipient } from '../../src/domain/dispatch/sentMessages';
import type { DispatchInput, MessageKind, PlacedCall, SentMessage, SmsResult } from '../../src/domain/types';
import type { AuditLane } from './auditLane';
import type { DeliveryTracking } from './deliveryTracking';

export class Outbox {
  private readonly inFlight: Promise<void>[] = [];

  constructor(
    private readonly input: DispatchInput,
    private readonly sent: { messages: SentMessage[]; calls: PlacedCall[] },
    private readonly twilio: ActivityInterfaceFor<DispatchActivities>,
    private readonly audit: AuditLane,
    private readonly delivery: DeliveryTracking,
  ) {}

  /**
   * Starts one SMS without waiting for Twilio; `stepId` makes its key unique within the dispatch.
   * `note` adds what the text says to its summary in the event history (e.g. the ETA it gives).
   */
  send(to: Recipient, kind: MessageKind, body: string, stepId: string, validitySeconds?: number, note?: string): SentMessage {
    const key = `${this.input.callId}/${stepId}/${kind.toLowerCase()}/${to.phone}`;
    const message: SentMessage = {
      key,
      kind,
      to: to.phone,
      technician: to.name === 'caller' ? undefined : to.name,
      tier: to.tier,
      attempt: isPage({ kind }) ? attemptsTo(this.sent.messages, to.phone) + 1 : 1,
      sentAt: new Date().toISOString(),
      status: 'queued',
    };
    this.sent.messages.push(message);
    const sent = CancellationScope.nonCancellable(() =>
      this.twilio.sendSms.executeWithOptions({ summary: `SMS ${kind.toLowerCase().replace('_', ' ')}: ${to.name}${note ? ` (${note})` : ''}` }, [
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

  /** Rings a paged technician awake; their key press answers like a reply. */
  ring(page: SentMessage, ringId: string, ring: number): void {
    const call: PlacedCall = {
      key: `${this.input.callId}/${ringId}/voice/${page.to}`,
      to: page.to,
      technician: page.technician ?? page.to,
      ring,
      placedAt: new Date().toISOString(),
      status: 'placed',
    };
    this.sent.calls.push(call);
    const placed = CancellationScope.nonCancellable(() =>
      this.twilio.ringTechnician.executeWithOptions({ summary: `Call ${call.technician} (ring ${ring})` }, [
        { idempotencyKey: call.key, callId: this.input.callId, to: call.to },
      ]),
    )
      .catch(gaveUp)
      .then((result) => {
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
