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
    ['no decision', { phone: ALICE, decision: 'maybe' as never, via: 'sms' }, 'decision must be accept or decline'],
  ])('%s', (_case, r, refusal) => {
    expect(replyRefusal(r, state)).toBe(refusal);
  });
});
