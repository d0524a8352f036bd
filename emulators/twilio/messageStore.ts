// Every message the emulated account has seen, outbound and inbound; phones' inboxes are views of it.
import { randomBytes } from 'node:crypto';

export type MessageDirection = 'outbound-api' | 'outbound-reply' | 'inbound';
export type EmulatedStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

export interface EmulatedMessage {
  sid: string;
  direction: MessageDirection;
  from: string;
  to: string;
  body: string;
  status: EmulatedStatus;
  numSegments: number;
  errorCode: number | null;
  dateCreated: Date;
  dateSent: Date | null;
  dateUpdated: Date;
  statusCallback?: string;
  validityPeriod?: number;
}

export interface NewMessage {
  direction: MessageDirection;
  from: string;
  to: string;
  body: string;
  statusCallback?: string;
  validityPeriod?: number;
}

export interface MessageFilter {
  to?: string;
  from?: string;
  /** Twilio's DateSent filters; like Twilio they match on date_sent, so unsent messages drop out */
  dateSentAfter?: Date;
  dateSentBefore?: Date;
  dateSentOn?: (dateSent: Date) => boolean;
}

export interface PhoneConversation {
  phone: string;
  /** oldest first, both directions */
  messages: EmulatedMessage[];
}

export function newMessageSid(): string {
  return 'SM' + randomBytes(16).toString('hex');
}

const GSM_7 = /^[\n\r\x20-\x7e£¥èéùìòÇØøÅåÆæßÉÄÖÑÜ§¿äöñüà]*$/;

/** Segments the carrier bills for: GSM-7 fits 160 (153 when split), anything else UCS-2 70 (67). */
export function countSegments(body: string): number {
  const [single, split] = GSM_7.test(body) ? [160, 153] : [70, 67];
  const length = [...body].length;
  return length <= single ? 1 : Math.ceil(length / split);
}

export class MessageStore {
  private messages: EmulatedMessage[] = [];

  add(input: NewMessage): EmulatedMessage {
    const now = new Date();
    const inbound = input.direction === 'inbound';
    const message: EmulatedMessage = {
      ...input,
      sid: newMessageSid(),
      status: inbound ? 'received' : 'queued',
      numSegments: countSegments(input.body),
      errorCode: null,
      dateCreated: now,
      dateSent: inbound ? now : null,
      dateUpdated: now,
    };
    this.messages.push(message);
    return { ...message };
  }

  get(sid: string): EmulatedMessage | undefined {
    const message = this.messages.find((m) => m.sid === sid);
    return message && { ...message };
  }

  setStatus(sid: string, status: EmulatedStatus, errorCode?: number): EmulatedMessage | undefined {
    const message = this.messages.find((m) => m.sid === sid);
    if (!message) return undefined;
    const now = new Date();
    message.status = status;
    message.dateUpdated = now;
    if (status === 'sent') message.dateSent = now;
    if (errorCode !== undefined) message.errorCode = errorCode;
    return { ...message };
  }

  /** Newest first, as Twilio lists them. */
  list(filter: MessageFilter = {}): EmulatedMessage[] {
    return this.messages
      .filter((m) => matches(m, filter))
      .reverse()
      .map((m) => ({ ...m }));
  }

  /** How many messages with exactly this body went to this phone. */
  copies(to: string, body: string): number {
    return this.messages.filter((m) => m.direction !== 'inbound' && m.to === to && m.body === body).length;
  }

  outboundCount(): number {
    return this.messages.filter((m) => m.direction !== 'inbound').length;
  }

  /** The number that last texted this phone: where a reply from it goes. */
  lastSenderTo(phone: string): string | undefined {
    return this.list({ to: phone }).find((m) => m.direction !== 'inbound')?.from;
  }

  /** Conversations of every outside phone (the account's own numbers are the other side). */
  conversations(): PhoneConversation[] {
    const byPhone = new Map<string, EmulatedMessage[]>();
    for (const m of this.messages) {
      const phone = m.direction === 'inbound' ? m.from : m.to;
      byPhone.set(phone, [...(byPhone.get(phone) ?? []), { ...m }]);
    }
    return [...byPhone].map(([phone, messages]) => ({ phone, messages }));
  }

  clear(): void {
    this.messages = [];
  }
}

function matches(m: EmulatedMessage, f: MessageFilter): boolean {
  if (f.to !== undefined && m.to !== f.to) return false;
  if (f.from !== undefined && m.from !== f.from) return false;
  const dated = f.dateSentAfter || f.dateSentBefore || f.dateSentOn;
  if (!dated) return true;
  const sent = m.dateSent;
  if (!sent) return false;
  if (f.dateSentAfter && sent < f.dateSentAfter) return false;
  if (f.dateSentBefore && sent > f.dateSentBefore) return false;
  return !f.dateSentOn || f.dateSentOn(sent);
}
