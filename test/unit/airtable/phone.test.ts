import { describe, expect, it } from 'vitest';
import { toE164 } from '../../../src/domain/phone';

describe('toE164', () => {
  it.each([
    ['(212) 555-0101', '+12125550101'],
    ['212.555.0101', '+12125550101'],
    [' +1 212 555 0101 ', '+12125550101'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('%s → %s', (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });

  it.each(['', 'call me', '555-0101', '+1 555 555 0101', '12345'])('rejects %j', (input) => {
    expect(toE164(input)).toBeNull();
  });

  it('uses the default country for national numbers', () => {
    expect(toE164('020 7946 0958', 'GB')).toBe('+442079460958');
  });
});
