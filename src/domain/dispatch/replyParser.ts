// Reads a technician's SMS reply (spec section 4). Pure: runs in the workflow sandbox and the API.

export type ParsedReply =
  | { kind: 'accept' | 'decline'; code?: string }
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

const CODE_PATTERN = /^[A-Z0-9]{3,8}$/;

export function parseReply(body: string): ParsedReply {
  const words = body.trim().toUpperCase().split(/\s+/).filter((w) => w.length > 0);
  const [word, code, ...rest] = words;
  if (word !== undefined && ON_CALL_WORDS.has(word.replace(/[^A-Z]/g, ''))) return { kind: 'oncall' };
  if (word === undefined || rest.length > 0) return { kind: 'unknown' };

  const keyword = CARRIER_KEYWORDS[word];
  if (keyword) return code === undefined ? { kind: keyword } : { kind: 'unknown' };

  const decision = DECISION_WORDS[word];
  if (!decision) return { kind: 'unknown' };
  if (code === undefined) return { kind: decision };
  return CODE_PATTERN.test(code) ? { kind: decision, code } : { kind: 'unknown' };
}
