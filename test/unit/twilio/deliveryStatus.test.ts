import { describe, expect, it } from 'vitest';
import { advance, isFinal, toDeliveryStatus } from '../../../src/domain/twilio/deliveryStatus';
import type { DeliveryStatus } from '../../../src/domain/types';

describe('toDeliveryStatus', () => {
  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'sending'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
    ['received', undefined],
    ['toString', undefined],
  ])('%s -> %s', (twilio, ours) => {
    expect(toDeliveryStatus(twilio)).toBe(ours);
  });
});

describe('isFinal', () => {
  it.each<[DeliveryStatus, boolean]>([
    ['queued', false],
    ['sending', false],
    ['sent', false],
    ['delivered', true],
    ['undelivered', true],
    ['failed', true],
  ])('%s -> %s', (status, final) => {
    expect(isFinal(status)).toBe(final);
  });
});

describe('advance', () => {
  it.each<[DeliveryStatus, DeliveryStatus, DeliveryStatus]>([
    ['queued', 'sending', 'sending'],
    ['queued', 'sent', 'sent'],
    ['sending', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['queued', 'failed', 'failed'],
    ['sent', 'undelivered', 'undelivered'],
    // never backwards: late or duplicate callbacks change nothing
    ['sent', 'sending', 'sent'],
    ['sent', 'queued', 'sent'],
    ['sent', 'sent', 'sent'],
    // final stays final, whatever arrives after
    ['delivered', 'sent', 'delivered'],
    ['delivered', 'undelivered', 'delivered'],
    ['delivered', 'failed', 'delivered'],
    ['failed', 'delivered', 'failed'],
    ['undelivered', 'delivered', 'undelivered'],
    ['undelivered', 'failed', 'undelivered'],
  ])('%s + %s -> %s', (current, next, expected) => {
    expect(advance(current, next)).toBe(expected);
  });
});
