// Accepts and declines (spec section 2) in simulated time: the first accept wins at any step of
// the ladder (by text or by a key press on a wake-up call), the others stand down, later accepts
// are told who has the job, and declines escalate at once when nobody of the step is left. The
// dispatch then follows the job (spec section 11, test/workflow/scenarios/afterAccept.ts) until the
// technician texts DONE.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, test } from 'vitest';
import type { Technician } from '../../../src/domain/types';
import { alice, bob, CALLER, carol, dave, erin, simulationForTests } from '../support/simulation';

const sim = simulationForTests();

describe('the first accept wins, at any step of the ladder', () => {
  const cases: Array<{ step: string; at: string; by: Technician; standDown: Technician[] }> = [
    { step: 'the tier-1 page', at: '1:30', by: bob, standDown: [alice] },
    { step: 'the tier-1 follow-up', at: '3:30', by: alice, standDown: [bob] },
    { step: 'the tier-2 page', at: '8:30', by: carol, standDown: [alice, bob] },
    { step: 'the tier-3 page', at: '13:30', by: dave, standDown: [alice, bob, carol] },
    { step: 'round 2', at: '18:30', by: bob, standDown: [alice, carol, dave] },
  ];

  test.each(cases)('during $step: $by.name accepts at $at', async ({ at, by, standDown }) => {
    const call = await sim.call({ urgency: 'emergency', summary: 'Burst pipe in the basement', address: '12 Elm St' });
    await call.at(at);
    const answer = await call.accept(by);
    // The accepting phone gets the job at once, in the reply, and is asked for an ETA.
    expect(answer).toEqual({
      outcome: 'accepted',
      message: `Job ${call.code} is yours. Call the customer now: ${CALLER}. Problem: Burst pipe in the basement. Address: 12 Elm St. Reply ETA ${call.code} <minutes> with your arrival time.`,
    });

    // The caller hears who is coming, everyone else paged stands down, and no page or escalation
    // fires after: the clock runs past the end of both rounds (34:00), short of the arrival check-in.
    await call.at('45:00');
    expect(await call.timeline(at)).toEqual(
      [...standDown.map((t) => `${at} stand-down → ${t.name}`), `${at} caller told → caller`],
    );
    expect(call.texts({ to: CALLER })[0]!.body).toBe(`Acme Plumbing: technician ${by.name} has your call (ref ${call.code}) and will phone you shortly.`);
    for (const t of standDown) expect(call.texts({ to: t.phone, kind: 'STAND_DOWN' })[0]!.body).toMatch(`taken by ${by.name}`);
    expect(call.texts({ to: by.phone, kind: 'STAND_DOWN' })).toEqual([]);
    const accepted = await call.state();
    expect(accepted).toMatchObject({ status: 'ACCEPTED', assigned: { name: by.name, phone: by.phone } });
    expect(accepted.step).toBeUndefined();
    expect(accepted.nextEscalationAt).toBeUndefined();
    expect(await call.clock(accepted.assigned!.acceptedAt)).toBe(at);

    const final = await call.complete(by);
    expect(final).toMatchObject({ status: 'COMPLETED', assigned: { name: by.name, phone: by.phone } });
    expect(await call.timeline(at)).toHaveLength(standDown.length + 1);
    expect(sim.outcomes).toEqual([{ urgency: 'emergency', status: 'ACCEPTED', secondsToAccept: expect.closeTo(seconds(at), 0) }]);
  });
});

describe('after the accept', () => {
  // The accepted dispatch stays open while its job runs, so these replies reach it. (Replies after it
  // closed are answered from its final state by the API.)
  test('a second accept is told who has the job; the winner hears it is theirs; a stale NO changes nothing', async () => {
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('0:30');
    expect((await call.accept(bob)).outcome).toBe('accepted');

    expect(await call.accept(alice)).toEqual({ outcome: 'already_taken', message: `Job ${call.code} is already taken by Bob. No action needed.` });
    expect(await call.accept(bob)).toEqual({ outcome: 'already_yours', message: `Job ${call.code} is already yours.` });
    expect((await call.decline(alice)).outcome).toBe('already_taken');

    const final = await call.complete(bob);
    expect(final.assigned?.name).toBe('Bob');
    expect(final.declined).toEqual([]);
    expect(await call.timeline()).toEqual(['0:00 page → Alice', '0:00 page → Bob', '0:30 stand-down → Alice', '0:30 caller told → caller']);
  });

  test('two technicians accepting at the same instant: exactly one wins, the other is told who', async () => {
    const call = await sim.call({ urgency: 'emergency' });
    await call.received(bob, 'PAGE');
    const [fromAlice, fromBob] = await Promise.all([call.accept(alice), call.accept(bob)]);
    const outcomes = [fromAlice.outcome, fromBob.outcome].sort();
    expect(outcomes).toEqual(['accepted', 'already_taken']);

    const { assigned } = await call.stateWhen('the accept confirmed', (s) => s.status === 'ACCEPTED');
    const [winner, loser] = assigned!.phone === alice.phone ? [alice, bob] : [bob, alice];
    const final = await call.complete(winner);
    expect(final.assigned?.phone).toBe(winner.phone);
    expect((winner === alice ? fromAlice : fromBob).outcome).toBe('accepted');
    expect((loser === alice ? fromAlice : fromBob).message).toContain(`already taken by ${winner.name}`);
    expect(call.texts({ kind: 'STAND_DOWN' }).map((t) => t.to)).toEqual([loser.phone]);
    expect(call.texts({ to: CALLER }).map((t) => t.body)).toEqual([expect.stringContaining(`technician ${winner.name} has your call`)]);
  });

  test('a phone the dispatch never paged cannot answer it', async () => {
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('1:30');
    // Carol (tier 2) is not paged before 7:00; Erin is inactive; the caller is no technician.
    for (const phone of [carol, erin, { phone: CALLER }]) {
      await expect(call.accept(phone)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    }
    const state = await call.state();
    expect(state).toMatchObject({ status: 'PAGING', declined: [], step: 'round 1: tier 1 page' });
    expect(state.assigned).toBeUndefined();
  });
});

describe('a key press on a wake-up call', () => {
  test('Alice presses 1 on the second wake-up call: the job is hers, with its details by text; Bob stands down; nobody is rung again', async () => {
    const call = await sim.call({ urgency: 'emergency', summary: 'Gas smell in the basement', address: '5 Oak Lane' });
    await call.at('4:30');
    const answer = await call.accept(alice, 'voice');
    expect(answer.outcome).toBe('accepted');
    expect(answer.message).toContain(CALLER); // spoken on the call

    const final = await call.complete(alice);
    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '2:00 follow-up → Alice',
      '2:00 ring → Alice',
      '2:00 follow-up → Bob',
      '2:00 ring → Bob',
      '4:00 ring → Alice',
      '4:00 ring → Bob',
      '4:30 job details → Alice',
      '4:30 stand-down → Bob',
      '4:30 caller told → caller',
    ]);
    // A call leaves nothing to read later: the details follow by text.
    expect(call.texts({ to: alice.phone, kind: 'ASSIGNMENT' })[0]!.body).toBe(
      `Job ${call.code} is yours. Call the customer now: ${CALLER}. Problem: Gas smell in the basement. Address: 5 Oak Lane. Reply ETA ${call.code} <minutes> with your arrival time.`,
    );
    expect(final).toMatchObject({ status: 'COMPLETED', assigned: { name: 'Alice' } });
    expect(final.calls.filter((c) => c.to === alice.phone).map((c) => c.ring)).toEqual([1, 2]);
    expect(call.auditEvents().find((e) => e.eventType === 'ACCEPTED' && e.eventKey.endsWith('/accepted'))?.detail).toBe('via voice');
    const rung = call.auditEvents().filter((e) => e.method === 'VOICE' && e.recipient === alice.phone);
    expect(rung.map((e) => [e.eventType, e.attemptNumber])).toEqual([
      ['FOLLOW_UP_SENT', 1],
      ['FOLLOW_UP_SENT', 2],
    ]);
  });
});

describe('declines', () => {
  test('everyone on the step declines: the next tier is paged at once, and the decliners still hear the stand-down', async () => {
    const call = await sim.call({ urgency: 'urgent', summary: 'Water heater leaking' });
    await call.at('1:30');
    expect(await call.decline(alice)).toEqual({ outcome: 'declined', message: `You declined job ${call.code}. Thanks, we will page someone else.` });
    expect((await call.state()).step).toBe('round 1: tier 1 page'); // Bob can still answer
    await call.decline(bob);
    await call.received(carol, 'PAGE');

    await call.at('2:00');
    await call.accept(carol);
    const final = await call.complete(carol);
    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '1:30 page → Carol',
      '2:00 stand-down → Alice',
      '2:00 stand-down → Bob',
      '2:00 caller told → caller',
    ]);
    expect(final.declined).toEqual([alice.phone, bob.phone]);
    const declined = call.auditEvents().filter((e) => e.eventType === 'DECLINED');
    expect(declined.map((e) => [e.technician, e.detail])).toEqual([['Alice', 'via sms'], ['Bob', 'via sms']]);
  });

  test('one decline changes nothing for the others: the follow-up and wake-up calls at T1 go to the rest of the step only', async () => {
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('0:30');
    await call.decline(alice);
    await call.at('7:30');
    await call.received(carol, 'PAGE');
    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '2:00 follow-up → Bob',
      '2:00 ring → Bob',
      '4:00 ring → Bob',
      '6:00 ring → Bob',
      '7:00 page → Carol',
    ]);
  });

  test('everyone declines: every step is skipped at once, round 2 has nobody left, the dispatch is UNANSWERED right away', async () => {
    const call = await sim.call({ urgency: 'emergency' });
    await call.at('1:30');
    await call.decline(alice);
    await call.decline(bob);
    await call.received(carol, 'PAGE');
    await call.decline(carol);
    await call.received(dave, 'PAGE');
    await call.decline(dave);
    await call.received(CALLER, 'CUSTOMER_NOTIFIED');
    await call.received(dave, 'ALERT');

    expect(await call.timeline()).toEqual([
      '0:00 page → Alice',
      '0:00 page → Bob',
      '1:30 page → Carol',
      '1:30 alert → Dave',
      '1:30 page → Dave',
      '1:30 caller told → caller',
    ]);
    const state = await call.state();
    expect(state).toMatchObject({ status: 'UNANSWERED', round: 2 });
    expect(state.declined).toEqual([alice.phone, bob.phone, carol.phone, dave.phone]);
  });
});

function seconds(clock: string): number {
  const [m, s] = clock.split(':').map(Number);
  return m! * 60 + s!;
}
