// Spec section 3, "SMS, exactly once", through the whole stack: a real Temporal dev server, the API
// and the workers as their own processes (killed with kill -9 by pid), and the Twilio stand-in
// injecting the failures. The emulator's copy count of every text to every recipient must be 1.
import { Client, Connection, decodePendingActivityState } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { EmulatedMessage } from '../../emulators/twilio';
import type { DevServer } from '../../src/temporal/devServer';
import type { DispatchState } from '../../src/domain/types';
import { ROSTER, Stack } from '../support/stack';
import { startTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';
import { checkTexts, logLines, Outbox } from './helpers/outbox';

const [alice, bob] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number]];
const tier1 = [alice.phone, bob.phone];
const callerPhone = '+12125550197';
const T1_MS = 20_000;
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The first page of a dispatch (not a follow-up), by its reply code. */
const pageOf = (code: string) => new RegExp(`^(?!FOLLOW-UP).*job ${escape(code)}\\b[\\s\\S]*Reply YES ${escape(code)} to accept`);
const followUpOf = (code: string) => new RegExp(`^FOLLOW-UP 2: .*job ${escape(code)}\\b`);
const standDownOf = (code: string, why: RegExp) => new RegExp(`^STAND DOWN: job ${escape(code)} ${why.source}`);

const RECONCILED = /already accepted by Twilio on an earlier attempt/;
const SEND_RETRY = /^Twilio send failed \(retry/;

describe('SMS exactly once', () => {
  let temporal: DevServer;
  let connection: Connection | undefined;
  let client: Client;
  beforeAll(async () => {
    temporal = await startTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await temporal?.stop();
  });

  /** Pending sends of a dispatch (a page is sent by pageTechnician, other texts by sendSms), as the Temporal server sees them. */
  async function pendingSends(callId: string) {
    const description = await client.workflow.getHandle(`dispatch-${callId}`).describe();
    return (description.raw.pendingActivities ?? [])
      .filter((a) => ['sendSms', 'pageTechnician'].includes(a.activityType?.name ?? ''))
      .map((a) => ({ state: decodePendingActivityState(a.state), attempt: a.attempt ?? 0, worker: a.lastWorkerIdentity ?? '' }));
  }

  describe('one worker', () => {
    let stack: Stack;
    let outbox: Outbox;
    beforeAll(async () => {
      stack = await Stack.start({ temporal, env: { DISPATCH_T1: `${T1_MS / 1000}s`, DISPATCH_T2: '60s' } });
      outbox = new Outbox(stack);
    });
    afterAll(async () => stack?.stop());
    const callIds: string[] = [];
    beforeEach(() => stack.twilio.state.faults.reset());
    afterEach(async ({ task }) => checkTexts(stack, client, outbox, callIds, task.result?.state === 'fail'));

    async function start(summary: string): Promise<{ callId: string; code: string; startedAt: number }> {
      const callId = newCallId();
      const startedAt = Date.now();
      callIds.push(callId);
      const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary });
      return { callId, code: dispatch.replyCode, startedAt };
    }

    /** The page of each tier-1 technician reached Twilio exactly once, and the dispatch knows its SID. */
    async function expectPagedOnce(callId: string, code: string, taken?: EmulatedMessage[]) {
      const pages = taken ?? [];
      if (!taken) for (const phone of tier1) pages.push(await outbox.expect(phone, pageOf(code)));
      // Every send has completed (a status callback alone also fills in the SID).
      await waitFor(`${callId}'s sends to complete`, async () => (await pendingSends(callId)).length === 0, 40_000, 100);
      const state = await waitFor(`${callId} to record both pages as sent`, async () => {
        const s = await stack.dispatch(callId);
        return tier1.every((p) => s.messages.find((m) => m.to === p && m.kind === 'PAGE')?.messageSid) ? s : undefined;
      }, 30_000, 100);
      for (const page of pages) {
        expect(outbox.copies(page), `copies of the page to ${page.to}`).toBe(1);
        expect(state.messages.find((m) => m.to === page.to && m.kind === 'PAGE')?.messageSid).toBe(page.sid);
      }
      return { pages, state };
    }

    async function cancel(callId: string, code: string) {
      expect((await stack.request('POST', `/api/dispatches/${callId}/cancel`)).status).toBe(202);
      for (const phone of tier1) await outbox.expect(phone, standDownOf(code, /was cancelled/));
      await stack.waitForStatus(callId, 'CANCELLED');
    }

    test("Twilio stores the page but the connection is reset before it answers: the retry finds the stored page instead of sending another", async () => {
      stack.twilio.state.loseResponseNext(1, 'reset');
      const { callId, code } = await start('Burst pipe in the basement');
      const { pages } = await expectPagedOnce(callId, code);
      expect(stack.twilio.state.faultSnapshot().loseResponseNext.remaining).toBe(0);

      // The lost answer was a retryable failure, and the next attempt reconciled with Twilio's list.
      const lost = logLines(stack.workers, callId, SEND_RETRY);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.httpStatus).toBeUndefined();
      const reconciled = logLines(stack.workers, callId, RECONCILED);
      expect(reconciled.map((l) => l.to)).toEqual([lost[0]!.to]);
      expect(reconciled[0]!.attempt).toBe(2);
      expect(reconciled[0]!.messageSid).toBe(pages.find((p) => p.to === lost[0]!.to)!.sid);
      await cancel(callId, code);
    });

    test("Twilio stores the page and never answers: the client times out, the retry reconciles, the page arrives once", async () => {
      stack.twilio.state.loseResponseNext(1, 'hang');
      const { callId, code } = await start('No heat, elderly resident');
      const { pages } = await expectPagedOnce(callId, code);
      const reconciled = logLines(stack.workers, callId, RECONCILED);
      expect(reconciled).toHaveLength(1);
      expect(reconciled[0]!.messageSid).toBe(pages.find((p) => p.to === reconciled[0]!.to)!.sid);
      await cancel(callId, code);
    });

    test.each([500, 503, 429] as const)(
      'the Messages API answers HTTP %i three times: the sends are retried with backoff and each page arrives once',
      async (httpStatus) => {
        stack.twilio.state.failNext(3, httpStatus);
        const { callId, code, startedAt } = await start(`Water heater leaking (${httpStatus})`);
        const { pages } = await expectPagedOnce(callId, code);
        expect(stack.twilio.state.faultSnapshot().failNext.remaining).toBe(0);

        const failures = logLines(stack.workers, callId, SEND_RETRY);
        expect(failures.map((f) => f.httpStatus)).toEqual([httpStatus, httpStatus, httpStatus]);
        // Three failures over two pages: one page failed twice, so its third attempt waited out
        // two backoffs (1 s, then 2 s) — a retry loop without backoff would have been done at once.
        const last = Math.max(...pages.map((p) => p.dateCreated.getTime()));
        expect(last - startedAt).toBeGreaterThanOrEqual(2_500);
        const byKey = new Map<string, number[]>();
        for (const f of failures) byKey.set(String(f.key), [...(byKey.get(String(f.key)) ?? []), f.time]);
        const twice = [...byKey.values()].find((times) => times.length === 2);
        expect(twice, 'one page failed twice').toBeDefined();
        expect(twice![1]! - twice![0]!).toBeGreaterThanOrEqual(800);
        await cancel(callId, code);
      },
    );

    // Last in this block: it replaces the worker.
    test('kill -9 of the worker while Twilio holds the answer to a page it already stored: a new worker reconciles, the page arrives once, the follow-up once at T1', async () => {
      stack.twilio.state.loseResponseNext(1, 'hang');
      const { callId, code } = await start('Sewage backing up into the kitchen');
      const firstPages = await Promise.all(tier1.map((phone) => outbox.expect(phone, pageOf(code))));
      const victim = stack.workers.find((w) => w.running)!;
      // Twilio has stored both pages; the worker is inside the one sendSms whose answer is held.
      const [held] = await waitFor('one sendSms attempt left, running on the worker', async () => {
        const sends = await pendingSends(callId);
        return sends.length === 1 && sends[0]!.state === 'STARTED' ? sends : undefined;
      });
      expect(held!.attempt).toBe(1);
      expect(held!.worker.startsWith(`${victim.pid}@`)).toBe(true);
      expect(stack.twilio.state.faultSnapshot().loseResponseNext.remaining).toBe(0);

      await victim.stop('SIGKILL');
      expect(victim.running).toBe(false);
      const replacement = await stack.startWorker();

      // The attempt times out on the server (start-to-close), the retry runs on the new worker
      // and finds the page Twilio already has.
      const reconciled = await waitFor('the new worker to reconcile the held page', () => {
        const lines = logLines([replacement], callId, RECONCILED);
        return lines.length ? lines : undefined;
      }, 40_000, 100);
      expect(reconciled).toHaveLength(1);
      expect(reconciled[0]!.attempt).toBeGreaterThanOrEqual(2);
      const heldPage = firstPages.find((p) => p.to === reconciled[0]!.to)!;
      expect(reconciled[0]!.messageSid).toBe(heldPage.sid);
      const { state } = await expectPagedOnce(callId, code, firstPages);
      expect(state.status).toBe('PAGING');

      // The dispatch goes on: one follow-up to each, T1 after the page.
      for (const page of firstPages) {
        const followUp = await outbox.expect(page.to, followUpOf(code), T1_MS + 20_000);
        const late = followUp.dateCreated.getTime() - page.dateCreated.getTime();
        expect(late).toBeGreaterThanOrEqual(T1_MS - 500);
        expect(late).toBeLessThan(T1_MS + 6_000);
        expect(outbox.copies(followUp)).toBe(1);
      }
      const after = await stack.dispatch(callId);
      for (const phone of tier1) {
        expect(after.messages.filter((m) => m.to === phone).map((m) => m.kind)).toEqual(['PAGE', 'FOLLOW_UP']);
      }
      await cancel(callId, code);
    });
  });

  describe('two workers, concurrent dispatches', () => {
    let stack: Stack;
    let outbox: Outbox;
    beforeAll(async () => {
      stack = await Stack.start({ temporal, workers: 2, env: { DISPATCH_T1: '60s', DISPATCH_T2: '60s' } });
      outbox = new Outbox(stack);
    });
    afterAll(async () => stack?.stop());
    const callIds: string[] = [];
    afterEach(async ({ task }) => checkTexts(stack, client, outbox, callIds, task.result?.state === 'fail'));

    test('six dispatches at once on two workers, with 503s and lost responses: every page, confirmation and stand-down arrives exactly once', async () => {
      const DISPATCHES = 6;
      expect(stack.workers.filter((w) => w.running)).toHaveLength(2);
      stack.twilio.state.failNext(2, 503);
      stack.twilio.state.loseResponseNext(3, 'reset');
      const calls = Array.from({ length: DISPATCHES }, (_, i) => ({ callId: newCallId(), callerPhone: `+1212555021${i}` }));
      callIds.push(...calls.map((c) => c.callId));
      const started = await Promise.all(
        calls.map(async (c, i) => {
          const { dispatch } = await stack.startDispatch({ ...c, urgency: 'emergency', summary: `Frozen pipe burst, unit ${i + 1}` });
          return { ...c, code: dispatch.replyCode };
        }),
      );
      expect(new Set(started.map((d) => d.code)).size).toBe(DISPATCHES);

      for (const d of started) for (const phone of tier1) await outbox.expect(phone, pageOf(d.code), 30_000);
      await waitFor('every injected fault to be used', () => {
        const f = stack.twilio.state.faultSnapshot();
        return f.failNext.remaining === 0 && f.loseResponseNext.remaining === 0;
      });

      // Alice takes every job; Bob is stood down and each caller told, once.
      for (const d of started) {
        const [answer] = await stack.phone(alice.phone).reply(`YES ${d.code}`);
        expect(answer).toContain(d.callerPhone);
      }
      const finals: DispatchState[] = [];
      for (const d of started) {
        await outbox.expect(d.callerPhone, /Alice/, 30_000);
        await outbox.expect(bob.phone, standDownOf(d.code, /has been taken by Alice/), 30_000);
        await stack.waitForStatus(d.callId, 'ACCEPTED');
        finals.push(
          await waitFor(`${d.callId} to record every send`, async () => {
            const s = await stack.dispatch(d.callId);
            return s.messages.every((m) => m.messageSid) ? s : undefined;
          }),
        );
      }

      const reconciled = started.flatMap((d) => logLines(stack.workers, d.callId, RECONCILED));
      expect(reconciled.length).toBeGreaterThanOrEqual(3); // one per lost response
      for (const line of reconciled) expect(stack.twilio.state.message(String(line.messageSid))?.to).toBe(line.to);
      expect(outbox.sent(alice.phone)).toHaveLength(DISPATCHES);
      expect(outbox.sent(bob.phone)).toHaveLength(2 * DISPATCHES);
      for (const d of started) expect(outbox.sent(d.callerPhone)).toHaveLength(1);
      for (const final of finals) {
        expect(final.assigned?.name).toBe(alice.name);
        // The dispatch's own record names the SMS Twilio holds, not a second one.
        for (const m of final.messages) {
          const stored = m.messageSid ? stack.twilio.state.message(m.messageSid) : undefined;
          expect(stored?.to, `${m.kind} to ${m.to}`).toBe(m.to);
        }
      }
      const perWorker = stack.workers.map((w) => w.output.filter((l) => l.includes('SMS accepted by Twilio')).length);
      console.info(`texts sent per worker: ${perWorker.join(', ')}`);
    });
  });
});
