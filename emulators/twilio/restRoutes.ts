// The subset of Twilio's 2010-04-01 REST API the official client uses for SMS.
import express, { type NextFunction, type Request, type Response } from 'express';
import { callRoutes } from './callRoutes';
import { messagesUri, toMessageResource } from './messageResource';
import type { EmulatedMessage, MessageFilter } from './messageStore';
import { isE164, type TwilioEmulatorState } from './state';
import { sendHttpFault, sendTwilioError } from './twilioErrors';

const MAX_BODY_CHARS = 1600;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

function field(source: Record<string, unknown>, name: string): string | undefined {
  const value = source[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function requireAccount(state: TwilioEmulatorState) {
  return (req: Request, res: Response, next: NextFunction) => {
    const { accountSid, authToken } = state.config;
    const expected = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
    if (req.headers.authorization !== expected) return sendTwilioError(res, 401, 20003);
    if (req.params.accountSid !== accountSid) return sendTwilioError(res, 404, 20404);
    next();
  };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** The Twilio error a create with these fields gets before anything is sent, if any. */
function validationError(form: Record<string, unknown>): { code: number; message?: string } | undefined {
  const to = field(form, 'To');
  const body = field(form, 'Body');
  const validity = field(form, 'ValidityPeriod');
  const callback = field(form, 'StatusCallback');
  if (!to) return { code: 21604 };
  if (!isE164(to)) return { code: 21211, message: `The 'To' number ${to} is not a valid phone number.` };
  if (!field(form, 'From')) return { code: 21603 };
  if (!body) return { code: 21602 };
  if ([...body].length > MAX_BODY_CHARS) return { code: 21617 };
  if (validity !== undefined && !/^\d+$/.test(validity)) return { code: 21624 };
  if (validity !== undefined && (Number(validity) < 1 || Number(validity) > 36_000)) return { code: 21624 };
  if (callback !== undefined && !isHttpUrl(callback)) return { code: 21609 };
  return undefined;
}

function createMessage(state: TwilioEmulatorState) {
  return (req: Request, res: Response) => {
    const httpFailure = state.faults.takeHttpFailure();
    if (httpFailure) return sendHttpFault(res, httpFailure);
    const form = (req.body ?? {}) as Record<string, unknown>;
    const invalid = validationError(form);
    if (invalid) return sendTwilioError(res, 400, invalid.code, invalid.message);

    const to = field(form, 'To') as string;
    const behaviour = state.faults.behaviourFor(to);
    if (behaviour?.kind === 'reject') return sendTwilioError(res, 400, behaviour.errorCode);
    const callback = field(form, 'StatusCallback');
    const validity = field(form, 'ValidityPeriod');
    const message = state.acceptOutbound(
      {
        direction: 'outbound-api',
        from: field(form, 'From') as string,
        to,
        body: field(form, 'Body') as string,
        ...(callback ? { statusCallback: callback } : {}),
        ...(validity ? { validityPeriod: Number(validity) } : {}),
      },
      behaviour,
    );

    // Accepted: what follows only loses the answer, exactly the case exactly-once must survive.
    const lost = state.faults.takeLostResponse();
    if (lost === 'reset') return req.socket.destroy();
    if (lost === 'hang') return;
    res.status(201).json(toMessageResource(message, state.config.accountSid));
  };
}

function fetchMessage(state: TwilioEmulatorState) {
  return (req: Request, res: Response) => {
    const message = state.message(String(req.params.sid));
    if (!message) return sendTwilioError(res, 404, 20404, `The requested resource ${req.path} was not found`);
    res.json(toMessageResource(message, state.config.accountSid));
  };
}

function dateSentFilter(query: Record<string, unknown>): MessageFilter {
  const at = (name: string) => {
    const text = field(query, name);
    return text === undefined ? undefined : new Date(text);
  };
  const on = field(query, 'DateSent');
  const after = at('DateSent>');
  const before = at('DateSent<');
  return {
    ...(after ? { dateSentAfter: after } : {}),
    ...(before ? { dateSentBefore: before } : {}),
    // "YYYY-MM-DD" means that whole (UTC) day, a full timestamp that instant
    ...(on ? { dateSentOn: (sent: Date) => (on.length === 10 ? sent.toISOString().startsWith(on) : sent.getTime() === new Date(on).getTime()) } : {}),
  };
}

function listMessages(state: TwilioEmulatorState) {
  return (req: Request, res: Response) => {
    const query = req.query as Record<string, unknown>;
    const to = field(query, 'To');
    const from = field(query, 'From');
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(field(query, 'PageSize') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE));
    const page = Math.max(0, Number(field(query, 'Page') ?? 0) || 0);
    const all = state.messages({ ...(to ? { to } : {}), ...(from ? { from } : {}), ...dateSentFilter(query) });
    const start = page * pageSize;
    const slice: EmulatedMessage[] = all.slice(start, start + pageSize);

    const base = `${messagesUri(state.config.accountSid)}.json`;
    const uriFor = (p: number) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (!['Page', 'PageSize', 'PageToken'].includes(k) && typeof v === 'string') params.set(k, v);
      params.set('PageSize', String(pageSize));
      params.set('Page', String(p));
      if (p > 0) params.set('PageToken', `PA${p}`);
      return `${base}?${params.toString()}`;
    };
    res.json({
      messages: slice.map((m) => toMessageResource(m, state.config.accountSid)),
      uri: uriFor(page),
      first_page_uri: uriFor(0),
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      next_page_uri: start + pageSize < all.length ? uriFor(page + 1) : null,
      page,
      page_size: pageSize,
      start,
      end: start + Math.max(0, slice.length - 1),
    });
  };
}

export function twilioRestRouter(state: TwilioEmulatorState): express.Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireAccount(state));
  router.post('/Messages.json', express.urlencoded({ extended: false }), createMessage(state));
  router.get('/Messages.json', listMessages(state));
  router.get('/Messages/:sid.json', fetchMessage(state));
  callRoutes(router, state);
  return router;
}
