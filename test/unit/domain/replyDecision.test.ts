import { describe, expect, it } from 'vitest';
import { judgeReply, replyRefusal, type ReplyContext } from '../../../src/domain/dispatch/replyDecision';
import type { DispatchState, ReplyOutcome, TechnicianReply } from '../../../src/domain/types';

const ALICE = '+12125550101';
const BOB = '+12125550102';
const NOW = Date.parse('2026-01-01T03:00:00Z');

const base: ReplyContext['state'] = { status: 'PAGING', replyCode: 'K7QP', callerPhone: '+12125550150', summary: 'Burst pipe', address: '1 Main St' };
const reply = (phone: string, decision: TechnicianReply['decision']): TechnicianReply => ({ phone, decision, via: 'sms' });

describe('what a reply means now', () => {
  it.each<[string, TechnicianReply, Partial<ReplyContext['state']>, number | undefined, ReplyOutcome, RegExp]>([
    ['first accept wins', reply(ALICE, 'accept'), {}, undefined, 'accepted', /\+12125550150.*Burst pipe/s],
    ['a decline while paging', reply(ALICE, 'decline'), {}, undefined, 'declined', /K7QP/],
    ['the winner accepts again', reply(ALICE, 'accept'), { assigned: { name: 'Alice', phone: ALICE, acceptedAt: '' }, status: 'ACCEPTED' }, undefined, 'already_yours', /K7QP/],
    ['a second accept', reply(BOB, 'accept'), { assigned: { name: 'Alice', phone: ALICE, acceptedAt: '' }, status: 'ACCEPTED' }, undefined, 'already_taken', /already taken by Alice/],
    ['a decline after someone accepted', reply(BOB, 'decline'), { assigned: { name: 'Alice', phone: ALICE, acceptedAt: '' }, status: 'ACCEPTED' }, undefined, 'already_taken', /Alice/],
    ['an accept after cancel', reply(ALICE, 'accept'), { status: 'CANCELLED' }, undefined, 'closed', /K7QP/],
    ['a late accept within the grace period', reply(ALICE, 'accept'), { status: 'UNANSWERED' }, NOW + 1, 'accepted', /Burst pipe/],
    ['an accept once the grace period is over', reply(ALICE, 'accept'), { status: 'UNANSWERED' }, NOW, 'closed', /K7QP/],
  ])('%s', (_case, r, state, graceEndsAt, outcome, message) => {
    const result = judgeReply(r, { state: { ...base, ...state }, graceEndsAt, now: NOW });
    expect(result.outcome).toBe(outcome);
    expect(result.message).toMatch(message);
  });
});

describe('replies refused before they reach history', () => {
  const state: Pick<DispatchState, 'messages'> = {
    messages: [{ key: 'k', kind: 'PAGE', to: ALICE, attempt: 1, sentAt: '', status: 'delivered' }],
  };
  it.each<[string, TechnicianReply, string | undefined]>([
    ['a paged technician', reply(ALICE, 'accept'), undefined],
    ['someone never paged', reply(BOB, 'accept'), `${BOB} was not paged for this dispatch`],
    ['no decision', { phone: ALICE, decision: 'maybe' as never, via: 'sms' }, 'decision must be one of accept, decline, eta, arrived, done'],
    ['an ETA without minutes', reply(ALICE, 'eta'), 'an eta reply needs etaMinutes'],
    ['an ETA of no minutes', { ...reply(ALICE, 'eta'), etaMinutes: 0 }, 'etaMinutes must be a whole number from 1 to 1440'],
    ['an ETA of a fraction', { ...reply(ALICE, 'accept'), etaMinutes: 2.5 }, 'etaMinutes must be a whole number from 1 to 1440'],
    ['an ETA from the paged technician', { ...reply(ALICE, 'eta'), etaMinutes: 30 }, undefined],
  ])('%s', (_case, r, refusal) => {
    expect(replyRefusal(r, state)).toBe(refusal);
  });
});

describe('after the accept (spec section 11)', () => {
  const alice = { name: 'Alice', phone: ALICE, acceptedAt: '2026-01-01T02:50:00Z' };
  const eta = (phone: string, etaMinutes: number): TechnicianReply => ({ phone, decision: 'eta', via: 'sms', etaMinutes });
  const accept = (phone: string, etaMinutes: number): TechnicianReply => ({ phone, decision: 'accept', via: 'sms', etaMinutes });
  // 03:00 UTC is 10:00 PM in New York (EST)
  it.each<[string, TechnicianReply, Partial<ReplyContext['state']>, boolean, ReplyOutcome, RegExp]>([
    ['an accept asks for an ETA', reply(ALICE, 'accept'), {}, true, 'accepted', /Reply ETA K7QP <minutes>/],
    ['an accept with an ETA repeats it', accept(ALICE, 40), {}, true, 'accepted', /ETA 10:40 PM \(40 min\) sent to the customer/],
    ['before the patch an accept is as before', accept(ALICE, 40), {}, false, 'accepted', /^(?!.*ETA).*Burst pipe/s],
    ['an ETA sets it', eta(ALICE, 90), { assigned: alice, status: 'ACCEPTED' }, true, 'eta_set', /11:30 PM \(90 min\)/],
    ['YES with minutes after the accept sets the ETA', accept(ALICE, 20), { assigned: alice, status: 'ACCEPTED' }, true, 'eta_set', /10:20 PM/],
    ['ARRIVED', reply(ALICE, 'arrived'), { assigned: alice, status: 'ACCEPTED' }, true, 'arrived', /Arrival at job K7QP recorded/],
    ['ARRIVED twice', reply(ALICE, 'arrived'), { assigned: alice, status: 'ON_SITE' }, true, 'unchanged', /already on site/],
    ['an ETA once on site', eta(ALICE, 10), { assigned: alice, status: 'ON_SITE' }, true, 'unchanged', /already on site/],
    ['DONE on site', reply(ALICE, 'done'), { assigned: alice, status: 'ON_SITE' }, true, 'completed', /marked complete/],
    ['DONE without ARRIVED', reply(ALICE, 'done'), { assigned: alice, status: 'ACCEPTED' }, true, 'completed', /marked complete/],
    ['DONE again', reply(ALICE, 'done'), { assigned: alice, status: 'COMPLETED' }, true, 'closed', /completed/],
    ["someone else's job", reply(BOB, 'arrived'), { assigned: alice, status: 'ACCEPTED' }, true, 'unchanged', /assigned to Alice/],
    ['an ETA before anybody accepted', eta(ALICE, 30), {}, true, 'unchanged', /accept it first/],
    ['an ETA on a cancelled dispatch', eta(ALICE, 30), { status: 'CANCELLED' }, true, 'closed', /cancelled/],
    ['a dispatch from before the patch', reply(ALICE, 'arrived'), { assigned: alice, status: 'ACCEPTED' }, false, 'closed', /K7QP/],
  ])('%s', (_case, r, state, followsJob, outcome, message) => {
    const result = judgeReply(r, { state: { ...base, ...state }, now: NOW, followsJob, timeZone: 'America/New_York' });
    expect(result.outcome).toBe(outcome);
    expect(result.message).toMatch(message);
  });
});
