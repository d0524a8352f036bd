// What a Twilio failure means for a page. One table, used for API errors and for the
// ErrorCode of failed/undelivered status callbacks alike.
//
// - retry:       transient; throw so Temporal retries with backoff.
// - unreachable: this recipient cannot get this SMS; record it and escalate past the technician.
// - config:      our own account/sender is misconfigured. Decision: RETRY (thrown), logged as an
//                alert. Such errors hit every recipient alike; calling them "unreachable" would walk
//                the whole ladder to UNANSWERED without a single page going out, while retrying
//                keeps the page pending and it goes out as soon as ops fix the configuration.

export type TwilioErrorClass = 'retry' | 'unreachable' | 'config';

interface CodeRule {
  errorClass: TwilioErrorClass;
  reason: string;
  /** the roster holds a number that can never take SMS: ops must fix the technician's phone */
  flagsRoster?: true;
}

const CODES: Readonly<Record<number, CodeRule>> = {
  20003: { errorClass: 'config', reason: 'authentication failed (account SID / auth token)' },
  20429: { errorClass: 'retry', reason: 'too many requests' },
  20500: { errorClass: 'retry', reason: 'Twilio internal error' },
  20503: { errorClass: 'retry', reason: 'Twilio service unavailable' },
  21211: { errorClass: 'unreachable', reason: "invalid 'To' phone number" },
  21212: { errorClass: 'config', reason: "invalid 'From' phone number" },
  21214: { errorClass: 'unreachable', reason: "'To' phone number cannot be reached" },
  21408: { errorClass: 'unreachable', reason: 'sending to this region is not enabled' },
  21606: { errorClass: 'config', reason: "'From' number is not SMS-capable" },
  21610: { errorClass: 'unreachable', reason: 'recipient opted out (STOP)', flagsRoster: true },
  21612: { errorClass: 'unreachable', reason: 'Twilio cannot route to this number' },
  21614: { errorClass: 'unreachable', reason: "'To' number is not a mobile number", flagsRoster: true },
  21659: { errorClass: 'config', reason: "'From' is not a Twilio number of this account" },
  30001: { errorClass: 'retry', reason: 'queue overflow' },
  30003: { errorClass: 'unreachable', reason: 'unreachable destination handset' },
  30004: { errorClass: 'unreachable', reason: 'message blocked' },
  30005: { errorClass: 'unreachable', reason: 'unknown destination handset' },
  30006: { errorClass: 'unreachable', reason: 'landline or unreachable carrier', flagsRoster: true },
  30007: { errorClass: 'unreachable', reason: 'message filtered by carrier' },
  30008: { errorClass: 'unreachable', reason: 'unknown delivery error' },
  30034: { errorClass: 'unreachable', reason: 'unregistered A2P 10DLC traffic' },
};

export interface TwilioFailure {
  /** absent for network errors and timeouts: nothing was answered */
  httpStatus?: number;
  code?: number;
}

export function classifyTwilioFailure({ httpStatus, code }: TwilioFailure): TwilioErrorClass {
  const rule = code === undefined ? undefined : CODES[code];
  if (rule) return rule.errorClass;
  if (httpStatus === undefined || httpStatus === 429 || httpStatus >= 500) return 'retry';
  if (httpStatus === 401 || httpStatus === 403) return 'config';
  // Any other 4xx is about this request; sending it again gives the same answer.
  return 'unreachable';
}

export function describeTwilioCode(code: number): string {
  return CODES[code]?.reason ?? `Twilio error ${code}`;
}

export function flagsRoster(code: number): boolean {
  return CODES[code]?.flagsRoster === true;
}

export interface ClassifiedTwilioError extends TwilioFailure {
  errorClass: TwilioErrorClass;
  message: string;
}

/** Classifies whatever the twilio client threw: a RestException (HTTP answer) or a network error. */
export function classifyTwilioError(err: unknown): ClassifiedTwilioError {
  const failure = failureOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return { ...failure, errorClass: classifyTwilioFailure(failure), message };
}

function failureOf(err: unknown): TwilioFailure {
  if (typeof err !== 'object' || err === null) return {};
  // RestException carries a numeric HTTP `status` and Twilio `code`; network errors carry
  // string codes such as ECONNRESET and no status.
  const { status, code } = err as { status?: unknown; code?: unknown };
  return {
    ...(typeof status === 'number' ? { httpStatus: status } : {}),
    ...(typeof code === 'number' ? { code } : {}),
  };
}
