// Status callbacks for outbound messages, with the faults that reorder, repeat or drop them.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { deliveryUrl, type EmulatorConfig } from './config';
import type { CallbackMode } from './faults';
import { API_VERSION } from './messageResource';
import type { EmulatedMessage } from './messageStore';
import { postSigned } from './signedPost';

export interface CallbackRecord {
  messageSid: string;
  status: string;
  url: string;
  params: Record<string, string>;
  /** HTTP status the receiver answered; absent when it could not be reached */
  responseStatus?: number;
  error?: string;
  at: Date;
}

/** Twilio's form fields for the message's current status. */
export function statusCallbackParams(m: EmulatedMessage, accountSid: string): Record<string, string> {
  return {
    AccountSid: accountSid,
    ApiVersion: API_VERSION,
    From: m.from,
    To: m.to,
    MessageSid: m.sid,
    SmsSid: m.sid,
    MessageStatus: m.status,
    SmsStatus: m.status,
    ...(m.errorCode === null ? {} : { ErrorCode: String(m.errorCode) }),
  };
}

export class StatusCallbackSender {
  private log: CallbackRecord[] = [];

  constructor(
    private readonly config: EmulatorConfig,
    private readonly logger: Logger,
  ) {}

  records(): CallbackRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  clear(): void {
    this.log = [];
  }

  /**
   * Callbacks of one message, in the order its statuses happen, bent by `mode`: out of order
   * holds `sent` back until the next status went out; duplicate redelivers each one (same
   * idempotency token, as a Twilio redelivery has).
   */
  outbox(url: string, mode: CallbackMode) {
    let held: Record<string, string> | undefined;
    const deliver = async (params: Record<string, string>) => {
      if (mode.none) return;
      const token = randomUUID();
      for (let copy = 0; copy < (mode.duplicate ? 2 : 1); copy += 1) await this.post(url, params, token);
    };
    const releaseHeld = async () => {
      const params = held;
      held = undefined;
      if (params) await deliver(params);
    };
    return {
      emit: async (params: Record<string, string>) => {
        if (mode.outOfOrder && params.MessageStatus === 'sent') {
          held = params;
          return;
        }
        await deliver(params);
        await releaseHeld();
      },
      /** after the last status: nothing stays held */
      flush: releaseHeld,
    };
  }

  private async post(url: string, params: Record<string, string>, idempotencyToken: string): Promise<void> {
    const record: CallbackRecord = { messageSid: params.MessageSid ?? '', status: params.MessageStatus ?? '', url, params, at: new Date() };
    try {
      const answer = await postSigned({
        url: deliveryUrl(this.config, url),
        signedUrl: url,
        params,
        authToken: this.config.authToken,
        idempotencyToken,
      });
      record.responseStatus = answer.status;
    } catch (err) {
      // Twilio does not retry a status callback the receiver failed to take; neither do we.
      record.error = err instanceof Error ? err.message : String(err);
      this.logger.warn({ url, messageSid: record.messageSid, err: record.error }, 'status callback not delivered');
    }
    this.log.push(record);
  }
}
