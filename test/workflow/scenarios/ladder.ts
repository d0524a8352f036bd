// The escalation ladder of spec section 2 in simulated time, with production timers: emergencies
// T1 2 min and T2 5 min (follow-ups ring every T1), urgent calls 5 and 10 min, two rounds, then
// UNANSWERED with accepts still counting for a 30-minute grace period; a cancel ends it at any
// point; a routine call sleeps until the office opens and then runs it like an urgent call.
import { describe, expect, test } from 'vitest';
import { nextOpening } from '../../../src/domain/dispatch/businessHours';
import { alice, bob, CALLER, carol, dave, PRODUCTION, simulationForTests, wallClock } from '../support/simulation';

const sim = simulationForTests();

test('the timers are the production defaults', () => {
  expect(PRODUCTION.timers).toMatchObject({
    emergency: { t1Ms: 2 * 60_000, t2Ms: 5 * 60_000 },
    urgent: { t1Ms: 5 * 60_000, t2Ms: 10 * 60_000 },
    maxRounds: 2,
    graceMs: 30 * 60_000,
    statusCheckMs: 60_000,
    voiceFollowUp: true,
  });
});

describe('nobody answers', () => {
  test('emergency: tier 1 paged, followed up and rung at T1 (again every T1), tier 2 and tier 3 T2 apart, a second round, then UNANSWERED', async () => {
    const call = await sim.call({ urgency: 'emergency', summary: 'No heat, infant at home' });
    const final = await call.finished();

    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '2:00 follow-up → Alice',
      '2:00 ring → Alice',
      '2:00 follow-up → Bob',
      '2:00 ring → Bob',
      '4:00 ring → Alice',
      '4:00 ring → Bob',
      '6:00 ring → Alice',
      '6:00 ring → Bob',
      '7:00 page → Carol',
      '12:00 page → Dave',
      // round 2: everyone again, counting attempts on
      '17:00 follow-up → Alice',
      '17:00 follow-up → Bob',
      '19:00 follow-up → Alice',
      '19:00 ring → Alice',
      '19:00 follow-up → Bob',
      '19:00 ring → Bob',
      '21:00 ring → Alice',
      '21:00 ring → Bob',
      '23:00 ring → Alice',
      '23:00 ring → Bob',
      '24:00 follow-up → Carol',
      '29:00 follow-up → Dave',
      '34:00 alert → Dave',
      '34:00 caller told → caller',
    ]);
    const [page, ...followUps] = call.texts({ to: alice.phone });
    expect(page!.body).toMatch(new RegExp(`^EMERGENCY job ${call.code} for Acme Plumbing: No heat, infant at home. Reply YES ${call.code} to accept, NO ${call.code} to decline$`));
    expect(followUps.map((t) => t.body.slice(0, 12))).toEqual(['FOLLOW-UP 2:', 'FOLLOW-UP 3:', 'FOLLOW-UP 4:']);
    expect(call.texts({ to: carol.phone })[0]!.body).toMatch(/\(backup\)/);
    expect(call.texts({ to: CALLER })[0]!.body).toMatch(/not reached a technician .* call 911/);
    expect(call.texts({ to: dave.phone, kind: 'ALERT' })[0]!.body).toMatch(new RegExp(`job ${call.code} is UNANSWERED.*Caller \\${CALLER}: No heat`));

    expect(final).toMatchObject({ status: 'UNANSWERED', round: 2, declined: [] });
    expect(final.assigned).toBeUndefined();
    expect(sim.outcomes).toEqual([{ urgency: 'emergency', status: 'UNANSWERED' }]);
    // Accepts count for the grace period after UNANSWERED; then the dispatch closes.
    const { closeTime } = await call.handle.describe();
    expect(await call.clock(closeTime!.getTime())).toBe('1:04:00');
  });

  test('urgent: the same ladder on 5 and 10 minutes, by text only', async () => {
    const call = await sim.call({ urgency: 'urgent', summary: 'Water heater leaking' });
    const final = await call.finished();
    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '5:00 follow-up → Alice',
      '5:00 follow-up → Bob',
      '15:00 page → Carol',
      '25:00 page → Dave',
      '35:00 follow-up → Alice',
      '35:00 follow-up → Bob',
      '40:00 follow-up → Alice',
      '40:00 follow-up → Bob',
      '50:00 follow-up → Carol',
      '1:00:00 follow-up → Dave',
      '1:10:00 alert → Dave',
      '1:10:00 caller told → caller',
    ]);
    expect(call.texts({ to: alice.phone })[0]!.body).toMatch(/^URGENT job/);
    expect(final.status).toBe('UNANSWERED');
    expect(final.calls).toEqual([]);
  });

  test('inactive technicians are never paged, and a tier with nobody on it is skipped at once', async () => {
    sim.roster = [alice, bob, dave, { ...carol, active: false }];
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('7:30');
    await call.received(dave, 'PAGE');
    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '2:00 follow-up → Alice',
      '2:00 ring → Alice',
      '2:00 follow-up → Bob',
      '2:00 ring → Bob',
      '4:00 ring → Alice',
      '4:00 ring → Bob',
      '6:00 ring → Alice',
      '6:00 ring → Bob',
      // no tier 2 on duty: tier 3 at once
      '7:00 page → Dave',
    ]);
    const skipped = call.auditEvents().find((e) => e.eventType === 'ESCALATED' && /tier 2 page/.test(e.detail ?? ''));
    expect(skipped?.detail).toMatch(/nobody on tier 2 left to page.*skipped/);
  });
});

describe('the grace period after UNANSWERED', () => {
  test('a late YES within the grace period still takes the job: the caller is told, everyone else paged stands down', async () => {
    const call = await sim.call({ urgency: 'emergency', summary: 'Burst pipe' });
    await call.at('34:30');
    await call.received(CALLER, 'CUSTOMER_NOTIFIED');
    expect((await call.state()).status).toBe('UNANSWERED');

    await call.at('1:03:30');
    const answer = await call.accept(carol);
    expect(answer).toMatchObject({ outcome: 'accepted' });
    expect(answer.message).toContain(CALLER);
    const final = await call.complete(carol);

    expect(await call.timeline('34:00')).toEqual([
      '34:00 alert → Dave',
      '34:00 caller told → caller',
      '1:03:30 stand-down → Alice',
      '1:03:30 stand-down → Bob',
      '1:03:30 stand-down → Dave',
      '1:03:30 caller told → caller',
    ]);
    expect(call.texts({ to: CALLER, kind: 'CUSTOMER_NOTIFIED' })[1]!.body).toMatch(/technician Carol has your call/);
    expect(call.texts({ kind: 'STAND_DOWN' })[0]!.body).toBe(`STAND DOWN: job ${call.code} has been taken by Carol. No action needed, thank you.`);
    expect(final.status).toBe('COMPLETED');
    expect(final.assigned).toMatchObject({ name: 'Carol', phone: carol.phone });
    expect(await call.clock(final.assigned!.acceptedAt)).toBe('1:03:30');
    expect(sim.outcomes).toEqual([
      { urgency: 'emergency', status: 'UNANSWERED' },
      { urgency: 'emergency', status: 'ACCEPTED', secondsToAccept: expect.closeTo(63 * 60 + 30, 0) },
    ]);
  });

  test('after the grace period a YES is refused as closed and changes nothing', async () => {
    // Dave's alert never gets a final status, so the dispatch lingers a minute after the grace
    // period asking Twilio: a reply then is answered by the dispatch itself.
    sim.twilio.neverConfirmed(dave.phone);
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('34:30');
    await call.received(dave, 'ALERT');

    await call.at('1:04:30');
    expect(await call.accept(carol)).toEqual({ outcome: 'closed', message: `Job ${call.code} is closed. Your reply was not recorded.` });
    const final = await call.finished();
    expect(final.status).toBe('UNANSWERED');
    expect(final.assigned).toBeUndefined();
    expect(await call.timeline('34:01')).toEqual([]);
    // Closed for good: a later reply finds the dispatch finished (the API answers from its final state).
    await expect(call.accept(carol)).rejects.toThrow();
  });
});

describe('cancel', () => {
  test('ops cancel while tier 2 is paged: everyone paged stands down, and nothing fires after', async () => {
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('8:30');
    await call.cancel();
    const final = await call.finished();

    expect(await call.timeline('7:00')).toEqual([
      '7:00 page → Carol',
      '8:30 stand-down → Alice',
      '8:30 stand-down → Bob',
      '8:30 stand-down → Carol',
    ]);
    expect(call.texts({ kind: 'STAND_DOWN' })[0]!.body).toBe(`STAND DOWN: job ${call.code} was cancelled. No action needed, thank you.`);
    expect(final).toMatchObject({ status: 'CANCELLED', round: 1 });
    expect(final.assigned).toBeUndefined();
    expect(final.step).toBeUndefined();
    expect(final.nextEscalationAt).toBeUndefined();
    expect(sim.outcomes).toEqual([{ urgency: 'emergency', status: 'CANCELLED' }]);
    expect(call.auditEvents().find((e) => e.eventType === 'CANCELLED')?.detail).toBe('cancelled by ops');
  });
});

describe('routine calls', () => {
  const { businessHours } = PRODUCTION; // Mon-Fri 08:00-17:00, America/New_York
  const local = (at: number) => wallClock(at, businessHours.timeZone);

  /** The coming Friday, 18:00 in the business's zone: the office has just closed for the weekend. */
  function fridayEvening(now: number): number {
    for (let t = now; ; ) {
      const opening = nextOpening(t, businessHours);
      if (local(opening) === 'Fri 08:00') return opening + 10 * 3_600_000;
      t = opening + 10 * 3_600_000; // past closing: the next opening is the next business day's
    }
  }

  test('a routine call on Friday evening wakes nobody: the caller is told when the office opens, and tier 1 is paged on Monday at 8:00 like an urgent call', async () => {
    await sim.advance(fridayEvening(await sim.now()) - (await sim.now()));
    const call = await sim.call({ urgency: 'routine', summary: 'Dripping tap' });
    const notice = await call.received(CALLER, 'CUSTOMER_NOTIFIED');
    expect(notice.body).toMatch(new RegExp(`^Acme Plumbing: we got your request \\(ref ${call.code}\\)\\. The office will call you back after we open, Mon \\w+ \\d+, 8:00 AM\\.$`));
    const scheduled = await call.state();
    expect(scheduled.status).toBe('SCHEDULED');
    const opensAt = Date.parse(scheduled.scheduledFor!);
    expect(local(opensAt)).toBe('Mon 08:00');
    expect(opensAt - (await sim.now())).toBeLessThan(3 * 24 * 3_600_000); // this Monday, not a later one

    // The weekend passes: nobody is woken.
    await sim.advance(opensAt - 30_000 - (await sim.now()));
    expect((await call.state()).status).toBe('SCHEDULED');
    expect(call.texts().map((t) => t.kind)).toEqual(['CUSTOMER_NOTIFIED']);

    // Monday: the ladder runs on the urgent timers, by text only.
    await sim.advance(opensAt + 15.5 * 60_000 - (await sim.now()));
    await call.received(carol, 'PAGE');
    expect(call.wallClockTimeline(businessHours.timeZone)).toEqual([
      'Fri 18:00 caller told → caller',
      'Mon 08:00 page → Alice',
      'Mon 08:00 page → Bob',
      'Mon 08:05 follow-up → Alice',
      'Mon 08:05 follow-up → Bob',
      'Mon 08:15 page → Carol',
    ]);
    expect(call.texts({ to: alice.phone })[0]!.body).toMatch(/^ROUTINE job/);
    const paging = await call.state();
    expect(paging).toMatchObject({ status: 'PAGING', step: 'round 1: tier 2 page' });
    expect(paging.scheduledFor).toBeUndefined();
  });

  test('a routine call cancelled before the office opens: nobody was paged, so nobody is stood down', async () => {
    await sim.advance(fridayEvening(await sim.now()) - (await sim.now()));
    const call = await sim.call({ urgency: 'routine' });
    await call.received(CALLER, 'CUSTOMER_NOTIFIED');
    await sim.advance('1h');
    await call.cancel();
    const final = await call.finished();
    expect(final.status).toBe('CANCELLED');
    expect(call.texts().map((t) => t.kind)).toEqual(['CUSTOMER_NOTIFIED']);
    expect(sim.outcomes).toEqual([{ urgency: 'routine', status: 'CANCELLED' }]);
  });
});
