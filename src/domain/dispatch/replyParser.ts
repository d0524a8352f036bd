// Reads a technician's SMS reply (spec section 4). Pure: runs in the workflow sandbox and the API.

import { ETA_MINUTES } from '../types';
import { isReplyCodeShaped } from './replyCode';

export type ParsedReply =
  /** an accept may give an ETA: `YES K7QP 40` */
  | { kind: 'accept'; code?: string; etaMinutes?: number }
  | { kind: 'decline'; code?: string }
  /** after the accept (spec section 11): `ETA K7QP 1h30`, `ARRIVED`, `DONE K7QP` */
  | { kind: 'eta'; code?: string; etaMinutes: number }
  | { kind: 'arrived' | 'done'; code?: string }
  | { kind: 'optout' | 'optin' | 'help' }
  /** who is on call now (spec section 4): any words may follow, "WHO is on call?" */
  | { kind: 'oncall' }
  | { kind: 'unknown' };

const DECISION_WORDS: Record<string, 'accept' | 'decline'> = {
  YES: 'accept',
  Y: 'accept',
  '1': 'accept',
  ACCEPT: 'accept',
  OK: 'accept',
  NO: 'decline',
  N: 'decline',
  '2': 'decline',
  DECLINE: 'decline',
};

// Twilio's standard opt-out keywords: Twilio itself acts on them; we only recognise them so we
// do not answer "unrecognised reply" on top of Twilio's own response.
const CARRIER_KEYWORDS: Record<string, 'optout' | 'optin' | 'help'> = {
  STOP: 'optout',
  STOPALL: 'optout',
  UNSUBSCRIBE: 'optout',
  CANCEL: 'optout',
  END: 'optout',
  QUIT: 'optout',
  START: 'optin',
  UNSTOP: 'optin',
  HELP: 'help',
  INFO: 'help',
};

const ON_CALL_WORDS = new Set(['ONCALL', 'WHO']);

const JOB_WORDS: Record<string, 'arrived' | 'done'> = {
  ARRIVED: 'arrived',
  ONSITE: 'arrived',
  HERE: 'arrived',
  DONE: 'done',
  COMPLETE: 'done',
  COMPLETED: 'done',
  FIXED: 'done',
};

/**
 * Minutes as a technician types them: `40`, `40m`, `40min`, `1h`, `1h30`, `1h30m`, `1:30`.
 * Undefined for anything else, and for ETAs outside ETA_MINUTES.
 */
export function parseEtaMinutes(word: string): number | undefined {
  const w = word.toUpperCase();
  let minutes: number | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,4})(M|MIN|MINS|MINUTES)?$/.exec(w))) minutes = Number(m[1]);
  else if ((m = /^(\d{1,2})(?:H|HR|HRS|HOUR|HOURS)(?:(\d{1,2})(?:M|MIN|MINS)?)?$/.exec(w))) minutes = Number(m[1]) * 60 + Number(m[2] ?? 0);
  else if ((m = /^(\d{1,2}):(\d{2})$/.exec(w))) minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes === undefined || minutes < ETA_MINUTES.min || minutes > ETA_MINUTES.max) return undefined;
  return minutes;
}

/** Minutes at the start of `words`, also typed apart from their unit: `40 min`, `1 h`. */
function leadingEta(words: string[]): number | undefined {
  const [first, unit] = words;
  if (first === undefined) return undefined;
  const joined = unit !== undefined && /^\d+$/.test(first) && /^(M|MIN|MINS|MINUTES|H|HR|HRS|HOUR|HOURS)$/.test(unit) ? first + unit : first;
  return parseEtaMinutes(joined);
}

/**
 * Reads a reply as technicians type it: any case and spacing, punctuation around words ignored
 * (`Yes, k7qp!`). The word comes first, then the job's code, then (for YES and ETA) the minutes;
 * further words are the technician's own and do not stop the reply (`YES K7QP on my way`, `YES
 * please`: a word no code can be is not one). A word in the code's place that reads as minutes is
 * minutes (`YES 40`, `ETA 1h30`): minutes start with a digit, codes never do (replyCode.ts).
 */
export function parseReply(body: string): ParsedReply {
  const words = body
    .trim()
    .toUpperCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[^A-Z0-9]+|[^A-Z0-9]+$/g, ''))
    .filter((w) => w.length > 0);
  const [word, second] = words;
  if (word !== undefined && ON_CALL_WORDS.has(word.replace(/[^A-Z]/g, ''))) return { kind: 'oncall' };
  if (word === undefined) return { kind: 'unknown' };

  const keyword = CARRIER_KEYWORDS[word];
  if (keyword) return second === undefined ? { kind: keyword } : { kind: 'unknown' };

  const decision = DECISION_WORDS[word];
  const jobWord = JOB_WORDS[word.replace(/[^A-Z]/g, '')];
  const isEta = word === 'ETA';
  if (!decision && !jobWord && !isEta) return { kind: 'unknown' };

  // The code, unless the word there is minutes.
  let rest = words.slice(1);
  let code: string | undefined;
  if (rest[0] !== undefined && leadingEta(rest) === undefined && isReplyCodeShaped(rest[0])) {
    code = rest[0];
    rest = rest.slice(1);
  }
  const withCode = <T extends object>(reply: T): T & { code?: string } => (code === undefined ? reply : { ...reply, code });

  if (isEta) {
    const etaMinutes = leadingEta(rest);
    return etaMinutes === undefined ? { kind: 'unknown' } : withCode({ kind: 'eta' as const, etaMinutes });
  }
  if (jobWord) return withCode({ kind: jobWord });
  if (decision === 'accept') {
    const etaMinutes = leadingEta(rest);
    return withCode(etaMinutes === undefined ? { kind: 'accept' as const } : { kind: 'accept' as const, etaMinutes });
  }
  return withCode({ kind: 'decline' as const });
}
