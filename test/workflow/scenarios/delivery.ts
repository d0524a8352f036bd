// Pages that cannot reach their technician (spec sections 2 and 3) in simulated time: refused
// sends, undelivered texts, sends Temporal gives up on, missing status callbacks made up for by
// asking Twilio, and duplicate or out-of-order callbacks that change nothing.
import { describe, expect, test } from 'vitest';
import { alice, bob, carol, simulationForTests } from '../support/simulation';

const sim = simulationForTests();

/** Twilio answers 503 to every send to both tier-1 phones for `ms` of simulated time. */
const outageOnTier1For = (ms: number) => {
  for (const tech of [alice, bob]) sim.twilio.outageFor(tech.phone, ms);
};

describe('a page that cannot reach its technician is not waited on', () => {
  test('Twilio refuses both tier-1 pages (21610 opted out, 21614 not a mobile): tier 2 is paged at once; nobody unreachable is followed up or stood down', async () => {
    sim.twilio.refuse(alice.phone, 21610);
    sim.twilio.refuse(bob.phone, 21614);
    const call = await sim.call({ urgency: 'emergency' });
    await call.received(carol, 'PAGE');

    const state = await call.state();
    expect(state.messages.filter((m) => m.tier === 1).map((m) => [m.technician, m.status, m.errorCode])).toEqual([
      ['Alice', 'failed', 21610],
      ['Bob', 'failed', 21614],
    ]);
    expect(state.step).toBe('round 1: tier 2 page');

    await call.at('1:30');
    await call.accept(carol);
    await call.complete(carol);
    const failed = call.auditEvents().filter((e) => e.eventType === 'SEND_FAILED');
    expect(failed.map((e) => [e.technician, e.errorCode, e.deliveryStatus])).toEqual([
      ['Alice', '21610', 'failed'],
      ['Bob', '21614', 'failed'],
    ]);
    expect(await call.timeline()).toEqual(['0:00 page → Carol', '1:30 caller told → caller']);
    expect(sim.twilio.refusedSends.map((s) => [s.to, s.kind]).sort()).toEqual([
      [alice.phone, 'PAGE'],
      [bob.phone, 'PAGE'],
    ]);
  });

  test('the carrier reports both tier-1 pages undelivered (30003 handset off, 30006 landline): tier 2 is paged at once', async () => {
    sim.twilio.undeliverable(alice.phone, 30003);
    sim.twilio.undeliverable(bob.phone, 30006);
    const call = await sim.call({ urgency: 'emergency' });
    await call.received(carol, 'PAGE');

    const state = await call.stateWhen('Carol paged', (s) => s.messages.some((m) => m.to === carol.phone));
    const [toAlice, toBob] = [call.texts({ to: alice.phone })[0]!, call.texts({ to: bob.phone })[0]!];
    expect(state.messages.filter((m) => m.tier === 1).map((m) => [m.technician, m.status, m.errorCode, m.messageSid])).toEqual([
      ['Alice', 'undelivered', 30003, toAlice.sid],
      ['Bob', 'undelivered', 30006, toBob.sid],
    ]);

    await call.at('1:30');
    await call.accept(carol);
    await call.complete(carol);
    expect(call.auditEvents().find((e) => e.eventKey === toAlice.key)).toMatchObject({ eventType: 'PAGE_SENT', deliveryStatus: 'undelivered', errorCode: '30003' });
    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '0:00 page → Carol',
      '1:30 caller told → caller',
    ]);
  });

  test('only one tier-1 page fails: the other can still answer, so the ladder keeps its clock; a number refused for good (opted out) is skipped for the rest of the round, in round 2 and by the next dispatch', async () => {
    sim.twilio.refuse(alice.phone, 21610);
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('17:30');
    await call.received(bob, 'FOLLOW_UP', 2);

    expect(await call.timeline()).toEqual([
      '0:00 page → Bob',
      '2:00 follow-up → Bob',
      '2:00 ring → Bob',
      '4:00 ring → Bob',
      '6:00 ring → Bob',
      '7:00 page → Carol',
      '12:00 page → Dave',
      '17:00 follow-up → Bob',
    ]);
    // Twilio was asked for Alice once: her phone's workflow remembers the opt-out (spec section 10).
    const attemptsToAlice = (await call.state()).messages.filter((m) => m.to === alice.phone);
    expect(await Promise.all(attemptsToAlice.map(async (m) => `${await call.clock(m.sentAt)} attempt ${m.attempt} ${m.status}`))).toEqual(['0:00 attempt 1 failed']);

    const next = await sim.call({ urgency: 'emergency' });
    await next.received(bob, 'PAGE');
    expect((await next.state()).messages.filter((m) => m.to === alice.phone)).toEqual([]);
  });

  test('a Twilio outage holds up both tier-1 pages for minutes: the step\'s clock starts when the first goes out, so the follow-up comes T1 after it, not with it', async () => {
    outageOnTier1For(140_000);
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('10:30');
    await call.accept(carol);
    await call.complete(carol);

    // On the dispatch's own clock: each step waits from the moment its first text came back from Twilio.
    const activities = await call.activityTimes();
    const firstOut = (prefix: string) => Math.min(...activities.filter((a) => a.summary.startsWith(prefix)).map((a) => a.completedMs!));
    const firstAsked = (prefix: string) => Math.min(...activities.filter((a) => a.summary.startsWith(prefix)).map((a) => a.scheduledMs));
    expect(firstOut('SMS page: ')).toBeGreaterThan(140_000);
    expect(firstAsked('SMS follow up: ') - firstOut('SMS page: ')).toBeGreaterThanOrEqual(2 * 60_000);
    expect(firstAsked('SMS follow up: ') - firstOut('SMS page: ')).toBeLessThan(2 * 60_000 + 1_000);
    expect(firstAsked('SMS page: Carol') - firstOut('SMS follow up: ')).toBeGreaterThanOrEqual(5 * 60_000);
    expect(firstAsked('SMS page: Carol') - firstOut('SMS follow up: ')).toBeLessThan(5 * 60_000 + 1_000);
    // Her page is dated when it went out, in the dispatch's record and in its Dispatch Events row.
    const page = (await call.state()).messages.find((m) => m.to === alice.phone && m.kind === 'PAGE')!;
    expect(Math.abs(Date.parse(page.sentAt) - (await call.startedAt()) - firstOut('SMS page: Alice'))).toBeLessThan(1_000);
    expect(call.auditEvents().find((e) => e.eventKey === page.key)?.sentAt).toBe(page.sentAt);
    // Texts in the order the ladder sends them, each tier-1 phone's page and follow-up T1 apart.
    expect((await call.timeline()).map((line) => line.replace(/^\S+ /, ''))).toEqual([
      'page → Alice',
      'page → Bob',
      'follow-up → Alice',
      'ring → Alice',
      'follow-up → Bob',
      'ring → Bob',
      'ring → Alice',
      'ring → Bob',
      'ring → Alice',
      'ring → Bob',
      'page → Carol',
      'stand-down → Alice',
      'stand-down → Bob',
      'caller told → caller',
    ]);
  });

  test('cancelled while the outage holds both pages up (the step has no timer yet): the dispatch ends CANCELLED, and each page that then goes out is followed by its stand-down', async () => {
    outageOnTier1For(140_000);
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('1:30');
    expect((await call.state()).nextEscalationAt).toBeUndefined();
    await call.cancel();
    const final = await call.finished();

    expect(final).toMatchObject({ status: 'CANCELLED', round: 1 });
    expect((await call.timeline()).map((line) => line.replace(/^\S+ /, ''))).toEqual(['page → Alice', 'page → Bob', 'stand-down → Alice', 'stand-down → Bob']);
    const activities = await call.activityTimes();
    const pageOut = Math.min(...activities.filter((a) => a.summary.startsWith('SMS page: ')).map((a) => a.completedMs!));
    expect(pageOut).toBeGreaterThan(140_000);
    expect(Math.min(...activities.filter((a) => a.summary.startsWith('SMS stand down')).map((a) => a.scheduledMs))).toBeGreaterThanOrEqual(pageOut);
  });

  test('a send Temporal gives up on counts as failed: Twilio answers 503 to every send to Alice, Temporal retries for 10 minutes, then her texts are failed and she gets no stand-down', async () => {
    sim.twilio.outageFor(alice.phone);
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('12:30');
    await call.accept(bob);
    await call.complete(bob);

    // Her page and her follow-up were each tried until their 10 minutes ran out, then given up.
    const state = await call.state();
    expect(await Promise.all(state.messages.filter((m) => m.to === alice.phone).map(async (m) => `${await call.clock(m.sentAt)} ${m.kind} ${m.status} ${m.errorCode}`))).toEqual([
      '0:00 PAGE failed 0',
      '2:00 FOLLOW_UP failed 0',
    ]);
    const pageKey = state.messages.find((m) => m.to === alice.phone)!.key;
    const attempts = sim.twilio.failedAttempts.filter((a) => a.key === pageKey);
    expect(attempts.length).toBeGreaterThan(10);
    const lastTry = attempts.at(-1)!.at - (await call.startedAt());
    expect(lastTry).toBeGreaterThan(9.5 * 60_000);
    expect(lastTry).toBeLessThanOrEqual(10 * 60_000);
    expect(call.auditEvents().find((e) => e.eventKey === pageKey)).toMatchObject({
      eventType: 'SEND_FAILED',
      deliveryStatus: 'failed',
      detail: expect.stringMatching(/^page: gave up after retries/),
    });
    // Meanwhile the ladder kept its clock; the wake-up calls still reached her phone.
    expect(await call.timeline()).toEqual([
      '0:00 page → Bob',
      '2:00 ring → Alice',
      '2:00 follow-up → Bob',
      '2:00 ring → Bob',
      '4:00 ring → Alice',
      '4:00 ring → Bob',
      '6:00 ring → Alice',
      '6:00 ring → Bob',
      '7:00 page → Carol',
      '12:00 page → Dave',
      '12:30 stand-down → Carol',
      '12:30 stand-down → Dave',
      '12:30 caller told → caller',
    ]);
  });
});

describe('no status callback arrives', () => {
  test('after the status-check period (60 s) the dispatch asks Twilio itself, and learns the pages were delivered', async () => {
    sim.twilio.noCallbacks();
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('0:30');
    expect((await call.state()).messages.map((m) => m.status)).toEqual(['queued', 'queued']);

    await call.at('1:30');
    const state = await call.stateWhen('both pages delivered', (s) => s.messages.every((m) => m.status === 'delivered'));
    for (const text of call.texts()) expect(state.messages.find((m) => m.key === text.key)?.messageSid).toBe(text.sid);
    expect((await call.statusChecks()).sort()).toEqual(['1:00 Alice', '1:00 Bob']);
    expect(state.step).toBe('round 1: tier 1 page');
  });

  test('Twilio says undelivered when asked: tier 2 is paged at once after the check', async () => {
    sim.twilio.noCallbacks();
    sim.twilio.undeliverable(alice.phone, 30003);
    sim.twilio.undeliverable(bob.phone, 30003);
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('1:30');
    await call.received(carol, 'PAGE');
    expect(await call.timeline()).toEqual(['0:00 page → Alice', '0:00 page → Bob', '1:00 page → Carol']);
    expect((await call.state()).messages.slice(0, 2).map((m) => [m.status, m.errorCode])).toEqual([
      ['undelivered', 30003],
      ['undelivered', 30003],
    ]);
  });

  test('a status that never becomes final is asked for again, less and less often', async () => {
    sim.twilio.noCallbacks();
    sim.twilio.neverConfirmed(alice.phone);
    sim.roster = [alice];
    const call = await sim.call({ urgency: 'urgent' });
    await call.at('45:30');
    // The page of 0:00 is asked about at 1, 3, 7, 15, 25, 35 and 45 minutes: the wait doubles up to 10 minutes.
    const page = call.texts({ kind: 'PAGE' })[0]!;
    const checksOfPage = sim.twilio.statusChecks.filter((c) => c.sid === page.sid);
    expect(await Promise.all(checksOfPage.map((c) => call.clock(c.at)))).toEqual(['1:00', '3:00', '7:00', '15:00', '25:00', '35:00', '45:00']);
    expect((await call.state()).messages[0]!.status).toBe('sent');
  });
});

describe('a final status ends the message\'s delivery check', () => {
  test('a callback before the check period cancels the check: its timer never fires and Twilio is not asked', async () => {
    sim.twilio.noCallbacks();
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('0:30');
    const [alicePage, bobPage] = [call.texts({ to: alice.phone })[0]!, call.texts({ to: bob.phone })[0]!];
    await call.report(alicePage, 'delivered');
    await call.stateWhen('Alice\'s page delivered', (s) => s.messages.some((m) => m.key === alicePage.key && m.status === 'delivered'));
    await call.at('1:30');
    // Bob's check fired at 1:00 and asked Twilio; Alice's was cancelled at 0:30.
    await call.stateWhen('Bob\'s page delivered', (s) => s.messages.every((m) => m.status === 'delivered'));
    expect(await call.statusChecks()).toEqual(['1:00 Bob']);
    const events = (await call.handle.fetchHistory()).events ?? [];
    const checkTimers = events.filter((e) => /^"check delivery/.test(Buffer.from(e.userMetadata?.summary?.data ?? []).toString('utf8')));
    expect(checkTimers).toHaveLength(2);
    expect(events.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(1);
  });

  test('a text whose "delivered" beat Twilio\'s answer to the send gets no check at all', async () => {
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('1:30');
    expect((await call.state()).messages.map((m) => m.status)).toEqual(['delivered', 'delivered']);
    expect(await call.statusChecks()).toEqual([]);
    expect((await call.historySummaries()).filter((summary) => summary.startsWith('check delivery'))).toEqual([]);
  });
});

describe('duplicate and out-of-order callbacks change nothing', () => {
  test('"delivered" twice, then a late "sent": the page stays delivered, and so does its record', async () => {
    sim.twilio.noCallbacks();
    const call = await sim.call({ urgency: 'emergency' });
    const page = await call.received(alice, 'PAGE');
    for (const status of ['delivered', 'delivered', 'sent', 'sent'] as const) await call.report(page, status);
    // Ops cancel after the callbacks: the workflow handles events in order, so its final state has seen them all.
    await call.at('0:30');
    await call.cancel();

    const final = await call.finished();
    expect(final.messages.find((m) => m.key === page.key)!.status).toBe('delivered');
    const statuses = sim.audit.flatMap((op) => (op.table === 'events' && op.row.eventKey === page.key && op.row.deliveryStatus ? [op.row.deliveryStatus] : []));
    expect(statuses).not.toContain('sent');
    expect(statuses.at(-1)).toBe('delivered');
    expect(call.auditEvents().find((e) => e.eventKey === page.key)?.deliveryStatus).toBe('delivered');
  });

  test('"undelivered" twice for every tier-1 page and "sent" late: tier 2 is paged exactly once and the pages stay undelivered', async () => {
    sim.twilio.noCallbacks();
    const call = await sim.call({ urgency: 'emergency' });
    const pages = [await call.received(alice, 'PAGE'), await call.received(bob, 'PAGE')];
    await call.report(pages[0]!, 'undelivered', 30003);
    await call.report(pages[1]!, 'undelivered', 30003);
    await call.received(carol, 'PAGE');
    for (const page of pages) {
      await call.report(page, 'undelivered', 30003);
      await call.report(page, 'sent');
      await call.report(page, 'delivered');
    }

    await call.at('0:30');
    await call.cancel();

    const final = await call.finished();
    expect(final.messages.filter((m) => m.kind === 'PAGE').map((m) => [m.technician, m.status])).toEqual([
      ['Alice', 'undelivered'],
      ['Bob', 'undelivered'],
      ['Carol', 'delivered'],
    ]);
    // Carol was paged once; only she, whom the page reached, is stood down.
    expect(await call.timeline()).toEqual(['0:00 page → Alice', '0:00 page → Bob', '0:00 page → Carol', '0:30 stand-down → Carol']);
  });
});
