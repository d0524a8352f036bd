// Busy technicians and storms (spec section 10) in simulated time, production timers (T1 2 min,
// T2 5 min, PAGE_BUNDLE_WINDOW 10 s, BUSY_FOR 4 h), the phones' workflows real, Twilio faked:
// a busy technician is skipped; a tier all busy is skipped at once; with nobody free the busy ones
// are paged, each page naming their job; DONE frees them; pages due together go out as one SMS,
// each job's clock and record following that SMS; one wake-up call per phone per T1.
import { describe, expect, test } from 'vitest';
import { alice, bob, dave, PRODUCTION, simulationForTests, type Call } from './support/simulation';

const sim = simulationForTests();

/** A call `tech` accepts half a minute in: the job is theirs and they are busy with it. */
async function takenBy(tech: typeof alice, summary: string): Promise<Call> {
  const call = await sim.call({ urgency: 'emergency', summary });
  await call.at('0:30');
  expect((await call.accept(tech)).outcome).toBe('accepted');
  await call.stateWhen('the accept confirmed', (s) => s.status === 'ACCEPTED');
  // Clear of the bundling window of this call's texts.
  await sim.advance('1 minute');
  return call;
}

/** Who a call paged at its start (its 0:00 texts), by name. */
async function pagedAtOnce(call: Call): Promise<string[]> {
  await call.stateWhen('its first step paged', (s) => s.messages.some((m) => m.kind === 'PAGE'));
  return (await call.state()).messages.filter((m) => m.kind === 'PAGE' && m.attempt === 1).map((m) => m.technician!);
}

describe('busy technicians', () => {
  test('a technician on a job is skipped; DONE frees them for the next call', async () => {
    const boiler = await takenBy(alice, 'Boiler out');
    const pipe = await sim.call({ urgency: 'emergency', summary: 'Burst pipe' });
    expect(await pagedAtOnce(pipe)).toEqual(['Bob']);
    await pipe.at('0:30');
    await pipe.accept(bob);
    await pipe.complete(bob);

    await boiler.complete(alice);
    await sim.advance('1 minute');
    const leak = await sim.call({ urgency: 'emergency', summary: 'Leak' });
    expect(await pagedAtOnce(leak)).toEqual(['Alice', 'Bob']);
  });

  test('a step whose on-call technicians are all busy is skipped at once: tier 2 is paged at 0:00', async () => {
    await takenBy(alice, 'Boiler out');
    await takenBy(bob, 'No heat');
    const third = await sim.call({ urgency: 'emergency', summary: 'Flooded basement' });
    expect(await pagedAtOnce(third)).toEqual(['Carol']);
    await third.at('5:30');
    // Tier 3 after T2, as on any ladder; nobody of tier 1 is woken.
    expect(await third.timeline()).toEqual(['0:00 page → Carol', '5:00 page → Dave']);
    const escalations = third.auditEvents().filter((e) => e.eventType === 'ESCALATED');
    expect(escalations[0]).toMatchObject({ detail: expect.stringContaining('tier 1') });
  });

  test('when nobody in any tier is free the busy ones are paged, each page naming the job they are on', async () => {
    sim.roster = [alice, bob];
    const boiler = await takenBy(alice, 'Boiler out');
    const heat = await takenBy(bob, 'No heat');
    const third = await sim.call({ urgency: 'emergency', summary: 'Flooded basement' });
    expect(await pagedAtOnce(third)).toEqual(['Alice', 'Bob']);
    const [toAlice, toBob] = [await third.received(alice, 'PAGE'), await third.received(bob, 'PAGE')];
    expect(toAlice.body).toMatch(new RegExp(`^You are on job ${boiler.code} \\(Boiler out\\); nobody else is free\\. EMERGENCY job ${third.code} `));
    expect(toBob.body).toMatch(new RegExp(`^You are on job ${heat.code} \\(No heat\\)`));
  });
});

describe('bundling (PAGE_BUNDLE_WINDOW 10 s)', () => {
  test('three calls at once: the first page goes at once, the other two follow 10 s later as one SMS listing both codes; each job keeps its own clock and record', async () => {
    expect(PRODUCTION.timers.bundleWindowMs).toBe(10_000);
    sim.roster = [alice];
    const first = await sim.call({ urgency: 'emergency', summary: 'Burst pipe' });
    await first.received(alice, 'PAGE');
    const [second, third] = [await sim.call({ urgency: 'emergency', summary: 'No heat' }), await sim.call({ urgency: 'urgent', summary: 'Dripping tap' })];
    await sim.advance('30 seconds');
    const bundle = await sim.twilio.until('the bundle', () => sim.twilio.texts.find((t) => t.callId === `bundle:${alice.phone}`));
    expect(sim.twilio.texts.filter((t) => t.to === alice.phone).map((t) => t.key)).toEqual([expect.stringContaining(first.callId), bundle.key]);
    expect(bundle.body).toMatch(/^Acme Plumbing: 2 jobs need you:\n/);
    expect(bundle.body).toContain(`${second.code}: EMERGENCY - No heat.`);
    expect(bundle.body).toContain(`${third.code}: URGENT - Dripping tap.`);

    // Each job's page is that SMS: its SID, its time (10 s after the first), its own audit row.
    const firstSentAt = Date.parse((await first.state()).messages[0]!.sentAt);
    for (const call of [second, third]) {
      const page = (await call.stateWhen('its page sent', (s) => s.messages[0]?.messageSid !== undefined)).messages[0]!;
      expect(page).toMatchObject({ kind: 'PAGE', messageSid: bundle.sid, status: 'delivered' });
      expect(Date.parse(page.sentAt) - firstSentAt).toBe(10_000);
      expect(call.auditEvents().filter((e) => e.eventType === 'PAGE_SENT')).toEqual([expect.objectContaining({ messageSid: bundle.sid, recipient: alice.phone })]);
    }
    // The bundled pages' clocks start with the bundle: their follow-ups come T1 after it, not after the call.
    await second.at('2:30');
    expect((await second.state()).nextEscalationAt).toBe(new Date(firstSentAt + 10_000 + 2 * 60_000 + 5 * 60_000).toISOString());
  });

  test('one wake-up call per phone per T1, whatever the number of jobs paging it; none once a job is accepted', async () => {
    sim.roster = [alice, dave];
    const calls = [await sim.call({ urgency: 'emergency', summary: 'Burst pipe' }), await sim.call({ urgency: 'emergency', summary: 'No heat' })];
    await calls[0]!.at('4:30');
    const ringsToAlice = () => sim.twilio.rings.filter((r) => r.to === alice.phone);
    // Two jobs follow up at about 2:00 and ring again at 4:00: one ring per T1 in all.
    expect(ringsToAlice().length).toBe(2);
    expect(ringsToAlice()[1]!.at - ringsToAlice()[0]!.at).toBeGreaterThanOrEqual(2 * 60_000);
    await calls[0]!.accept(alice);
    await calls[1]!.accept(alice);
    await calls[1]!.at('7:00');
    expect(ringsToAlice().length).toBe(2);
  });
});
