// Busy technicians and storms (spec section 10) in simulated time, production timers (T1 2 min,
// T2 5 min, PAGE_BUNDLE_WINDOW 10 s, BUSY_FOR 4 h), the phones' workflows real, Twilio faked:
// a busy technician is skipped; a tier all busy is skipped at once; with nobody free the busy ones
// are paged, each page naming their job; DONE frees them.
import { describe, expect, test } from 'vitest';
import { alice, bob, simulationForTests, type Call } from '../support/simulation';

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
    // DONE, without waiting for the dispatch to end: that lets the clock run through Alice's job.
    await pipe.stateWhen('the accept confirmed', (s) => s.status === 'ACCEPTED');
    expect((await pipe.done(bob)).outcome).toBe('completed');
    await boiler.at('2:30');
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
