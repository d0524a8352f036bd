// Pages follow the on-call schedule (spec sections 2 and 9) in simulated time, production timers:
// each step pages whoever is on call as it pages, and a technician paged before a hand-off can
// still take the job after it.
import { DateTime } from 'luxon';
import { expect, test } from 'vitest';
import { alice, bob, carol, dave, simulationForTests } from '../support/simulation';

const sim = simulationForTests();

const MINUTE = 60_000;

test('a hand-off between the page and the follow-up: the follow-up pages the new technician, and the first can still accept', async () => {
  // Alice's 12-hour shift ends one minute after the call comes in; Bob's begins. Shifts run on the
  // business time zone's clock, so the rotation (Bob, then Alice) starts at the same reading a day
  // earlier, not 24 hours earlier: the shared simulated clock is years ahead by now, and on a
  // daylight-saving day those differ by an hour (a run that landed the day clocks fell back found
  // Alice still on call at 2:00).
  const now = await sim.now();
  const handOff = DateTime.fromMillis(now + MINUTE, { zone: sim.schedule().timeZone });
  sim.rotations = [{ name: 'Tier 1', tier: 1, members: [bob.name, alice.name], start: handOff.minus({ days: 1 }).toISO()!, shiftHours: 12, active: true }];
  const call = await sim.call({ urgency: 'emergency', summary: 'Burst pipe at the bakery' });
  await call.at('2:30');
  expect(await call.timeline()).toEqual(['0:00 page → Alice', '2:00 page → Bob', '2:00 ring → Bob']);

  const result = await call.accept(alice);
  expect(result.outcome).toBe('accepted');
  const final = await call.complete(alice);
  expect(final.assigned?.name).toBe(alice.name);
  expect(await call.timeline('2:30')).toEqual([`2:30 stand-down → Bob`, '2:30 caller told → caller']);
});

test('an override replaces a technician: the step pages the override, not the replaced one', async () => {
  const now = await sim.now();
  sim.rotations = [{ name: 'Tier 1', tier: 1, members: [alice.name, bob.name], start: new Date(now - 60 * MINUTE).toISOString(), shiftHours: 168, active: true }];
  sim.overrides = [{ name: 'Carol covers Alice', technician: carol.name, tier: 1, start: new Date(now - MINUTE).toISOString(), end: new Date(now + 60 * MINUTE).toISOString(), replaces: alice.name }];
  const call = await sim.call({ urgency: 'urgent', summary: 'No heat' });
  await call.at('0:30');
  expect(await call.timeline()).toEqual(['0:00 page → Carol']);
  await call.accept(carol);
  await call.complete(carol);
});

test('when nobody is on call for tier 1 the ladder goes on to tier 2 at once, and the managers on call are alerted at the end', async () => {
  const now = await sim.now();
  sim.rotations = [{ name: 'Tier 1', tier: 1, members: ['Nobody Known'], start: new Date(now - 60 * MINUTE).toISOString(), shiftHours: 168, active: true }];
  const call = await sim.call({ urgency: 'emergency', summary: 'Gas smell' });
  await call.at('0:30');
  expect(await call.timeline()).toEqual(['0:00 page → Carol']);
  await call.accept(carol);
  expect((await call.complete(carol)).assigned?.name).toBe(carol.name);
  expect(call.texts({ to: dave.phone })).toEqual([]);
});
