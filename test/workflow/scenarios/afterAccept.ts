// After the accept and the caller (spec sections 11 and 12) in simulated time, production timers
// (DEFAULT_ETA 60 min, ARRIVAL_GRACE 15 min, BUSY_FOR 4 h): ETA, ARRIVED and DONE; the arrival
// check-in and the managers' overdue alert on durable timers, once each, through worker restarts,
// started again by a new ETA; BUSY_FOR closing a job left open; the caller's texts; the fee; long
// summaries.
import { describe, expect, test } from 'vitest';
import { formatLocalClock, smsSegments } from '../../../src/domain/dispatch/messages';
import { alice, bob, CALLER, dave, PRODUCTION, simulationForTests, type Call } from '../support/simulation';

const sim = simulationForTests();

const MINUTE = 60_000;
/** "9:40 PM": a time as the business's clock shows it to the caller and the technician. */
const clockOf = (epochMs: number) => formatLocalClock(new Date(epochMs).toISOString(), PRODUCTION.businessHours.timeZone);

/** A call Alice and Bob are paged for; at 0:30 `tech` accepts (with an ETA when given). */
async function acceptedBy(tech: typeof alice, etaMinutes?: number, summary = 'Boiler out, no heat'): Promise<{ call: Call; acceptedAt: number }> {
  const call = await sim.call({ urgency: 'emergency', summary, address: '12 Elm St' });
  await call.at('0:30');
  expect((await call.accept(tech, 'sms', etaMinutes)).outcome).toBe('accepted');
  // Confirmed, and following the job: its first check-in is due.
  const state = await call.stateWhen('the job followed', (s) => s.status === 'ACCEPTED' && s.nextArrivalCheckAt !== undefined);
  await call.received(CALLER, 'CUSTOMER_NOTIFIED');
  return { call, acceptedAt: Date.parse(state.assigned!.acceptedAt) };
}

describe('ETA, ARRIVED and DONE', () => {
  test('YES with an ETA, a changed ETA, ARRIVED, DONE: the caller hears each ETA once as clock time and minutes; status, rows, search attribute and history follow', async () => {
    const { call, acceptedAt } = await acceptedBy(alice, 40);
    const code = call.code;
    const eta1 = clockOf(acceptedAt + 40 * MINUTE);
    const accepted = await call.state();
    expect(accepted.eta).toMatchObject({ minutes: 40, revision: 1, at: new Date(acceptedAt + 40 * MINUTE).toISOString() });
    // Check-in at the ETA plus the grace.
    expect(accepted.nextArrivalCheckAt).toBe(new Date(acceptedAt + 55 * MINUTE).toISOString());
    expect(call.texts({ to: CALLER }).map((t) => t.body)).toEqual([
      `Acme Plumbing: technician Alice has your call (ref ${code}) and will phone you shortly. Expected arrival ${eta1} (about 40 min).`,
    ]);

    await call.at('10:00');
    const changed = await call.eta(alice, 90);
    const eta2 = clockOf(Date.parse((await call.state()).eta!.setAt) + 90 * MINUTE);
    expect(changed).toEqual({ outcome: 'eta_set', message: `ETA for job ${code}: ${eta2} (90 min). The customer has been told. Reply ARRIVED ${code} when on site.` });
    const update = await call.received(CALLER, 'CUSTOMER_NOTIFIED', 2);
    expect(update.body).toBe(`Acme Plumbing: Alice expects to arrive at ${eta2}, in about 90 min (ref ${code}) (update 2).`);
    // Bob was paged, but the job is Alice's: his report changes nothing.
    expect(await call.arrived(bob)).toEqual({ outcome: 'unchanged', message: `Job ${code} is assigned to Alice, not you. Your reply was not recorded.` });

    await call.at('40:00');
    expect(await call.arrived(alice)).toEqual({ outcome: 'arrived', message: `Arrival at job ${code} recorded. Reply DONE ${code} when the job is finished.` });
    const onSite = await call.stateWhen('ON_SITE', (s) => s.status === 'ON_SITE');
    expect(await call.clock(onSite.arrivedAt!)).toBe('40:00');
    expect(onSite.nextArrivalCheckAt).toBeUndefined();
    expect(await call.seenByOps()).toEqual({ status: 'ON_SITE', technician: 'Alice', details: expect.stringContaining(`arrived ${clockOf(Date.parse(onSite.arrivedAt!))}`) });
    expect((await call.eta(alice, 5)).outcome).toBe('unchanged'); // already on site

    await call.at('1:10:00');
    expect(await call.done(alice)).toEqual({ outcome: 'completed', message: `Job ${code} marked complete. Thank you!` });
    const final = await call.finished();
    expect(final).toMatchObject({ status: 'COMPLETED', assigned: { name: 'Alice' }, eta: { minutes: 90, revision: 2 } });
    expect(await call.clock(final.completedAt!)).toBe('1:10:00');
    expect((await call.seenByOps()).status).toBe('COMPLETED');

    // One caller text per ETA, nothing else: no check-in, no alert (she arrived in time).
    expect(await call.timeline('0:30')).toEqual(['0:30 stand-down → Bob', '0:30 caller told → caller', '10:00 caller told → caller']);
    expect(call.callRow()).toMatchObject({
      status: 'COMPLETED',
      assignedTechnician: 'Alice',
      eta: final.eta!.at,
      arrivedAt: onSite.arrivedAt,
      completedAt: final.completedAt,
    });
    const rows = call.auditEvents().filter((e) => ['ETA_SET', 'ARRIVED', 'COMPLETED'].includes(e.eventType!));
    expect(rows.map((e) => [e.eventKey.slice(call.callId.length + 1), e.eventType, e.technician, e.detail])).toEqual([
      ['arrived', 'ARRIVED', 'Alice', 'via sms'],
      ['completed', 'COMPLETED', 'Alice', 'via sms'],
      ['eta/1', 'ETA_SET', 'Alice', `ETA ${eta1} (40 min)`],
      ['eta/2', 'ETA_SET', 'Alice', `ETA ${eta2} (90 min)`],
    ]);
    // The event history reads like the job: the ETAs, waiting for arrival, on site.
    const summaries = await call.historySummaries();
    expect(summaries).toEqual(
      expect.arrayContaining([
        `wait for arrival, ETA ${eta1}: check-in at ${clockOf(acceptedAt + 55 * MINUTE)}`,
        `SMS customer notified: caller (ETA ${eta2}, 90 min)`,
        `on site since ${clockOf(Date.parse(onSite.arrivedAt!))}: until DONE, or ${clockOf(acceptedAt + 4 * 60 * MINUTE)}`,
      ]),
    );
  });

  test('an accept without ETA asks for one; the ETA reply tells the caller once and sets the check-in from it', async () => {
    const call = await sim.call({ urgency: 'urgent', summary: 'No hot water' });
    await call.at('1:30');
    const answer = await call.accept(bob);
    expect(answer.message).toMatch(new RegExp(`Reply ETA ${call.code} <minutes> with your arrival time\\.$`));
    await call.received(CALLER, 'CUSTOMER_NOTIFIED');
    expect(call.texts({ to: CALLER })[0]!.body).not.toMatch(/arriv/i);
    const accepted = await call.stateWhen('the job followed', (s) => s.status === 'ACCEPTED' && s.nextArrivalCheckAt !== undefined);
    expect(accepted.eta).toBeUndefined();
    // DEFAULT_ETA after the accept, plus the grace.
    expect(accepted.nextArrivalCheckAt).toBe(new Date(Date.parse(accepted.assigned!.acceptedAt) + 75 * MINUTE).toISOString());
    expect((await call.seenByOps()).details).toContain('no ETA given');

    await call.at('3:30');
    expect((await call.eta(bob, 25)).outcome).toBe('eta_set');
    const told = await call.received(CALLER, 'CUSTOMER_NOTIFIED', 2);
    expect(told.body).toMatch(/Bob expects to arrive at \d{1,2}:\d{2} [AP]M, in about 25 min/);
    expect(told.body).not.toMatch(/update/);
    const withEta = await call.stateWhen('the ETA applied', (s) => s.eta?.revision === 1);
    expect(Date.parse(withEta.nextArrivalCheckAt!) - Date.parse(withEta.eta!.setAt)).toBe(40 * MINUTE);
    expect(call.texts({ to: CALLER })).toHaveLength(2);
    await call.complete(bob);
  });
});

describe('the arrival check-in and the overdue alert', () => {
  test('no ARRIVED: one check-in at DEFAULT_ETA + ARRIVAL_GRACE, one alert to tier 3 at twice the grace naming technician, job and caller; BUSY_FOR then closes it ACCEPTED', async () => {
    const { call, acceptedAt } = await acceptedBy(alice, undefined, 'Gas smell in the kitchen');
    const code = call.code;
    const final = await call.finished(); // the clock runs until the dispatch ends

    expect(await call.timeline('0:30')).toEqual([
      '0:30 stand-down → Bob',
      '0:30 caller told → caller',
      '1:15:30 check-in → Alice',
      '1:30:30 overdue alert → Dave',
    ]);
    const expected = clockOf(acceptedAt + 60 * MINUTE);
    expect(call.texts({ kind: 'CHECK_IN' })[0]!.body).toBe(
      `CHECK-IN: job ${code}, you were expected by ${expected}. Reply ARRIVED ${code} when on site, or ETA ${code} <minutes> with a new time.`,
    );
    expect(call.texts({ kind: 'OVERDUE_ALERT' })[0]!.body).toBe(`OVERDUE: Alice is not on site at job ${code} (ETA was ${expected}). Caller ${CALLER}: Gas smell in the kitchen.`);
    expect(call.texts({ to: dave.phone }).map((t) => t.kind)).toEqual(['OVERDUE_ALERT']);

    // BUSY_FOR (4 h) after the accept: closed with its status, nothing more sent.
    expect(final).toMatchObject({ status: 'ACCEPTED', assigned: { name: 'Alice' } });
    expect(final.nextArrivalCheckAt).toBeUndefined();
    expect(await call.clock((await call.handle.describe()).closeTime!.getTime())).toBe('4:00:30');
    expect(call.callRow().status).toBe('ACCEPTED');
    expect(call.auditEvents().filter((e) => e.eventType === 'CHECK_IN_SENT' || e.eventType === 'OVERDUE_ALERT').map((e) => [e.eventType, e.recipient, e.deliveryStatus])).toEqual([
      ['CHECK_IN_SENT', alice.phone, 'delivered'],
      ['OVERDUE_ALERT', dave.phone, 'delivered'],
    ]);
    expect(sim.outcomes.map((o) => o.status)).toEqual(['ACCEPTED']);
    expect((await call.seenByOps()).details).toMatch(/BUSY_FOR passed without DONE/);
  });

  test('the ETA given sets the clock: check-in at ETA + grace, alert at ETA + twice the grace', async () => {
    const { call } = await acceptedBy(bob, 20); // at 0:30: ETA 20:30
    await call.at('40:00');
    expect(await call.timeline('0:31')).toEqual(['35:30 check-in → Bob']);
    await call.at('1:30:00');
    expect(await call.timeline('0:31')).toEqual(['35:30 check-in → Bob', '50:30 overdue alert → Dave']);
    await call.complete(bob);
  });

  test('a new ETA after the check-in starts both again: no alert for the old ETA; the new one gets its own check-in and alert, once each', async () => {
    const { call } = await acceptedBy(alice);
    await call.at('1:20:00');
    expect((await call.eta(alice, 30)).outcome).toBe('eta_set');
    const state = await call.stateWhen('the new ETA', (s) => s.eta?.revision === 1);
    expect(await call.clock(state.nextArrivalCheckAt!)).toBe('2:05:00');

    await call.at('3:00:00');
    expect(await call.timeline('1:00:00')).toEqual([
      '1:15:30 check-in → Alice',
      '1:20:00 caller told → caller',
      '2:05:00 check-in → Alice',
      '2:20:00 overdue alert → Dave',
    ]);
    const newEta = clockOf(Date.parse(state.eta!.at));
    expect(call.texts({ kind: 'CHECK_IN' })[1]!.body).toMatch(new RegExp(`^CHECK-IN 2: job ${call.code}, you were expected by ${newEta}\\.`));
    expect(call.texts({ kind: 'OVERDUE_ALERT' })[0]!.body).toContain(`(ETA was ${newEta})`);
    await call.complete(alice);
  });

  test('a new ETA before the check-in moves it; ARRIVED stops both; BUSY_FOR closes the job left open ON_SITE', async () => {
    const { call } = await acceptedBy(alice, 20); // at 0:30: check-in due at 35:30
    await call.at('30:00');
    await call.eta(alice, 45); // check-in now due at 1:30:00
    await call.at('1:25:00');
    await call.arrived(alice);
    const final = await call.finished();
    expect(await call.timeline('0:31')).toEqual(['30:00 caller told → caller']);
    expect(final.status).toBe('ON_SITE');
    expect(await call.clock((await call.handle.describe()).closeTime!.getTime())).toBe('4:00:30');
    expect(call.callRow()).toMatchObject({ status: 'ON_SITE', arrivedAt: final.arrivedAt });
    expect(call.callRow().completedAt).toBeUndefined();
  });
});

describe("the caller's texts", () => {
  test('answered with where things stand, recorded, passed on with the accept and after it', async () => {
    const call = await sim.call({ urgency: 'emergency', summary: 'Ceiling leak' });
    await call.at('0:30');
    expect(await call.callerText('Water is now coming through the light fitting')).toBe(
      `Acme Plumbing (ref ${call.code}): we are reaching an on-call technician now. We will pass your message on to the technician who takes your call.`,
    );
    expect((await call.state()).callerMessages).toEqual([{ at: expect.any(String), text: 'Water is now coming through the light fitting' }]);
    expect(call.texts({ kind: 'CALLER_MESSAGE' })).toEqual([]);

    await call.at('1:30');
    await call.accept(bob, 'sms', 30);
    const first = await call.received(bob, 'CALLER_MESSAGE');
    expect(first.body).toBe(`Caller ${CALLER} (job ${call.code}, text 1): Water is now coming through the light fitting`);

    await call.at('5:30');
    const eta = clockOf(Date.parse((await call.state()).eta!.at));
    expect(await call.callerText('Gate code is 1234 😀')).toBe(
      `Acme Plumbing (ref ${call.code}): Bob has your call and expects to arrive at ${eta}. We passed your message on to Bob.`,
    );
    expect((await call.received(bob, 'CALLER_MESSAGE', 2)).body).toBe(`Caller ${CALLER} (job ${call.code}, text 2): Gate code is 1234 ?`);

    await call.at('20:00');
    await call.arrived(bob);
    await call.at('25:00');
    expect(await call.callerText('Dog is locked in the kitchen')).toMatch(/: Bob is on site\. We passed your message on to Bob\.$/);
    await call.received(bob, 'CALLER_MESSAGE', 3);

    const final = await call.complete(bob);
    expect(final.callerMessages?.map((m) => [m.text, m.forwardedTo])).toEqual([
      ['Water is now coming through the light fitting', 'Bob'],
      ['Gate code is 1234 😀', 'Bob'],
      ['Dog is locked in the kitchen', 'Bob'],
    ]);
    expect(call.texts({ to: alice.phone, kind: 'CALLER_MESSAGE' })).toEqual([]);
    const rows = call.auditEvents().filter((e) => e.eventType === 'CALLER_MESSAGE');
    // One row per text received (its words kept whole) and one per text passed on (its delivery).
    expect(rows.filter((e) => e.recipient === CALLER).map((e) => e.detail)).toEqual([
      'Water is now coming through the light fitting',
      'Gate code is 1234 😀',
      'Dog is locked in the kitchen',
    ]);
    expect(rows.filter((e) => e.recipient === bob.phone)).toHaveLength(3);
  });
});

describe('the after-hours fee and long summaries', () => {
  test.each([
    { feeAccepted: true, says: 'Fee agreed.', row: true },
    { feeAccepted: false, says: 'Fee NOT agreed.', row: false },
  ])('fee accepted $feeAccepted: pages say "$says", Fee Accepted on the Calls row, a FEE_ACCEPTED row only when agreed', async ({ feeAccepted, says, row }) => {
    const call = await sim.call({ urgency: 'emergency', summary: 'No heat', feeAccepted });
    const page = await call.received(alice, 'PAGE');
    expect(page.body).toBe(`EMERGENCY job ${call.code} for Acme Plumbing: No heat. ${says} Reply YES ${call.code} to accept, NO ${call.code} to decline`);
    await call.at('0:30');
    expect(call.callRow().feeAccepted).toBe(feeAccepted);
    expect(call.auditEvents().some((e) => e.eventType === 'FEE_ACCEPTED')).toBe(row);
    await call.cancel();
    await call.finished();
  });

  test('a summary of 5000 characters with emoji and accents: every text fits (GSM-7, at most two segments) and the page keeps its reply instruction; the full text stays in the state and the Calls row', async () => {
    const summary = `Chaudière en panne 🔥🚿 — Zoë says ${'the basement is flooding and the pump died. '.repeat(120)}`.slice(0, 5000);
    const call = await sim.call({ urgency: 'emergency', summary, address: `Apt 4°, 12 Rue de l'Église 🏠, ${'behind the blue gate, '.repeat(40)}` });
    const page = await call.received(alice, 'PAGE');
    expect(page.body).toMatch(new RegExp(`^EMERGENCY job ${call.code} for Acme Plumbing: Chaudière en panne \\?\\? - Zoe says the basement`));
    expect(page.body.endsWith(`Reply YES ${call.code} to accept, NO ${call.code} to decline`)).toBe(true);
    await call.at('0:30');
    const accepted = await call.accept(alice);
    await call.at('1:45');
    await call.callerText(summary);
    await call.received(alice, 'CALLER_MESSAGE');
    await call.at('3:30');
    await call.eta(alice, 40);
    await call.received(CALLER, 'CUSTOMER_NOTIFIED', 2);
    for (const body of [...call.texts().map((t) => t.body), accepted.message]) {
      expect(smsSegments(body)).toMatchObject({ encoding: 'GSM-7' });
      expect(smsSegments(body).segments).toBeLessThanOrEqual(2);
      expect(body.length).toBeLessThanOrEqual(1600);
    }
    expect((await call.state()).summary).toBe(summary);
    expect(call.callRow().summary).toBe(summary);
    await call.complete(alice);
  });
});

describe('through restarts', () => {
  // Its own worker that keeps no dispatch in memory: every step starts from the history, as on a
  // worker started after a crash or a deploy.
  const fresh = simulationForTests({ rebuiltEveryStep: true });

  test('durable timers, exactly once: rebuilt from its history at every step, the job still gets one check-in and one alert', async () => {
    const call = await fresh.call({ urgency: 'emergency', summary: 'Radiator burst' });
    await call.at('0:30');
    await call.accept(alice, 'sms', 20);
    await call.at('55:00');
    expect(await call.timeline('0:30')).toEqual(['0:30 stand-down → Bob', '0:30 caller told → caller', '35:30 check-in → Alice', '50:30 overdue alert → Dave']);
    // Nothing was even asked of Twilio twice.
    expect(fresh.twilio.repeatedSends).toEqual([]);
    expect((await call.complete(alice)).status).toBe('COMPLETED');
  });
});
