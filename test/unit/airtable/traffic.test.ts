import { describe, expect, it } from 'vitest';
import { Traffic } from '../../../emulators/airtable/traffic';

describe('emulator rate limiter (sliding 1 s window)', () => {
  it('lets the limit through per second, refuses the rest, and counts the busiest second', () => {
    const traffic = new Traffic(5);
    const at = (ms: number) => traffic.admit(1_000_000 + ms);
    expect([0, 100, 200, 300, 400].map(at)).toEqual([true, true, true, true, true]);
    expect(at(500)).toBe(false);
    expect(at(999)).toBe(false);
    // The first request leaves the window at +1000 ms: exactly one slot frees up.
    expect(at(1000)).toBe(true);
    expect(at(1001)).toBe(false);
    expect(traffic.stats(null)).toEqual({ requests: 9, rateLimited: 3, peakRequestsPerSecond: 8, outage: null });
  });

  it('starts afresh after reset', () => {
    const traffic = new Traffic(1);
    traffic.admit(0);
    expect(traffic.admit(1)).toBe(false);
    traffic.reset();
    expect(traffic.admit(2)).toBe(true);
    expect(traffic.stats(null).rateLimited).toBe(0);
  });
});
