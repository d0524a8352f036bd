// The Calls subset of Twilio's REST API the product uses to ring technicians awake: create (the
// call rings until answered through the control API or the sandbox page) and list (the reconcile).
import express, { type Request, type Response } from 'express';
import { API_VERSION, rfc2822 } from './messageResource';
import { isE164, type TwilioEmulatorState } from './state';
import { sendTwilioError } from './twilioErrors';
import type { EmulatedCall } from './voiceCall';

function text(source: Record<string, unknown>, name: string): string | undefined {
  const value = source[name];
  return typeof value === 'string' && value ? value : undefined;
}

function toCallResource(call: EmulatedCall, accountSid: string) {
  const date = rfc2822(call.startedAt);
  return {
    sid: call.callSid,
    account_sid: accountSid,
    api_version: API_VERSION,
    to: call.to,
    from: call.from,
    direction: call.direction,
    status: call.status === 'ringing' ? 'queued' : call.status,
    answered_by: call.answeredBy ?? null,
    date_created: date,
    date_updated: date,
    start_time: call.status === 'ringing' ? null : date,
    uri: `/${API_VERSION}/Accounts/${accountSid}/Calls/${call.callSid}.json`,
  };
}

function createCall(state: TwilioEmulatorState) {
  return (req: Request, res: Response) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const to = text(form, 'To');
    const from = text(form, 'From');
    const url = text(form, 'Url');
    if (!to) return sendTwilioError(res, 400, 21201, "No 'To' number is specified");
    if (!isE164(to)) return sendTwilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return sendTwilioError(res, 400, 21213, "No 'From' number is specified");
    if (!url) return sendTwilioError(res, 400, 21205, 'Url parameter is required');
    const behaviour = state.faults.behaviourFor(to);
    if (behaviour?.kind === 'reject') return sendTwilioError(res, 400, behaviour.errorCode);
    // Twilio's default Timeout: 60 s of ringing
    const ringSeconds = Math.min(600, Math.max(5, Number(text(form, 'Timeout') ?? 60) || 60));
    res.status(201).json(toCallResource(state.ringOutbound(from, to, url, ringSeconds), state.config.accountSid));
  };
}

function listCalls(state: TwilioEmulatorState) {
  return (req: Request, res: Response) => {
    const query = req.query as Record<string, unknown>;
    const to = text(query, 'To');
    const from = text(query, 'From');
    const pageSize = Math.min(1000, Math.max(1, Number(text(query, 'PageSize') ?? 50) || 50));
    const calls = state
      .calls()
      .filter((c) => c.direction === 'outbound-api' && (!to || c.to === to) && (!from || c.from === from))
      .reverse() // newest first, as Twilio lists
      .slice(0, pageSize);
    const uri = `/${API_VERSION}/Accounts/${state.config.accountSid}/Calls.json`;
    res.json({
      calls: calls.map((c) => toCallResource(c, state.config.accountSid)),
      uri,
      first_page_uri: uri,
      previous_page_uri: null,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      start: 0,
      end: Math.max(0, calls.length - 1),
    });
  };
}

export function callRoutes(router: express.Router, state: TwilioEmulatorState): void {
  router.post('/Calls.json', express.urlencoded({ extended: false }), createCall(state));
  router.get('/Calls.json', listCalls(state));
}
