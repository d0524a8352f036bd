// Twilio as the dispatch workflow's activities see it, faked in memory: every text and wake-up call
// lands in an outbox stamped with the simulated time the workflow asked for it, and each phone can
// be made unreachable in the ways the real carrier is (refused send, undelivered, no callback, an
// API that keeps failing). Status callbacks are Temporal signals, as the API turns them into.
import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryReport } from '../../../src/contract/dispatch';
import type { DeliveryStatus, MessageKind, MessageStatusReport, SmsRequest, SmsResult, VoiceCallRequest, VoiceCallResult } from '../../../src/domain/types';
import { scheduledAt } from './simulatedClock';

export interface Sms {
  sid: string;
  key: string;
  callId: string;
  to: string;
  kind: MessageKind;
  body: string;
  /** simulated epoch ms the workflow asked for it */
  at: number;
}

export interface Ring {
  sid: string;
  key: string;
  callId: string;
  to: string;
  at: number;
}

export interface StatusCheck {
  sid: string;
  at: number;
}

type Outcome = { status: 'delivered' } | { status: 'undelivered'; errorCode: number } | { status: 'sent' };

/** How long a test waits (wall clock) for something the workflow is about to do. */
const WAIT_MS = 5_000;

export class FakeTwilio {
  readonly texts: Sms[] = [];
  readonly rings: Ring[] = [];
  readonly statusChecks: StatusCheck[] = [];
  /** sends Twilio refused outright (the `ok: false` answers), for the tests' eyes */
  readonly refusedSends: Array<{ to: string; kind: MessageKind; errorCode: number }> = [];
  /** keys of sends asked for again after Twilio took them (a retried or replayed send, reconciled) */
  readonly repeatedSends: string[] = [];
  /** send attempts that hit a Twilio outage (each one retried by Temporal) */
  readonly failedAttempts: Array<{ key: string; to: string; at: number }> = [];

  private readonly refusals = new Map<string, number>();
  private readonly carrier = new Map<string, Outcome>();
  /** by phone: how long the outage lasts from the first send it refuses (and when that was) */
  private readonly outages = new Map<string, { lastsMs: number; from?: number }>();
  private callbacks = true;
  private sequence = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly signalDispatch: (callId: string, report: DeliveryReport) => Promise<void>) {}

  // ---- how each phone behaves --------------------------------------------------------------

  /** Twilio answers the send with a 4xx it cannot fix (21610 opted out, 21614 not a mobile …). */
  refuse(phone: string, errorCode: number): void {
    this.refusals.set(phone, errorCode);
  }

  /** Twilio takes the text; the carrier reports it `undelivered` (30003 handset off, 30006 landline …). */
  undeliverable(phone: string, errorCode: number): void {
    this.carrier.set(phone, { status: 'undelivered', errorCode });
  }

  /** The carrier never confirms delivery: callbacks and status checks say `sent` for ever. */
  neverConfirmed(phone: string): void {
    this.carrier.set(phone, { status: 'sent' });
  }

  /**
   * Twilio answers 503 to every send to this phone, for `lastsMs` of simulated time from the first
   * or for good: the gateway throws a retryable failure, and Temporal retries it until the outage
   * ends or the send's schedule-to-close timeout, then gives up.
   */
  outageFor(phone: string, lastsMs = Infinity): void {
    this.outages.set(phone, { lastsMs });
  }

  /** Twilio's status callbacks never reach us: only asking Twilio tells the status. */
  noCallbacks(): void {
    this.callbacks = false;
  }

  // ---- the activities (the worker calls these through the Simulation) ----------------------

  async sendSms(req: SmsRequest): Promise<SmsResult> {
    const outage = this.outages.get(req.to);
    if (outage && scheduledAt() < (outage.from ??= scheduledAt()) + outage.lastsMs) {
      this.failedAttempts.push({ key: req.idempotencyKey, to: req.to, at: scheduledAt() });
      throw ApplicationFailure.retryable('Twilio send failed (retry, HTTP 503): Service Unavailable', 'TwilioTransientError');
    }
    const refusal = this.refusals.get(req.to);
    if (refusal !== undefined) {
      this.refusedSends.push({ to: req.to, kind: req.kind, errorCode: refusal });
      this.changed();
      return { ok: false, errorCode: refusal, reason: `Twilio error ${refusal}` };
    }
    // The same idempotency key is the same message (a retried activity reconciles, never resends).
    const existing = this.texts.find((t) => t.key === req.idempotencyKey);
    if (existing) {
      this.repeatedSends.push(req.idempotencyKey);
      return { ok: true, messageSid: existing.sid, status: 'queued', reconciled: true };
    }
    const sms: Sms = { sid: `SM${String(++this.sequence).padStart(32, '0')}`, key: req.idempotencyKey, callId: req.callId, to: req.to, kind: req.kind, body: req.body, at: scheduledAt() };
    this.texts.push(sms);
    this.changed();
    // The callback is signalled before the send returns: in simulated time nothing may slip between
    // the two (a real carrier's callback also often beats Twilio's answer to the workflow).
    if (this.callbacks) await this.callBack(sms);
    return { ok: true, messageSid: sms.sid, status: 'queued', reconciled: false };
  }

  async fetchMessageStatus(messageSid: string): Promise<MessageStatusReport> {
    this.statusChecks.push({ sid: messageSid, at: scheduledAt() });
    this.changed();
    const sms = this.texts.find((t) => t.sid === messageSid);
    if (!sms) throw ApplicationFailure.nonRetryable(`no message ${messageSid}`);
    return { messageSid, ...this.outcomeFor(sms.to) };
  }

  async ringTechnician(req: VoiceCallRequest): Promise<VoiceCallResult> {
    const existing = this.rings.find((r) => r.key === req.idempotencyKey);
    if (existing) return { ok: true, callSid: existing.sid, reconciled: true };
    const ring: Ring = { sid: `CA${String(++this.sequence).padStart(32, '0')}`, key: req.idempotencyKey, callId: req.callId, to: req.to, at: scheduledAt() };
    this.rings.push(ring);
    this.changed();
    return { ok: true, callSid: ring.sid, reconciled: false };
  }

  private outcomeFor(phone: string): { status: DeliveryStatus; errorCode?: number } {
    return this.carrier.get(phone) ?? { status: 'delivered' };
  }

  /** The carrier's word, as Twilio's status callback brings it: a `delivery` signal. */
  private async callBack(sms: Sms): Promise<void> {
    const report: DeliveryReport = { key: sms.key, messageSid: sms.sid, ...this.outcomeFor(sms.to) };
    await this.signalDispatch(sms.callId, report).catch(() => undefined); // a finished dispatch no longer cares, as in the API
  }

  // ---- waiting for what the workflow is about to do ----------------------------------------

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves with `probe`'s first defined answer, re-asked whenever the outbox changes. */
  until<T>(what: string, probe: () => T | undefined): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`waited ${WAIT_MS} ms (wall clock) for ${what}`));
      }, WAIT_MS);
      const listener = () => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(value);
      };
      this.listeners.add(listener);
    });
  }
}
