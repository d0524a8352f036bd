// Injected misbehaviour: per phone (how Twilio treats that number) and global (how the API and
// callbacks behave). Counters are consumed by message creates only, so a retry's reconcile
// listing is never the request that gets the fault.

export type HttpFaultStatus = 500 | 503 | 429;
/** reset: store the message, then drop the connection unanswered; hang: never answer */
export type LostResponseMode = 'reset' | 'hang';

/**
 * reject: the create call answers 400 with the code (Twilio's synchronous 21xxx errors);
 * fail: accepted, then a `failed` callback with the code (30xxx errors Twilio reports late);
 * undeliverable: accepted and sent, then `undelivered` with the code.
 */
export interface PhoneBehaviour {
  kind: 'reject' | 'fail' | 'undeliverable';
  errorCode: number;
}

export interface CallbackMode {
  none: boolean;
  duplicate: boolean;
  outOfOrder: boolean;
}

export interface FaultSnapshot {
  phones: Record<string, PhoneBehaviour>;
  failNext: { remaining: number; status: HttpFaultStatus };
  loseResponseNext: { remaining: number; mode: LostResponseMode };
  callbacks: CallbackMode;
}

/** Twilio's 30xxx codes describe delivery and arrive in callbacks; all others answer the create. */
export function isDeliveryErrorCode(code: number): boolean {
  return code >= 30000 && code < 31000;
}

function countOf(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`count must be a non-negative integer, got ${n}`);
  return n;
}

export class Faults {
  private phones = new Map<string, PhoneBehaviour>();
  private failNextState = { remaining: 0, status: 503 as HttpFaultStatus };
  private loseNextState = { remaining: 0, mode: 'reset' as LostResponseMode };
  private callbackMode: CallbackMode = { none: false, duplicate: false, outOfOrder: false };

  failWith(phone: string, errorCode: number): void {
    this.phones.set(phone, { kind: isDeliveryErrorCode(errorCode) ? 'fail' : 'reject', errorCode });
  }

  undeliverable(phone: string, errorCode = 30003): void {
    this.phones.set(phone, { kind: 'undeliverable', errorCode });
  }

  clearPhone(phone: string): void {
    this.phones.delete(phone);
  }

  behaviourFor(phone: string): PhoneBehaviour | undefined {
    return this.phones.get(phone);
  }

  failNext(n: number, status: HttpFaultStatus = 503): void {
    this.failNextState = { remaining: countOf(n), status };
  }

  loseResponseNext(n: number, mode: LostResponseMode = 'reset'): void {
    this.loseNextState = { remaining: countOf(n), mode };
  }

  setCallbackMode(change: Partial<CallbackMode>): void {
    this.callbackMode = { ...this.callbackMode, ...change };
  }

  callbacks(): CallbackMode {
    return { ...this.callbackMode };
  }

  /** The HTTP failure the next create must answer with, if one is armed. */
  takeHttpFailure(): HttpFaultStatus | undefined {
    if (this.failNextState.remaining === 0) return undefined;
    this.failNextState.remaining -= 1;
    return this.failNextState.status;
  }

  /** How the next accepted create loses its response, if armed. */
  takeLostResponse(): LostResponseMode | undefined {
    if (this.loseNextState.remaining === 0) return undefined;
    this.loseNextState.remaining -= 1;
    return this.loseNextState.mode;
  }

  snapshot(): FaultSnapshot {
    return {
      phones: Object.fromEntries(this.phones),
      failNext: { ...this.failNextState },
      loseResponseNext: { ...this.loseNextState },
      callbacks: this.callbacks(),
    };
  }

  reset(): void {
    this.phones.clear();
    this.failNext(0);
    this.loseResponseNext(0);
    this.callbackMode = { none: false, duplicate: false, outOfOrder: false };
  }
}
