import { describe, expect, it } from 'vitest';
import {
  attemptsTo,
  nameOf,
  pagedPhones,
  stepCanStillAnswer,
  stepRecipients,
  unreachableSince,
  whomToStandDown,
} from '../../../src/domain/dispatch/sentMessages';
import type { DeliveryStatus, MessageKind, SentMessage, Technician } from '../../../src/domain/types';

const ALICE = '+12125550101';
const BOB = '+12125550102';
const CAROL = '+12125550103';
const CALLER = '+12125550150';

function sent(kind: MessageKind, to: string, status: DeliveryStatus = 'delivered', technician?: string): SentMessage {
  return { key: `k/${kind}/${to}/${status}`, kind, to, technician, attempt: 1, sentAt: '2026-01-01T03:00:00Z', status };
}

describe('who was paged', () => {
  const messages = [
    sent('CUSTOMER_NOTIFIED', CALLER),
    sent('PAGE', ALICE, 'delivered', 'Alice'),
    sent('PAGE', BOB),
    sent('FOLLOW_UP', ALICE, 'sent', 'Alice'),
    sent('STAND_DOWN', BOB),
  ];
  it('lists paged phones in order, repeats included, never the caller', () => {
    expect(pagedPhones(messages)).toEqual([ALICE, BOB, ALICE]);
  });
  it.each([
    [ALICE, 2],
    [BOB, 1],
    [CAROL, 0],
    [CALLER, 0],
  ])('counts pages and follow-ups to %s: %i', (phone, attempts) => {
    expect(attemptsTo(messages, phone)).toBe(attempts);
  });
  it('names a technician as paged, or falls back to the number', () => {
    expect(nameOf(messages, ALICE)).toBe('Alice');
    expect(nameOf(messages, BOB)).toBe(BOB);
  });
});

describe('who can still answer the step', () => {
  it.each<[string, SentMessage[], string[], boolean]>([
    ['a delivered page', [sent('PAGE', ALICE)], [], true],
    ['a page still queued', [sent('PAGE', ALICE, 'queued')], [], true],
    ['only failed pages', [sent('PAGE', ALICE, 'failed'), sent('PAGE', BOB, 'undelivered')], [], false],
    ['everyone declined', [sent('PAGE', ALICE), sent('PAGE', BOB)], [ALICE, BOB], false],
    ['one declined, one undelivered', [sent('PAGE', ALICE), sent('PAGE', BOB, 'undelivered')], [ALICE], false],
    ['one declined, one still open', [sent('PAGE', ALICE), sent('PAGE', BOB, 'sent')], [ALICE], true],
    ['nobody paged', [], [], false],
  ])('%s → %s', (_case, pagedInStep, declined, expected) => {
    expect(stepCanStillAnswer(pagedInStep, declined)).toBe(expected);
  });
});

describe('whom a step pages', () => {
  const roster: Technician[] = [
    { name: 'Alice', phone: ALICE, tier: 1, active: true },
    { name: 'Bob', phone: BOB, tier: 1, active: true },
    { name: 'Erin', phone: '+12125550105', tier: 1, active: false },
    { name: 'Carol', phone: CAROL, tier: 2, active: true },
  ];
  it.each<[string, 1 | 2 | 3, string[], string[], string[]]>([
    ['tier 1, all there', 1, [], [], ['Alice', 'Bob']],
    ['tier 1, Bob declined', 1, [BOB], [], ['Alice']],
    ['tier 1, Alice unreachable this round', 1, [], [ALICE], ['Bob']],
    ['tier 2', 2, [ALICE], [], ['Carol']],
    ['tier 3, nobody on it', 3, [], [], []],
  ])('%s', (_case, tier, declined, unreachable, names) => {
    expect(stepRecipients(roster, tier, declined, new Set(unreachable)).map((t) => t.name)).toEqual(names);
  });
});

describe('unreachable this round', () => {
  it('counts only failed or undelivered pages since the round began', () => {
    const messages = [sent('PAGE', ALICE, 'failed'), sent('PAGE', BOB, 'undelivered'), sent('FOLLOW_UP', BOB, 'delivered'), sent('PAGE', CAROL, 'failed'), sent('CUSTOMER_NOTIFIED', CALLER, 'failed')];
    expect([...unreachableSince(messages, 0)]).toEqual([ALICE, BOB, CAROL]);
    expect([...unreachableSince(messages, 2)]).toEqual([CAROL]);
  });
});

describe('whom to stand down', () => {
  const messages = [
    sent('PAGE', ALICE, 'delivered', 'Alice'),
    sent('PAGE', BOB, 'undelivered', 'Bob'),
    sent('FOLLOW_UP', ALICE, 'delivered', 'Alice'),
    sent('PAGE', CAROL, 'sent', 'Carol'),
    sent('CUSTOMER_NOTIFIED', CALLER),
  ];
  it.each<[string, string | undefined, string[]]>([
    ['after Carol accepted: Alice once, not the unreachable Bob', CAROL, ['Alice']],
    ['after a cancel: everyone reached', undefined, ['Alice', 'Carol']],
  ])('%s', (_case, except, names) => {
    expect(whomToStandDown(messages, except).map((r) => r.name)).toEqual(names);
  });
});
