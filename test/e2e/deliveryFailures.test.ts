// Spec sections 2 and 3 on carrier failures, through the whole stack: pages Twilio refuses or the
// carrier cannot deliver escalate at once (T1 is 30 s here, so waiting it out would show), lost
// status callbacks are made up for by asking Twilio, and duplicate or out-of-order callbacks
// never move a status backwards. Every text sent reaches its recipient exactly once.
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DeliveryStatus, DispatchState, SentMessage } from '../../src/domain/types';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';
import { checkTexts, Outbox } from './helpers/outbox';

const [alice, bob, carol] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number], (typeof ROSTER)[number]];
const tier1 = [alice.phone, bob.phone];
const callerPhone = '+12125550196';
const T1_MS = 30_000;
const STATUS_CHECK_MS = 2_000;
/** "at once": far below T1, with room for a loaded 2-core machine */
const AT_ONCE_MS = 6_000;
const CALLBACK_DELAY_MS = 20; // Stack's default for the emulator

const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pageOf = (code: string) => new RegExp(`^(?!FOLLOW-UP).*job ${escape(code)}\\b[\\s\\S]*Reply YES ${escape(code)} to accept`);
const RANK: Record<DeliveryStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3 };

describe('carrier failures and delivery status', () => {
  let stack: Stack;
  let outbox: Outbox;
  let connection: Connection | undefined;
  let client: Client;
  const callIds: string[] = [];

  beforeAll(async () => {
    stack = await Stack.start({
      env: { DISPATCH_T1: `${T1_MS / 1000}s`, DISPATCH_T2: '30s', DISPATCH_STATUS_CHECK: `${STATUS_CHECK_MS / 1000}s` },
    });
    outbox = new Outbox(stack);
    connection = await Connection.connect({ address: stack.temporal.address });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
  });
  beforeEach(() => {
    stack.twilio.state.faults.reset();
    stack.twilio.state.config.callbackDelayMs = CALLBACK_DELAY_MS;
  });
  afterEach(async ({ task }) => checkTexts(stack, client, outbox, callIds, task.result?.state === 'fail'));

  async function start(summary: string) {
    const callId = newCallId();
    callIds.push(callId);
    const startedAt = Date.now();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary });
    return { callId, code: dispatch.replyCode, startedAt };
  }

  const pageTo = (state: DispatchState, phone: string, kind: SentMessage['kind'] = 'PAGE') =>
    state.messages.find((m) => m.to === phone && m.kind === kind);

  /** The API's view of the dispatch once `ready` holds for it. */
  function stateWhen(callId: string, what: string, ready: (s: DispatchState) => boolean, timeoutMs = 15_000) {
    return waitFor(`${callId}: ${what}`, async () => {
      const s = await stack.dispatch(callId);
      return ready(s) ? s : undefined;
    }, timeoutMs, 100);
  }

  /** The audit row of one message, once the audit trail has caught up with `fields`. */
  function auditRow(key: string, fields: Record<string, unknown>) {
    return waitFor(`the Dispatch Events row ${key} to show ${JSON.stringify(fields)}`, () =>
      stack.airtable.state
        .records('Dispatch Events')
        .find((r) => r.fields['Event Key'] === key && Object.entries(fields).every(([k, v]) => r.fields[k] === v)),
    20_000, 100);
  }

  /**
   * Escalating "at once" past a technician the page cannot reach means past their follow-up too:
   * a follow-up to a number that just came back opted out, landline or unreachable only costs
   * another send (and, without callbacks, another status check) before tier 2 hears of the job.
   */
  function expectNoFollowUpTo(state: DispatchState, phones: string[]) {
    for (const phone of phones) expect(state.messages.filter((m) => m.to === phone).map((m) => m.kind), phone).toEqual(['PAGE']);
  }

  /** Carol (tier 2) accepts; the caller hears her name; nobody unreachable is texted a stand-down. */
  async function carolAccepts(callId: string, code: string) {
    const [answer] = await stack.phone(carol.phone).reply(`YES ${code}`);
    expect(answer).toContain(callerPhone);
    await outbox.expect(callerPhone, /Carol/);
    const final = await stack.waitForStatus(callId, 'ACCEPTED');
    expect(final.assigned?.name).toBe(carol.name);
    return final;
  }

  describe('a page that cannot reach its technician escalates at once', () => {
    test('Twilio refuses every tier-1 page (21610 opted out, 21614 not a mobile): tier 2 is paged within seconds; state, API and audit show failed with the code', async () => {
      stack.twilio.state.failWith(alice.phone, 21610);
      stack.twilio.state.failWith(bob.phone, 21614);
      const { callId, code, startedAt } = await start('Burst pipe, water everywhere');

      const tier2 = await outbox.expect(carol.phone, pageOf(code), AT_ONCE_MS + 2_000);
      expect(tier2.dateCreated.getTime() - startedAt).toBeLessThan(AT_ONCE_MS);
      // Refused before sending: no copy exists anywhere.
      for (const phone of tier1) expect(outbox.sent(phone).filter((m) => m.body.includes(code))).toEqual([]);

      const state = await stack.dispatch(callId); // GET /api/dispatches/:callId
      expect(pageTo(state, alice.phone)).toMatchObject({ status: 'failed', errorCode: 21610 });
      expect(pageTo(state, bob.phone)).toMatchObject({ status: 'failed', errorCode: 21614 });
      expect(pageTo(state, carol.phone)?.status).not.toMatch(/failed|undelivered/);
      expect(state.status).toBe('PAGING');
      expect(state.step).toMatch(/tier 2/);
      expectNoFollowUpTo(state, tier1);
      const row = await auditRow(pageTo(state, alice.phone)!.key, { 'Event Type': 'SEND_FAILED', 'Error Code': '21610', 'Delivery Status': 'failed' });
      expect(row.fields.Recipient).toBe(alice.phone);

      await carolAccepts(callId, code);
    });

    test('the carrier reports every tier-1 page undelivered (30003 unreachable handset, 30006 landline): tier 2 is paged within seconds; state and API show undelivered with the code', async () => {
      stack.twilio.state.undeliverable(alice.phone, 30003);
      stack.twilio.state.undeliverable(bob.phone, 30006);
      const { callId, code, startedAt } = await start('No heat, infant at home');
      const pages = [await outbox.expect(alice.phone, pageOf(code)), await outbox.expect(bob.phone, pageOf(code))];

      const tier2 = await outbox.expect(carol.phone, pageOf(code), AT_ONCE_MS + 2_000);
      expect(tier2.dateCreated.getTime() - startedAt).toBeLessThan(AT_ONCE_MS);
      for (const page of pages) {
        expect(outbox.copies(page)).toBe(1);
        expect(stack.twilio.state.message(page.sid)?.status).toBe('undelivered');
      }

      const state = await stateWhen(callId, 'tier 2 paged', (s) => Boolean(pageTo(s, carol.phone)));
      expect(pageTo(state, alice.phone)).toMatchObject({ status: 'undelivered', errorCode: 30003, messageSid: pages[0]!.sid });
      expect(pageTo(state, bob.phone)).toMatchObject({ status: 'undelivered', errorCode: 30006, messageSid: pages[1]!.sid });
      expect(state.step).toMatch(/tier 2/);
      expectNoFollowUpTo(state, tier1);
      await auditRow(pageTo(state, alice.phone)!.key, { 'Delivery Status': 'undelivered', 'Error Code': '30003' });

      await carolAccepts(callId, code);
    });

    test('only one tier-1 page fails: the other technician can still answer, so nobody else is paged before T1', async () => {
      stack.twilio.state.failWith(alice.phone, 21610);
      const { callId, code } = await start('Gas smell near the boiler');
      await outbox.expect(bob.phone, pageOf(code));
      await stateWhen(callId, "Alice's page failed", (s) => pageTo(s, alice.phone)?.status === 'failed');
      // Well past the time an escalation took above, nothing else went out.
      await new Promise((r) => setTimeout(r, AT_ONCE_MS));
      outbox.assertNothingUnexpected();
      const state = await stack.dispatch(callId);
      expect(state.step).toMatch(/tier 1 page/);
      expect(pageTo(state, carol.phone)).toBeUndefined();

      const [answer] = await stack.phone(bob.phone).reply(`YES ${code}`);
      expect(answer).toContain(callerPhone);
      await outbox.expect(callerPhone, /Bob/);
      await stack.waitForStatus(callId, 'ACCEPTED');
    });
  });

  describe('no status callback arrives', () => {
    test(`the workflow asks Twilio after DISPATCH_STATUS_CHECK (${STATUS_CHECK_MS / 1000}s): the page shows delivered`, async () => {
      stack.twilio.state.noCallbacks(true);
      const { callId, code } = await start('Water heater leaking');
      const pages = [await outbox.expect(alice.phone, pageOf(code)), await outbox.expect(bob.phone, pageOf(code))];
      // Twilio delivered them at once; nobody told the service.
      await waitFor('the emulator to deliver both pages', () => pages.every((p) => stack.twilio.state.message(p.sid)?.status === 'delivered'));
      const early = await stack.dispatch(callId);
      for (const phone of tier1) expect(pageTo(early, phone)?.status).toBe('queued');

      const state = await stateWhen(callId, 'both pages delivered', (s) => tier1.every((p) => pageTo(s, p)?.status === 'delivered'), STATUS_CHECK_MS + 10_000);
      const learnedAfter = Date.now() - Math.max(...pages.map((p) => p.dateCreated.getTime()));
      expect(learnedAfter).toBeGreaterThanOrEqual(STATUS_CHECK_MS - 500);
      for (const page of pages) expect(pageTo(state, page.to)?.messageSid).toBe(page.sid);
      const sids = new Set(pages.map((p) => p.sid));
      expect(stack.twilio.state.callbacks().filter((c) => sids.has(c.messageSid))).toEqual([]);

      expect((await stack.request('POST', `/api/dispatches/${callId}/cancel`)).status).toBe(202);
      for (const phone of tier1) await outbox.expect(phone, /^STAND DOWN: .*cancelled/);
      await stack.waitForStatus(callId, 'CANCELLED');
    });

    test('the workflow asks Twilio and learns every tier-1 page went undelivered: tier 2 is paged at once after the check', async () => {
      stack.twilio.state.noCallbacks(true);
      stack.twilio.state.undeliverable(alice.phone, 30003);
      stack.twilio.state.undeliverable(bob.phone, 30003);
      const { callId, code, startedAt } = await start('Flooded kitchen');
      const pages = [await outbox.expect(alice.phone, pageOf(code)), await outbox.expect(bob.phone, pageOf(code))];

      const tier2 = await outbox.expect(carol.phone, pageOf(code), 3 * STATUS_CHECK_MS + AT_ONCE_MS);
      const escalatedAfter = tier2.dateCreated.getTime() - startedAt;
      expect(escalatedAfter).toBeGreaterThanOrEqual(STATUS_CHECK_MS - 500);
      expect(escalatedAfter).toBeLessThan(T1_MS / 2);
      const state = await stateWhen(callId, 'tier 2 paged', (s) => Boolean(pageTo(s, carol.phone)));
      expect(pageTo(state, alice.phone)).toMatchObject({ status: 'undelivered', errorCode: 30003, messageSid: pages[0]!.sid });
      expect(pageTo(state, bob.phone)).toMatchObject({ status: 'undelivered', errorCode: 30003, messageSid: pages[1]!.sid });
      expect(stack.twilio.state.callbacks().filter((c) => pages.some((p) => p.sid === c.messageSid))).toEqual([]);
      expectNoFollowUpTo(state, tier1);

      await carolAccepts(callId, code);
    });
  });

  describe('duplicate and out-of-order callbacks', () => {
    /** Polls the API while the callbacks run; returns each page's statuses in the order seen. */
    async function watchStatuses(callId: string, sids: string[], callbacksPerMessage: number) {
      const seen = new Map<string, DeliveryStatus[]>();
      let pollsAfterLastCallback = 0;
      const deadline = Date.now() + 20_000;
      while (pollsAfterLastCallback < 3) {
        if (Date.now() > deadline) throw new Error(`callbacks did not finish: ${JSON.stringify(stack.twilio.state.callbacks())}`);
        const allAnswered = sids.every(
          (sid) => stack.twilio.state.callbacks().filter((c) => c.messageSid === sid && c.responseStatus !== undefined).length >= callbacksPerMessage,
        );
        const state = await stack.dispatch(callId);
        for (const m of state.messages) {
          if (!m.messageSid || !sids.includes(m.messageSid)) continue;
          const statuses = seen.get(m.messageSid) ?? [];
          if (statuses.at(-1) !== m.status) statuses.push(m.status);
          seen.set(m.messageSid, statuses);
        }
        if (allAnswered) pollsAfterLastCallback += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
      return seen;
    }

    function expectMonotonic(statuses: DeliveryStatus[]) {
      for (let i = 1; i < statuses.length; i++) expect(RANK[statuses[i]!], statuses.join(' → ')).toBeGreaterThan(RANK[statuses[i - 1]!]);
    }

    test('every callback twice and "sent" after "delivered": the page ends delivered, never moves back, and every callback was answered 2xx', async () => {
      stack.twilio.state.config.callbackDelayMs = 300; // slow enough to poll between callbacks
      stack.twilio.state.duplicateCallbacks(true);
      stack.twilio.state.outOfOrderCallbacks(true);
      const { callId, code } = await start('Sewage backing up');
      const pages = [await outbox.expect(alice.phone, pageOf(code)), await outbox.expect(bob.phone, pageOf(code))];
      const sids = pages.map((p) => p.sid);

      const seen = await watchStatuses(callId, sids, 4);
      for (const sid of sids) {
        const statuses = seen.get(sid) ?? [];
        expectMonotonic(statuses);
        // Seen before the first callback, and still delivered after the late "sent" ones.
        expect(statuses).toEqual(['queued', 'delivered']);
        const callbacks = stack.twilio.state.callbacks().filter((c) => c.messageSid === sid);
        expect(callbacks.map((c) => c.status)).toEqual(['delivered', 'delivered', 'sent', 'sent']);
        for (const c of callbacks) {
          expect(c.error).toBeUndefined();
          expect(c.responseStatus).toBeGreaterThanOrEqual(200);
          expect(c.responseStatus).toBeLessThan(300);
        }
      }
      const state = await stack.dispatch(callId);
      expect(tier1.map((p) => pageTo(state, p)?.status)).toEqual(['delivered', 'delivered']);
      await auditRow(pageTo(state, alice.phone)!.key, { 'Delivery Status': 'delivered' });

      stack.twilio.state.config.callbackDelayMs = CALLBACK_DELAY_MS;
      expect((await stack.request('POST', `/api/dispatches/${callId}/cancel`)).status).toBe(202);
      for (const phone of tier1) await outbox.expect(phone, /^STAND DOWN: .*cancelled/);
      await stack.waitForStatus(callId, 'CANCELLED');
    });

    test('"undelivered" twice for every tier-1 page, "sent" late: tier 2 is paged exactly once and the pages stay undelivered', async () => {
      stack.twilio.state.duplicateCallbacks(true);
      stack.twilio.state.outOfOrderCallbacks(true);
      stack.twilio.state.undeliverable(alice.phone, 30003);
      stack.twilio.state.undeliverable(bob.phone, 30003);
      const { callId, code, startedAt } = await start('Boiler out, freezing');
      const pages = [await outbox.expect(alice.phone, pageOf(code)), await outbox.expect(bob.phone, pageOf(code))];
      const tier2 = await outbox.expect(carol.phone, pageOf(code), AT_ONCE_MS + 2_000);
      expect(tier2.dateCreated.getTime() - startedAt).toBeLessThan(AT_ONCE_MS);

      const seen = await watchStatuses(callId, pages.map((p) => p.sid), 4);
      for (const page of pages) {
        expectMonotonic(seen.get(page.sid) ?? []);
        const callbacks = stack.twilio.state.callbacks().filter((c) => c.messageSid === page.sid);
        expect(callbacks.map((c) => c.status)).toEqual(['undelivered', 'undelivered', 'sent', 'sent']);
        for (const c of callbacks) expect(c.responseStatus).toBe(204);
      }
      const state = await stack.dispatch(callId);
      expect(tier1.map((p) => pageTo(state, p)?.status)).toEqual(['undelivered', 'undelivered']);
      expect(state.messages.filter((m) => m.to === carol.phone)).toHaveLength(1);
      expectNoFollowUpTo(state, tier1);
      expect(outbox.copies(tier2)).toBe(1);

      await carolAccepts(callId, code);
    });
  });
});
