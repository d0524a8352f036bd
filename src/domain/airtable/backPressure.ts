// How the fleet's one Airtable writer keeps its backlog small enough to carry over a
// continue-as-new, which Temporal refuses above 2 MiB: past a bound the writer says it is full and
// the dispatches keep their rows (in their forwarding activity's input) until it is open again.
// Pure: the writer workflow decides with these, the forwarding activity waits with them.

const KiB = 1024;

/**
 * Pending rows (their JSON, UTF-8) above this: the writer turns full. Hundreds of rows, some 15 s
 * of writing at 40 rows/s; holding more buys nothing (the backlog waits in the dispatches just as
 * well) but a larger carry-over, and the server warns about any payload over 512 KiB.
 */
export const FULL_BYTES = 256 * KiB;
/** …and open again below this: half, so the state flips on real swings only, not row by row. */
export const OPEN_BYTES = FULL_BYTES / 2;
/**
 * The largest carry-over a continue-as-new may take: half Temporal's 2 MiB payload limit, which
 * leaves three quarters of a MiB above FULL_BYTES for rows that arrive while forwarders still see
 * the writer open (a second of cached describe, signals in flight).
 */
export const CARRY_BUDGET_BYTES = 1024 * KiB;

/** Hysteresis: full above FULL_BYTES, open below OPEN_BYTES, unchanged in between. */
export function writerFull(pendingBytes: number, wasFull: boolean): boolean {
  if (pendingBytes > FULL_BYTES) return true;
  if (pendingBytes < OPEN_BYTES) return false;
  return wasFull;
}

/** Whether a continue-as-new carrying this many bytes of rows can complete. */
export function mayCarryOver(pendingBytes: number): boolean {
  return pendingBytes <= CARRY_BUDGET_BYTES;
}

/**
 * How long a forward turned away waits in its activity slot, for the writer to open, before it
 * lets go: the forwards behind it meanwhile wait as tasks on the server, which costs nothing, where
 * each attempt costs the server and the worker a round trip. Half the forward's 10 s timeout.
 */
export const FORWARD_HOLD_MS = 5_000;

const RETRY_BASE_MS = 2_000;
const RETRY_CAP_MS = 60_000;

/**
 * How long a forward turned away by a full writer waits before it asks again: doubling from 2 s
 * per attempt up to a minute, so thousands of waiting dispatches ask a few hundred times a
 * minute rather than thousands of times; jittered by `random` in [0, 1) over the upper half of
 * that, so they do not all come back at once when the writer opens.
 */
export function forwardRetryDelayMs(attempt: number, random: number): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random / 2));
}

/**
 * UTF-8 length of a JSON text: what it weighs in a Temporal payload. A surrogate pair counts 6,
 * over the 4 it takes (JSON escapes a lone half in ASCII), so the count never falls short.
 */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}
