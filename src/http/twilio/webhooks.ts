// Twilio's webhooks: technicians' replies, delivery status callbacks and the voice IVR.
// Every request must carry a valid X-Twilio-Signature (checked before anything else).
import express, { type Router } from 'express';
// TwiML's builder alone: the whole twilio package takes a fifth of a second to load.
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse';
import { describeTwilioCode, flagsRoster } from '../../domain/twilio/errorClassification';
import type { Config } from '../../config';
import type { DispatchService } from '../../client/dispatchService';
import { isOpen, nextOpening } from '../../domain/dispatch/businessHours';
import { isFinal, toDeliveryStatus } from '../../domain/twilio/deliveryStatus';
import { formatLocalTime } from '../../domain/dispatch/messages';
import { toE164 } from '../../domain/phone';
import { URGENCIES } from '../../domain/types';
import { logger } from '../../observability/logger';
import { dispatchStarted, observeWebhook, twilioStatusCallbacks } from '../../observability/metrics';
import type { ReplyRouter } from '../../client/replyRouter';
import {
  confirmationTwiml,
  DEFAULT_URGENCY,
  describeTwiml,
  feeTwiml,
  forwardToOfficeTwiml,
  greetingTwiml,
  resolveFee,
  resolveUrgency,
  wakeUpAnswerTwiml,
  wakeUpCallTwiml,
  withQuery,
} from './ivr';
import { callIdSchema, MAX_SUMMARY } from '../validation';
import { requireTwilioSignature } from './signature';

function field(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function twilioRoutes(opts: { config: Config; authToken: string; dispatches: DispatchService; replies: ReplyRouter }): Router {
  const { config, dispatches, replies } = opts;
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '32kb' }));
  router.use(requireTwilioSignature({ authToken: opts.authToken, publicBaseUrl: config.publicBaseUrl }));
  const twiml = (res: express.Response, xml: string) => res.type('text/xml').send(xml);

  router.post('/sms', observeWebhook('sms'), async (req, res) => {
    const from = toE164(field(req.body, 'From') ?? '');
    const body = field(req.body, 'Body') ?? '';
    if (!from) return void res.status(400).json({ error: 'From must be a phone number' });
    const answer = await replies.handle(from, body);
    const response = new MessagingResponse();
    if (answer.message) response.message(answer.message);
    twiml(res, response.toString());
  });

  router.post('/sms-status', observeWebhook('sms-status'), async (req, res) => {
    const callId = typeof req.query.callId === 'string' ? req.query.callId : undefined;
    const key = typeof req.query.key === 'string' ? req.query.key : undefined;
    const messageSid = field(req.body, 'MessageSid');
    const status = toDeliveryStatus(field(req.body, 'MessageStatus') ?? '');
    if (!callId || !key || !messageSid) return void res.status(400).json({ error: 'callId, key and MessageSid are required' });
    const errorCode = Number(field(req.body, 'ErrorCode')) || undefined;
    // The workflow acts on final statuses only, and each signal costs the dispatch a workflow task (a
    // replay once it is out of the worker's cache): the rest end here with a 204. A message whose
    // final status never comes is covered by the workflow's own status check (spec section 3).
    const forwarded = status !== undefined && isFinal(status);
    twilioStatusCallbacks.inc({ status: status ?? 'unknown', forwarded: String(forwarded) });
    if (forwarded) await dispatches.deliveryReport(callId, { key, messageSid, status, errorCode });
    else logger.debug({ callId, key, messageSid, status: field(req.body, 'MessageStatus') }, 'status callback not forwarded: not final');
    if (errorCode && flagsRoster(errorCode)) {
      logger.error({ callId, messageSid, status, errorCode, alert: 'roster-unreachable-number' }, `roster problem: ${describeTwilioCode(errorCode)}`);
    } else if (errorCode) logger.warn({ callId, messageSid, status, errorCode }, 'message not delivered');
    res.status(204).end();
  });

  // IVR: greeting → urgency → description; the dispatch starts as soon as the urgency is known.
  router.post('/voice', observeWebhook('voice'), (req, res) => {
    if (config.officePhone && isOpen(Date.now(), config.businessHours)) return void twiml(res, forwardToOfficeTwiml(config.officePhone));
    twiml(res, greetingTwiml({ businessName: config.businessName, actionUrl: '/webhooks/twilio/voice/urgency' }));
  });

  router.post('/voice/urgency', observeWebhook('voice'), async (req, res) => {
    const attempt = Number(req.query.attempt) || 1;
    const urgency = resolveUrgency({ Digits: field(req.body, 'Digits'), SpeechResult: field(req.body, 'SpeechResult') }, attempt);
    if (urgency === 'reprompt') {
      return void twiml(res, greetingTwiml({ businessName: config.businessName, actionUrl: '/webhooks/twilio/voice/urgency', attempt: attempt + 1 }));
    }
    const callId = field(req.body, 'CallSid');
    const callerPhone = toE164(field(req.body, 'From') ?? '');
    if (!callId || !callerPhone) return void res.status(400).json({ error: 'CallSid and a caller number are required' });
    // Spec section 12: with a fee set, an emergency or urgent call hears it before anyone is sent.
    if (config.afterHoursFee && urgency !== 'routine') {
      return void twiml(res, feeTwiml({ fee: config.afterHoursFee, actionUrl: withQuery('/webhooks/twilio/voice/fee', { urgency, attempt: 1 }), attempt: 1 }));
    }
    await startFromIvr(callId, callerPhone, urgency);
    twiml(res, describeTwiml({ actionUrl: withQuery('/webhooks/twilio/voice/describe', { urgency }) }));
  });

  router.post('/voice/fee', observeWebhook('voice'), async (req, res) => {
    const chosen = URGENCIES.find((u) => u === req.query.urgency) ?? DEFAULT_URGENCY;
    const attempt = Number(req.query.attempt) || 1;
    const callId = field(req.body, 'CallSid');
    const callerPhone = toE164(field(req.body, 'From') ?? '');
    if (!callId || !callerPhone) return void res.status(400).json({ error: 'CallSid and a caller number are required' });
    const answer = config.afterHoursFee ? resolveFee(field(req.body, 'Digits'), chosen, attempt) : { urgency: chosen, feeAccepted: false };
    if (answer === 'reprompt') {
      return void twiml(res, feeTwiml({ fee: config.afterHoursFee!, actionUrl: withQuery('/webhooks/twilio/voice/fee', { urgency: chosen, attempt: attempt + 1 }), attempt: attempt + 1 }));
    }
    await startFromIvr(callId, callerPhone, answer.urgency, answer.feeAccepted);
    twiml(res, describeTwiml({ actionUrl: withQuery('/webhooks/twilio/voice/describe', { urgency: answer.urgency }) }));
  });

  async function startFromIvr(callId: string, callerPhone: string, urgency: (typeof URGENCIES)[number], feeAccepted?: boolean): Promise<void> {
    const request = { callId, callerPhone, urgency, summary: `Phone call (${urgency})`, ...(feeAccepted === undefined ? {} : { feeAccepted }) };
    const { created } = await dispatches.start(request);
    if (created) dispatchStarted.inc({ urgency });
  }

  router.post('/voice/describe', observeWebhook('voice'), async (req, res) => {
    const callId = field(req.body, 'CallSid');
    const urgency = URGENCIES.find((u) => u === req.query.urgency) ?? DEFAULT_URGENCY;
    const description = field(req.body, 'SpeechResult')?.trim();
    if (callId && description) await dispatches.describe(callId, description.slice(0, MAX_SUMMARY));
    const opensAt =
      urgency === 'routine' ? formatLocalTime(new Date(nextOpening(Date.now(), config.businessHours)).toISOString(), config.businessHours.timeZone) : undefined;
    twiml(res, confirmationTwiml({ urgency, businessName: config.businessName, callbackNumber: config.officePhone, opensAt }));
  });

  // A wake-up call to a technician (emergency follow-ups): 1 accepts, 2 declines.
  router.post('/voice/page', observeWebhook('voice'), async (req, res) => {
    const { callId, phone } = wakeUpTarget(req.query);
    const dispatch = callId ? await dispatches.get(callId) : undefined;
    if (!dispatch || !phone) return void twiml(res, wakeUpAnswerTwiml('This job is no longer open. Goodbye.'));
    const actionUrl = withQuery('/webhooks/twilio/voice/page-answer', { callId: dispatch.callId, phone });
    twiml(res, wakeUpCallTwiml({ businessName: config.businessName, summary: dispatch.summary, replyCode: dispatch.replyCode, actionUrl }));
  });

  router.post('/voice/page-answer', observeWebhook('voice'), async (req, res) => {
    const { callId, phone } = wakeUpTarget(req.query);
    const digit = field(req.body, 'Digits');
    const decision = digit === '1' ? 'accept' : digit === '2' ? 'decline' : undefined;
    if (!callId || !phone || !decision) return void twiml(res, wakeUpAnswerTwiml('Sorry, that key does nothing. Reply to the text instead. Goodbye.'));
    const result = await dispatches.reply(callId, { phone, decision, via: 'voice' }).catch(() => undefined);
    twiml(res, wakeUpAnswerTwiml(result?.message ?? 'This job is no longer open. Goodbye.'));
  });

  return router;
}

function wakeUpTarget(query: express.Request['query']): { callId?: string; phone?: string } {
  const callId = typeof query.callId === 'string' && callIdSchema.safeParse(query.callId).success ? query.callId : undefined;
  const phone = typeof query.phone === 'string' ? (toE164(query.phone) ?? undefined) : undefined;
  return { callId, phone };
}
