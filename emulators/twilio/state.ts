// The emulator's in-process control object: what tests and the sandbox page read and steer.
import type { Logger } from 'pino';
import type { EmulatorConfig } from './config';
import { DeliverySimulator } from './deliverySimulator';
import { Faults, type FaultSnapshot, type HttpFaultStatus, type LostResponseMode, type PhoneBehaviour } from './faults';
import { postInboundSms, type InboundReplyResult } from './inboundSms';
import { MessageStore, type EmulatedMessage, type MessageFilter, type NewMessage, type PhoneConversation } from './messageStore';
import { StatusCallbackSender, type CallbackRecord } from './statusCallbacks';
import { expireUnanswered, newCall, newOutboundCall, playCall, type CallScript, type EmulatedCall } from './voiceCall';

const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(phone: string): boolean {
  return E164.test(phone);
}

export class TwilioEmulatorState {
  readonly faults = new Faults();
  private readonly store = new MessageStore();
  private readonly callbackSender: StatusCallbackSender;
  private readonly delivery: DeliverySimulator;
  private callLog: EmulatedCall[] = [];

  constructor(
    readonly config: EmulatorConfig,
    logger: Logger,
  ) {
    this.callbackSender = new StatusCallbackSender(config, logger);
    this.delivery = new DeliverySimulator(this.store, this.callbackSender, config, logger);
  }

  // ---- reading ----

  messages(filter: MessageFilter = {}): EmulatedMessage[] {
    return this.store.list(filter);
  }

  message(sid: string): EmulatedMessage | undefined {
    return this.store.get(sid);
  }

  /** Messages this phone received, oldest first. */
  inbox(phone: string): EmulatedMessage[] {
    return this.store.list({ to: phone }).reverse();
  }

  phones(): PhoneConversation[] {
    return this.store.conversations();
  }

  copies(to: string, body: string): number {
    return this.store.copies(to, body);
  }

  outboundCount(): number {
    return this.store.outboundCount();
  }

  callbacks(): CallbackRecord[] {
    return this.callbackSender.records();
  }

  /** Calls placed with placeCall, oldest first; one still in progress shows what was said so far. */
  calls(): EmulatedCall[] {
    this.expireUnanswered();
    return this.callLog.map(copyCall);
  }

  faultSnapshot(): FaultSnapshot {
    return this.faults.snapshot();
  }

  // ---- steering ----

  failWith(phone: string, errorCode: number): void {
    this.faults.failWith(phone, errorCode);
  }

  undeliverable(phone: string, errorCode?: number): void {
    this.faults.undeliverable(phone, errorCode);
  }

  failNext(n: number, httpStatus?: HttpFaultStatus): void {
    this.faults.failNext(n, httpStatus);
  }

  loseResponseNext(n: number, mode?: LostResponseMode): void {
    this.faults.loseResponseNext(n, mode);
  }

  noCallbacks(on: boolean): void {
    this.faults.setCallbackMode({ none: on });
  }

  duplicateCallbacks(on: boolean): void {
    this.faults.setCallbackMode({ duplicate: on });
  }

  outOfOrderCallbacks(on: boolean): void {
    this.faults.setCallbackMode({ outOfOrder: on });
  }

  /** Forgets messages, calls, callbacks and faults, and stops deliveries in flight. */
  reset(): void {
    this.delivery.stopAll();
    this.store.clear();
    this.callLog = [];
    this.callbackSender.clear();
    this.faults.reset();
  }

  stop(): void {
    this.delivery.stopAll();
  }

  // ---- traffic ----

  /** Takes an outbound message Twilio has accepted and starts its delivery. */
  acceptOutbound(input: NewMessage, behaviour: PhoneBehaviour | undefined): EmulatedMessage {
    const message = this.store.add(input);
    this.delivery.start(message, behaviour, this.faults.callbacks());
    return message;
  }

  /** `phone` texts `body` to the number that last texted it; the app's TwiML replies reach the phone. */
  async reply(phone: string, body: string): Promise<InboundReplyResult> {
    if (!isE164(phone)) throw new RangeError(`not an E.164 phone number: ${phone}`);
    const to = this.store.lastSenderTo(phone) ?? this.config.ourNumber;
    const inbound = this.store.add({ direction: 'inbound', from: phone, to, body });
    const answer = await postInboundSms(this.config, inbound);
    for (const m of answer.messages) {
      const recipient = m.to ?? phone;
      this.acceptOutbound(
        { direction: 'outbound-reply', from: m.from ?? to, to: recipient, body: m.body },
        this.faults.behaviourFor(recipient),
      );
    }
    return { status: answer.status, replies: answer.messages.map((m) => m.body) };
  }

  /**
   * `from` phones the account's number and goes through the app's IVR (signed Voice webhooks):
   * presses `digits` at the first prompt and says `speech` at the next. Resolves when the call
   * ended; a call the app did not answer with TwiML comes back `failed` with the reason.
   */
  private expireUnanswered(): void {
    for (const call of this.callLog) expireUnanswered(call);
  }

  /** Our service rings `to` (Calls API): the call waits, ringing, for answerCall. */
  ringOutbound(from: string, to: string, url: string, ringSeconds: number): EmulatedCall {
    const call = newOutboundCall(from, to, url, ringSeconds);
    this.callLog.push(call);
    return call;
  }

  /**
   * `phone` picks up the oldest call ringing it: a person pressing `digits`, or an answering
   * machine (which presses nothing). Resolves when the call ended; undefined when nothing rang.
   */
  async answerCall(phone: string, answer: { digits?: string; machine?: boolean }): Promise<EmulatedCall | undefined> {
    this.expireUnanswered();
    const call = this.callLog.find((c) => c.direction === 'outbound-api' && c.to === phone && c.status === 'ringing');
    if (!call) return undefined;
    Object.assign(call, { digits: answer.digits, answeredBy: answer.machine ? 'machine_start' : 'human' });
    await playCall(this.config, call);
    return copyCall(call);
  }

  async placeCall(script: CallScript): Promise<EmulatedCall> {
    if (!isE164(script.from)) throw new RangeError(`not an E.164 phone number: ${script.from}`);
    const call = newCall(script, this.config.ourNumber);
    this.callLog.push(call);
    await playCall(this.config, call);
    return copyCall(call);
  }
}

function copyCall(call: EmulatedCall): EmulatedCall {
  return { ...call, transcript: [...call.transcript] };
}
