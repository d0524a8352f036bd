// Sends SMS through Twilio exactly once per idempotency key, and reads message status back.
import type { Logger } from 'pino';
import { toDeliveryStatus } from '../../src/domain/twilio/deliveryStatus';
import type { DeliveryStatus, MessageStatusReport, SmsRequest, SmsResult, VoiceCallRequest, VoiceCallResult } from '../../src/domain/types';
import type { TwilioClient } from './client';
import { classifyTwilioError, describeTwilioCode, type TwilioErrorClass } from '../../src/domain/twilio/errorClassification';

export interface TwilioGatewayOptions {
  client: TwilioClient;
  fromNumber: string;
  /** where Twilio reaches this service (PUBLIC_BASE_URL) */
  publicBaseUrl: string;
  logger: Logger;
  /** how far back a retry looks for a message an earlier attempt may have sent */
  reconcileWindowMs?: number;
}

export interface TwilioGateway {
  sendSms(req: SmsRequest, attempt: number): Promise<SmsResult>;
  fetchStatus(messageSid: string): Promise<MessageStatusReport>;
  /** `firstScheduledMs`: when the first attempt of this call was scheduled (for the reconcile) */
  ringTechnician(req: VoiceCallRequest, attempt: number, firstScheduledMs: number): Promise<VoiceCallResult>;
}

/** How long a wake-up call rings before Twilio gives up (voicemail usually answers first). */
const RING_TIMEOUT_S = 30;

/** A failure to throw: `retryable` ones ('retry', 'config') go back to Temporal's retry policy. */
export class TwilioGatewayError extends Error {
  constructor(
    message: string,
    readonly errorClass: TwilioErrorClass,
    readonly code?: number,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'TwilioGatewayError';
  }

  get retryable(): boolean {
    return this.errorClass !== 'unreachable';
  }
}

const DEFAULT_RECONCILE_WINDOW_MS = 60 * 60 * 1000;
/**
 * Newest messages to one phone scanned when reconciling, in one request (Twilio's largest page):
 * far more than a window holds. Not 50: a storm's 50 jobs send one phone that many within seconds
 * (pages, follow-ups, stand-downs), which pushed an earlier attempt's page out of the scan and
 * sent it twice.
 */
const RECONCILE_SCAN_LIMIT = 1000;
const TWILIO_MIN_VALIDITY_S = 1;
const TWILIO_MAX_VALIDITY_S = 36_000;

export function clampValidity(seconds: number): number {
  return Math.min(TWILIO_MAX_VALIDITY_S, Math.max(TWILIO_MIN_VALIDITY_S, Math.round(seconds)));
}

/** A send or call Twilio refused for good: recorded with its code, never retried. */
function permanentFailure(error: TwilioGatewayError): { ok: false; errorCode: number; reason: string } {
  return {
    ok: false,
    errorCode: error.code ?? error.httpStatus ?? 0,
    reason: error.code === undefined ? error.message : describeTwilioCode(error.code),
  };
}

export function createTwilioGateway(opts: TwilioGatewayOptions): TwilioGateway {
  const { client, fromNumber, logger } = opts;
  const reconcileWindowMs = opts.reconcileWindowMs ?? DEFAULT_RECONCILE_WINDOW_MS;
  const baseUrl = opts.publicBaseUrl.replace(/\/+$/, '');

  function statusCallbackFor(req: SmsRequest): string {
    const query = new URLSearchParams({ callId: req.callId, key: req.idempotencyKey });
    return `${baseUrl}/webhooks/twilio/sms-status?${query.toString()}`;
  }

  function deliveryStatusOf(twilioStatus: string, log: Logger): DeliveryStatus {
    const status = toDeliveryStatus(twilioStatus);
    if (status) return status;
    // Not final, so the workflow will ask again rather than act on a guess.
    log.warn({ twilioStatus }, 'unexpected Twilio message status; treating as queued');
    return 'queued';
  }

  function gatewayErrorOf(err: unknown, action: string, log: Logger): TwilioGatewayError {
    const c = classifyTwilioError(err);
    const detail = c.code === undefined ? c.message : `${c.code} ${describeTwilioCode(c.code)}: ${c.message}`;
    const message = `Twilio ${action} failed (${c.errorClass}, HTTP ${c.httpStatus ?? 'none'}): ${detail}`;
    const fields = { errorClass: c.errorClass, code: c.code, httpStatus: c.httpStatus };
    if (c.errorClass === 'config') log.error({ ...fields, alert: true }, message);
    else log.warn(fields, message);
    return new TwilioGatewayError(message, c.errorClass, c.code, c.httpStatus);
  }

  /**
   * Why a retried send cannot double-send: an earlier attempt either never reached Twilio, or
   * Twilio accepted it and lists it under To/From. Bodies are unique per idempotency key (the
   * workflow guarantees it), so an exact body match within the window is that earlier message.
   * We list without a DateSent filter because a message still queued has no date_sent yet and
   * would be filtered out exactly when it matters; the window is applied to date_created instead.
   * Residual window: an earlier attempt whose request is still in flight (or accepted by Twilio but
   * not yet listed) while this attempt lists. The HTTP timeout is far below the activity's
   * start-to-close timeout and Temporal's retry backoff, so an earlier attempt has ended by then.
   */
  async function findEarlierSend(req: SmsRequest, log: Logger) {
    const since = Date.now() - reconcileWindowMs;
    let recent;
    try {
      recent = await client.messages.list({ to: req.to, from: fromNumber, limit: RECONCILE_SCAN_LIMIT, pageSize: RECONCILE_SCAN_LIMIT });
    } catch (err) {
      throw gatewayErrorOf(err, 'reconcile list', log);
    }
    return recent.find((m) => m.body === req.body && m.dateCreated.getTime() >= since);
  }

  return {
    async sendSms(req, attempt) {
      const log = logger.child({ callId: req.callId, key: req.idempotencyKey, to: req.to, attempt });
      if (attempt > 1) {
        const earlier = await findEarlierSend(req, log);
        if (earlier) {
          log.info({ messageSid: earlier.sid }, 'SMS already accepted by Twilio on an earlier attempt');
          return { ok: true, messageSid: earlier.sid, status: deliveryStatusOf(earlier.status, log), reconciled: true, takenAt: earlier.dateCreated.getTime() };
        }
      }
      try {
        const message = await client.messages.create({
          to: req.to,
          from: fromNumber,
          body: req.body,
          statusCallback: statusCallbackFor(req),
          ...(req.validitySeconds === undefined ? {} : { validityPeriod: clampValidity(req.validitySeconds) }),
        });
        log.info({ messageSid: message.sid, status: message.status }, 'SMS accepted by Twilio');
        return { ok: true, messageSid: message.sid, status: deliveryStatusOf(message.status, log), reconciled: false, takenAt: Date.now() };
      } catch (err) {
        const error = gatewayErrorOf(err, 'send', log);
        if (error.retryable) throw error;
        return permanentFailure(error);
      }
    },

    async fetchStatus(messageSid) {
      const log = logger.child({ messageSid });
      try {
        const message = await client.messages(messageSid).fetch();
        return {
          messageSid,
          status: deliveryStatusOf(message.status, log),
          ...(message.errorCode ? { errorCode: message.errorCode } : {}),
        };
      } catch (err) {
        throw gatewayErrorOf(err, 'status fetch', log);
      }
    },

    async ringTechnician(req, attempt, firstScheduledMs) {
      const log = logger.child({ callId: req.callId, key: req.idempotencyKey, to: req.to, attempt });
      if (attempt > 1) {
        // A call carries no reference of ours that Twilio lists back, so an earlier attempt's call
        // is one placed to this number from ours since this activity was first scheduled. Another
        // dispatch ringing the same technician in that same moment would be taken for it: one ring
        // too few, never one too many.
        let recent;
        try {
          recent = await client.calls.list({ to: req.to, from: fromNumber, limit: RECONCILE_SCAN_LIMIT, pageSize: RECONCILE_SCAN_LIMIT });
        } catch (err) {
          throw gatewayErrorOf(err, 'reconcile call list', log);
        }
        const earlier = recent.find((c) => c.dateCreated.getTime() >= firstScheduledMs - 1_000);
        if (earlier) return { ok: true, callSid: earlier.sid, reconciled: true };
      }
      const query = new URLSearchParams({ callId: req.callId, phone: req.to });
      try {
        const call = await client.calls.create({
          to: req.to,
          from: fromNumber,
          url: `${baseUrl}/webhooks/twilio/voice/page?${query.toString()}`,
          method: 'POST',
          timeout: RING_TIMEOUT_S,
        });
        log.info({ callSid: call.sid }, 'wake-up call placed');
        return { ok: true, callSid: call.sid, reconciled: false };
      } catch (err) {
        const error = gatewayErrorOf(err, 'call', log);
        if (error.retryable) throw error;
        return permanentFailure(error);
      }
    },
  };
}
