// What the service sent through Twilio's Messages API, as the Twilio stand-in stored it, with the
// bookkeeping the exactly-once tests need: texts are awaited in any order (concurrent dispatches
// interleave), every text must have been expected by the test, and no recipient ever holds two
// copies of the same message.
import type { Client } from '@temporalio/client';
import type { EmulatedMessage } from '../../../emulators/twilio';
import type { RoleProcess } from '../../support/processes';
import type { Stack } from '../../support/stack';
import { waitFor } from '../../support/wait';

export class Outbox {
  private readonly expected = new Set<string>();
  private readonly reported = new Set<string>();
  private callbacksChecked = 0;

  constructor(private readonly stack: Stack) {}

  /** Texts sent through the Messages API (TwiML answers to replies excluded), oldest first. */
  sent(to?: string): EmulatedMessage[] {
    return this.stack.twilio.state
      .messages(to ? { to } : {})
      .filter((m) => m.direction === 'outbound-api')
      .reverse();
  }

  /** Waits for a text to `to` matching `pattern` that no earlier expect took, and takes it. */
  expect(to: string, pattern: RegExp, timeoutMs = 15_000): Promise<EmulatedMessage> {
    return waitFor(
      `${to} to receive ${pattern}`,
      () => {
        const message = this.sent(to).find((m) => !this.expected.has(m.sid) && pattern.test(m.body));
        if (message) this.expected.add(message.sid);
        return message;
      },
      timeoutMs,
      25,
    );
  }

  /** The emulator's copy count of this text to this recipient. */
  copies(message: Pick<EmulatedMessage, 'to' | 'body'>): number {
    return this.stack.twilio.state.copies(message.to, message.body);
  }

  /**
   * Every text ever sent reached its recipient exactly once (the emulator counts copies by
   * recipient and body). Each duplicate fails the test it appeared in, not every later one.
   */
  assertEachExactlyOnce(): void {
    const twice = new Set<string>();
    for (const m of this.sent()) {
      const copies = this.copies(m);
      const text = `${copies}× to ${m.to}: ${m.body}`;
      if (copies !== 1 && !this.reported.has(text)) twice.add(text);
    }
    for (const text of twice) this.reported.add(text);
    if (twice.size) throw new Error(`duplicate texts:\n${[...twice].join('\n')}`);
  }

  /** Twilio's status callbacks all reached the service and were answered 2xx (a non-2xx would be retried or lost). */
  assertCallbacksAnswered(): void {
    const records = this.stack.twilio.state.callbacks();
    const fresh = records.slice(this.callbacksChecked);
    this.callbacksChecked = records.length;
    const refused = fresh
      .filter((c) => c.responseStatus === undefined || c.responseStatus < 200 || c.responseStatus >= 300)
      .map((c) => `${c.status} of ${c.messageSid}: ${c.responseStatus ?? c.error}`);
    if (refused.length) throw new Error(`status callbacks not answered 2xx:\n${refused.join('\n')}`);
  }

  /** After a failed test: whatever its dispatches still sent is not the next test's business. */
  forgetAll(): void {
    for (const m of this.sent()) this.expected.add(m.sid);
  }

  /** Like a real phone: a text the test did not expect fails it. */
  assertNothingUnexpected(): void {
    const unexpected = this.sent()
      .filter((m) => !this.expected.has(m.sid))
      .map((m) => `to ${m.to}: ${m.body}`);
    if (unexpected.length) throw new Error(`unexpected texts:\n${unexpected.join('\n')}`);
  }
}

export interface LogLine {
  msg?: string;
  callId?: string;
  key?: string;
  to?: string;
  attempt?: number;
  messageSid?: string;
  httpStatus?: number;
  time: number;
  [field: string]: unknown;
}

/** A role process's JSON log lines about one call whose message matches `msg`. */
export function logLines(processes: RoleProcess[], callId: string, msg: RegExp): LogLine[] {
  const lines: LogLine[] = [];
  for (const p of processes) {
    for (const raw of p.output) {
      if (!raw.startsWith('{')) continue;
      try {
        const line = JSON.parse(raw) as LogLine;
        if (line.callId === callId && typeof line.msg === 'string' && msg.test(line.msg)) lines.push(line);
      } catch {
        // a line pino did not write
      }
    }
  }
  return lines;
}

/**
 * Cancels the dispatches a test left running (it failed half-way) and waits until they closed,
 * so their later texts cannot fail the next test. Returns how many were still running.
 */
export async function closeLeftovers(stack: Stack, client: Client, callIds: string[]): Promise<number> {
  let running = 0;
  for (const callId of callIds.splice(0)) {
    const handle = client.workflow.getHandle(`dispatch-${callId}`);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') continue;
    running += 1;
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await Promise.race([handle.result().catch(() => undefined), new Promise((r) => setTimeout(r, 60_000))]);
  }
  return running;
}

/**
 * The check after every test: each text ever sent arrived once, none the test did not expect, every
 * status callback answered 2xx. A failed test's dispatches are cancelled and closed first, so that
 * their later texts cannot fail the next test.
 */
export async function checkTexts(stack: Stack, client: Client, outbox: Outbox, callIds: string[], testFailed: boolean): Promise<void> {
  let ok = !testFailed;
  try {
    outbox.assertEachExactlyOnce();
    outbox.assertNothingUnexpected();
    outbox.assertCallbacksAnswered();
  } catch (err) {
    ok = false;
    throw err;
  } finally {
    if (ok) callIds.length = 0;
    else if (await closeLeftovers(stack, client, callIds)) outbox.forgetAll();
  }
}
