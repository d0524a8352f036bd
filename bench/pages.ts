// Dispatches through the product's HTTP API and the texts the Twilio stand-in stores for them: the
// time to each one's first page, at a fixed rate or as fast as the API takes them.
import { randomUUID } from 'node:crypto';
import type { EmulatedMessage } from '../emulators/twilio/messageStore';
import { ROSTER, type Stack } from '../test/support/stack';
import { waitFor } from '../test/support/wait';

const tier1 = ROSTER[0]!.phone;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A call id no other dispatch of this run has. */
export const newCallId = (prefix = 'CAb'): string => `${prefix}${randomUUID().replace(/-/g, '')}`;

/** Hands every message the Twilio stand-in stores to `seen` once, oldest first; returns the stop. */
export function watchMessages(stack: Stack, seen: (m: EmulatedMessage) => void, everyMs = 10): () => void {
  const known = new Set<string>();
  const timer = setInterval(() => {
    const fresh: EmulatedMessage[] = [];
    for (const m of stack.twilio.state.messages()) {
      if (known.has(m.sid)) break; // newest first: the rest are known
      known.add(m.sid);
      fresh.push(m);
    }
    for (const m of fresh.reverse()) seen(m);
  }, everyMs);
  return () => clearInterval(timer);
}

export interface PageWatcher {
  /** when the first tier-1 page of a reply code reached the Twilio stand-in (its own clock) */
  pagedAt(code: string): Promise<number>;
  stop(): void;
}

export function pageWatcher(stack: Stack, timeoutMs: number): PageWatcher {
  const firstPage = new Map<string, number>();
  const stop = watchMessages(stack, (m) => {
    if (m.to !== tier1) return;
    const code = /job (\S+)/.exec(m.body)?.[1];
    if (code && !firstPage.has(code)) firstPage.set(code, m.dateCreated.getTime());
  });
  return { pagedAt: (code) => waitFor(`first page of ${code}`, () => firstPage.get(code), timeoutMs, 10), stop };
}

/** Starts one emergency dispatch through the API; the time from the call to its first page, ms. */
export async function timeToFirstPage(stack: Stack, watcher: PageWatcher): Promise<number> {
  const t0 = Date.now();
  const { dispatch } = await stack.startDispatch({ callId: newCallId(), callerPhone: '+12125550192', urgency: 'emergency', summary: 'Bench call' });
  return (await watcher.pagedAt(dispatch.replyCode)) - t0;
}

/** Open loop: starts `total` dispatches at `perSecond` and times each one's first page. */
export async function firstPageAtRate(stack: Stack, watcher: PageWatcher, perSecond: number, total: number): Promise<{ latencies: number[]; achieved: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: total }, async (_, i) => {
      await sleep((i * 1000) / perSecond);
      latencies.push(await timeToFirstPage(stack, watcher));
    }),
  );
  return { latencies, achieved: total / ((performance.now() - started) / 1000) };
}

/**
 * Closed loop: `concurrency` dispatches in flight, each replaced once paged, until `count` or
 * `capMs`. The sustained rate is first pages per second over the run.
 */
export async function sustainedDispatches(
  stack: Stack,
  watcher: PageWatcher,
  opts: { count: number; concurrency: number; capMs: number },
): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = Date.now();
  const deadline = started + opts.capMs;
  let next = 0;
  let lastPage = started;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.count && Date.now() < deadline) {
        next++;
        latencies.push(await timeToFirstPage(stack, watcher));
        lastPage = Math.max(lastPage, Date.now());
      }
    }),
  );
  return { rate: latencies.length / ((lastPage - started) / 1000), latencies };
}
