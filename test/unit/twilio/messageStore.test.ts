import { describe, expect, it } from 'vitest';
import { countSegments, MessageStore } from '../../../emulators/twilio/messageStore';

const outbound = (to: string, body: string) => ({ direction: 'outbound-api' as const, from: '+15005550006', to, body });

describe('MessageStore', () => {
  it('filters DateSent on date_sent like Twilio, so a message still queued drops out', () => {
    const store = new MessageStore();
    const m = store.add(outbound('+14155550100', 'x'));
    const filter = { dateSentAfter: new Date(Date.now() - 60_000) };
    expect(store.list(filter)).toEqual([]);
    store.setStatus(m.sid, 'sent');
    expect(store.list(filter).map((x) => x.sid)).toEqual([m.sid]);
    expect(store.list({ dateSentBefore: new Date(Date.now() - 60_000) })).toEqual([]);
  });

  it('counts copies per phone and body, outbound only', () => {
    const store = new MessageStore();
    store.add(outbound('+14155550100', 'page'));
    store.add(outbound('+14155550100', 'page'));
    store.add(outbound('+14155550101', 'page'));
    store.add({ direction: 'inbound', from: '+14155550100', to: '+15005550006', body: 'page' });
    expect(store.copies('+14155550100', 'page')).toBe(2);
    expect(store.outboundCount()).toBe(3);
  });
});

describe('countSegments', () => {
  it.each([
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['é'.repeat(160), 1],
    ['☃'.repeat(70), 1],
    ['☃'.repeat(71), 2],
  ])('%#: %s', (body, segments) => {
    expect(countSegments(body)).toBe(segments);
  });
});
