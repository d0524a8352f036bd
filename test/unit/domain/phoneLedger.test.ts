// One phone's ledger (spec section 10): codes unique among its jobs, the first page of a burst at
// once and the rest held for the window, withdrawn when their job closes, one wake-up call per
// window, busy until DONE or BUSY_FOR, where a reply belongs.
import { describe, expect, it } from 'vitest';
import {
  applyNotice,
  availability,
  CARRY_BUDGET,
  emptyLedger,
  fitForCarry,
  isIdle,
  mayRing,
  planPage,
  PLAN_KEPT_MS,
  PUBLISHED_CALLS,
  PUBLISHED_JOBS,
  prune,
  RECENT_JOB_MS,
  recordOf,
  takeDuePages,
  UNREACHABLE_FOR_MS,
  view,
  type PageRequest,
} from '../../../src/domain/phone/phoneLedger';
import { pageText } from '../../../src/domain/dispatch/messages';
import { replyCodeFor } from '../../../src/domain/dispatch/replyCode';
import { whomToPage } from '../../../src/domain/dispatch/sentMessages';

const PHONE = '+12125550101';
const request = (callId: string, over: Partial<PageRequest> = {}): PageRequest => ({
  key: `${callId}/r1s1/page/${PHONE}`,
  callId,
  phone: PHONE,
  name: 'Alice',
  jobCode: replyCodeFor(callId),
  kind: 'PAGE',
  page: { businessName: 'Acme', urgency: 'emergency', summary: `Job ${callId}`, attempt: 1, tier: 1 },
  bundleWindowMs: 10_000,
  ...over,
});

describe('a phone ledger', () => {
  it('sends the first page of a burst at once and holds the next ones until the window after it closes', () => {
    const ledger = emptyLedger(PHONE);
    expect(planPage(ledger, request('A'), 1_000)).toMatchObject({ held: false, sendAt: 1_000 });
    expect(planPage(ledger, request('B'), 2_000)).toMatchObject({ held: true, sendAt: 11_000 });
    expect(planPage(ledger, request('C'), 9_000)).toMatchObject({ held: true, sendAt: 11_000 });
    // A retried request gets the answer the first one got.
    expect(planPage(ledger, request('B'), 5_000)).toMatchObject({ held: true, sendAt: 11_000 });
    expect(takeDuePages(ledger, 10_999)).toEqual({ send: [], withdrawn: [] });
    expect(takeDuePages(ledger, 11_000).send.map((h) => h.request.callId)).toEqual(['B', 'C']);
    // After the window a page goes at once again.
    expect(planPage(ledger, request('D'), 30_000)).toMatchObject({ held: false });
    // With no window every page goes at once.
    expect(planPage(ledger, request('E', { bundleWindowMs: 0 }), 30_001)).toMatchObject({ held: false });
  });

  it('withdraws a held page whose job closed meanwhile', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('A'), 0);
    planPage(ledger, request('B'), 1);
    applyNotice(ledger, { callId: 'B', change: 'closed' }, 2);
    expect(takeDuePages(ledger, 10_000)).toMatchObject({ send: [], withdrawn: [{ request: { callId: 'B' } }] });
  });

  it('gives a job a longer code from its own call id when another of its jobs quotes the same one', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('A', { jobCode: 'KQPX' }), 0);
    const plan = planPage(ledger, request('B', { jobCode: 'KQPX' }), 60_000);
    expect(plan.replyCode).toBe(replyCodeFor('B', 5));
    expect(view(ledger, 60_000).jobs.map((j) => j.replyCode)).toEqual([replyCodeFor('B', 5), 'KQPX']);
  });

  it('is busy with an assigned job until it closes or BUSY_FOR passes; pages name that job', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('A'), 0);
    applyNotice(ledger, { callId: 'A', change: 'assigned', busyUntil: 100_000, summary: 'Job A' }, 1_000);
    expect(availability(ledger, 50_000).busyWith).toMatchObject({ callId: 'A', replyCode: replyCodeFor('A') });
    expect(planPage(ledger, request('B'), 50_000).busyWith).toEqual({ replyCode: replyCodeFor('A'), summary: 'Job A' });
    expect(view(ledger, 50_000).jobs.find((j) => j.callId === 'A')).toMatchObject({ inProgress: true, open: false });
    expect(availability(ledger, 100_000).busyWith).toBeUndefined();
    applyNotice(ledger, { callId: 'A', change: 'closed' }, 60_000);
    expect(availability(ledger, 60_000).busyWith).toBeUndefined();
  });

  it('rings at most once per window, and never for a job that no longer pages', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('A'), 0);
    planPage(ledger, request('B'), 0);
    expect(mayRing(ledger, { key: 'a1', callId: 'A', windowMs: 120_000, at: 120_000 })).toBe(true);
    // The same call asked again (a retried activity) keeps its answer.
    expect(mayRing(ledger, { key: 'a1', callId: 'A', windowMs: 120_000, at: 120_000 })).toBe(true);
    expect(mayRing(ledger, { key: 'b1', callId: 'B', windowMs: 120_000, at: 125_000 })).toBe(false);
    expect(mayRing(ledger, { key: 'b2', callId: 'B', windowMs: 120_000, at: 240_000 })).toBe(true);
    applyNotice(ledger, { callId: 'A', change: 'closed' }, 250_000);
    expect(mayRing(ledger, { key: 'a2', callId: 'A', windowMs: 120_000, at: 500_000 })).toBe(false);
  });

  it('answers a late reply for an hour after the job closed, then forgets it and may end', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('A'), 0);
    applyNotice(ledger, { callId: 'A', change: 'caller-open' }, 0);
    applyNotice(ledger, { callId: 'A', change: 'closed' }, 1_000);
    applyNotice(ledger, { callId: 'A', change: 'caller-closed' }, 1_000);
    expect(view(ledger, 1_000 + RECENT_JOB_MS - 1)).toEqual({ callerOf: [], jobs: [{ callId: 'A', replyCode: replyCodeFor('A'), open: false, inProgress: false }] });
    prune(ledger, 1_000 + RECENT_JOB_MS);
    expect(isIdle(ledger)).toBe(true);
  });

  it('forgets a page\'s plan once no retry can ask for it, keeping its job and code', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('A'), 0);
    prune(ledger, PLAN_KEPT_MS);
    expect(ledger.jobs[0]!.plans).not.toEqual({});
    prune(ledger, PLAN_KEPT_MS + 1);
    expect(ledger.jobs).toMatchObject([{ callId: 'A', replyCode: replyCodeFor('A'), plans: {} }]);
  });

  it('publishes a record that routes replies and tells busy or free as the ledger itself would, and survives JSON', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('A'), 0);
    planPage(ledger, request('B'), 1_000);
    applyNotice(ledger, { callId: 'A', change: 'assigned', busyUntil: 100_000, summary: 'Job A' }, 2_000);
    applyNotice(ledger, { callId: 'C', change: 'caller-open' }, 2_000);
    ledger.unreachable = { errorCode: 21610, since: 3_000 };
    const record = JSON.parse(JSON.stringify(recordOf(ledger)));
    for (const now of [50_000, 100_000, 1_000 + RECENT_JOB_MS, 3_000 + UNREACHABLE_FOR_MS]) {
      expect(view(record, now)).toEqual(view(ledger, now));
      expect(availability(record, now)).toEqual(availability(ledger, now));
    }
    // What readers need: no page plans, a summary only for the job it is busy with.
    expect(record.jobs).toEqual([
      { callId: 'A', replyCode: replyCodeFor('A'), state: 'assigned', since: 2_000, busyUntil: 100_000, summary: 'Job A' },
      { callId: 'B', replyCode: replyCodeFor('B'), state: 'paging', since: 1_000 },
    ]);
    expect(record.partial).toBeUndefined();
  });

  it('publishes every assigned job and the newest others only, and says when it left some out', () => {
    const ledger = emptyLedger(PHONE);
    planPage(ledger, request('BUSY'), 0);
    applyNotice(ledger, { callId: 'BUSY', change: 'assigned', busyUntil: 10_000_000 }, 0);
    for (let i = 1; i <= PUBLISHED_JOBS + 5; i++) planPage(ledger, request(`J${i}`), i);
    const record = recordOf(ledger);
    expect(record.partial).toBe(true);
    expect(record.jobs).toHaveLength(PUBLISHED_JOBS + 1);
    expect(record.jobs.map((j) => j.callId)).toContain('BUSY');
    expect(record.jobs.map((j) => j.callId)).not.toContain('J5');
    expect(record.jobs.map((j) => j.callId)).toContain('J6');
  });

  it('publishes a caller\'s newest open calls only, and says when it left some out', () => {
    const ledger = emptyLedger(PHONE);
    for (let i = 1; i <= PUBLISHED_CALLS + 1; i++) applyNotice(ledger, { callId: `C${i}`, change: 'caller-open' }, i);
    const record = recordOf(ledger);
    expect(record.callerOf).toEqual(view(ledger, 0).callerOf.slice(0, PUBLISHED_CALLS));
    expect(record.callerOf[0]).toBe(`C${PUBLISHED_CALLS + 1}`);
    expect(record.partial).toBe(true);
  });

  it('keeps no summary of the jobs paging it, and of a job its technician took what a busy page shows', () => {
    const ledger = emptyLedger(PHONE);
    const long = 'Water everywhere, the basement is flooding and the main valve will not close. '.repeat(60);
    planPage(ledger, request('A', { page: { ...request('A').page, summary: long } }), 0);
    expect(ledger.jobs[0]!.summary).toBeUndefined();
    applyNotice(ledger, { callId: 'A', change: 'assigned', busyUntil: 100_000, summary: long }, 1_000);
    const busyWith = planPage(ledger, request('B'), 2_000).busyWith!;
    expect(busyWith.summary.length).toBeLessThanOrEqual(40);
    expect(long.startsWith(busyWith.summary.replace(/\.\.\.$/, ''))).toBe(true);
    expect(pageText({ ...request('B').page, replyCode: 'KQPX', busyWith })).toBe(pageText({ ...request('B').page, replyCode: 'KQPX', busyWith: { ...busyWith, summary: long } }));
  });

  it('carries 10,000 open jobs over a continue-as-new, dropping the oldest page plans when they do not fit', () => {
    const ledger = emptyLedger(PHONE);
    const summary = 'A long description of the trouble at the house. '.repeat(100);
    for (let i = 0; i < 10_000; i++) planPage(ledger, request(`CA${String(i).padStart(32, '0')}`, { bundleWindowMs: 0, page: { ...request('A').page, summary } }), i * 50);
    expect(JSON.stringify(ledger).length).toBeGreaterThan(CARRY_BUDGET);
    expect(fitForCarry(ledger)).toBe(true);
    const carried = JSON.stringify(ledger).length;
    expect(carried).toBeLessThanOrEqual(CARRY_BUDGET);
    expect(ledger.jobs).toHaveLength(10_000);
    // The newest plans stay, so a retry of a page just asked gets its answer again.
    const newest = request(`CA${String(9_999).padStart(32, '0')}`, { bundleWindowMs: 0 });
    expect(ledger.jobs.at(-1)!.plans[newest.key]).toBeDefined();
    expect(ledger.jobs[0]!.plans).toEqual({});
    // Within the budget already: nothing is dropped.
    expect(fitForCarry(ledger)).toBe(true);
    expect(JSON.stringify(ledger).length).toBe(carried);
  });

  it('says when even without plans a ledger does not fit', () => {
    const ledger = emptyLedger(PHONE);
    for (let i = 0; i < 100; i++) planPage(ledger, request(`J${i}`), i);
    expect(fitForCarry(ledger, 1_000)).toBe(false);
    expect(ledger.jobs.every((j) => Object.keys(j.plans).length === 0)).toBe(true);
    expect(ledger.jobs).toHaveLength(100);
  });
});

describe('whom a step pages (spec section 10)', () => {
  const tech = (name: string, tier: 1 | 2 | 3, busy = false) => ({
    name,
    phone: `+1212555${name.length}${tier}${name.charCodeAt(0)}`,
    tier,
    active: true,
    ...(busy ? { busyWith: { callId: 'X', replyCode: 'KQPX', summary: 'Boiler' } } : {}),
  });
  const [alice, bob, carol, dave] = [tech('Alice', 1), tech('Bob', 1), tech('Carol', 2), tech('Dave', 3)];
  const busy = (t: ReturnType<typeof tech>) => ({ ...t, busyWith: { callId: 'X', replyCode: 'KQPX', summary: 'Boiler' } });
  it.each([
    ['the free ones of the tier', { 1: [busy(alice), bob], 2: [carol], 3: [dave] }, 1, ['Bob']],
    ['nobody when the tier is all busy and another tier has someone free', { 1: [busy(alice), busy(bob)], 2: [carol], 3: [dave] }, 1, []],
    ['the busy ones when no tier has anyone free', { 1: [busy(alice), busy(bob)], 2: [busy(carol)], 3: [busy(dave)] }, 1, ['Alice', 'Bob']],
    ['never a number Twilio refused for good', { 1: [{ ...alice, unreachable: { errorCode: 21610 } }, bob], 2: [], 3: [] }, 1, ['Bob']],
  ] as const)('%s', (_what, onCall, tier, expected) => {
    expect(whomToPage(onCall, tier, [], new Set()).map((t) => t.name)).toEqual(expected);
  });
});
