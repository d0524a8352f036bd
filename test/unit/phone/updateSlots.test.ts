import { describe, expect, test } from 'vitest';
import { UpdateSlots } from '../../../activities/phone/updateSlots';

/** A call that stays in flight until released, recording how many were in flight at once. */
function gate() {
  const releases: Array<() => void> = [];
  let inFlight = 0;
  let most = 0;
  const call = () =>
    new Promise<void>((resolve) => {
      most = Math.max(most, ++inFlight);
      releases.push(() => {
        inFlight--;
        resolve();
      });
    });
  return { call, releaseAll: () => releases.splice(0).forEach((r) => r()), most: () => most, waiting: () => releases.length };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('Updates in flight to one phone workflow from one process', () => {
  test('no more than the limit run at once for one workflow; the rest wait their turn', async () => {
    const slots = new UpdateSlots(4);
    const g = gate();
    const all = Promise.all(Array.from({ length: 11 }, () => slots.run('phone-q-+1', g.call)));
    await settle();
    expect(g.waiting()).toBe(4);
    while (g.waiting() > 0) {
      g.releaseAll();
      await settle();
    }
    await all;
    expect(g.most()).toBe(4);
  });

  test('workflows do not share slots', async () => {
    const slots = new UpdateSlots(1);
    const g = gate();
    const all = Promise.all(['phone-q-+1', 'phone-q-+2', 'phone-q-+3'].map((id) => slots.run(id, g.call)));
    await settle();
    expect(g.waiting()).toBe(3);
    g.releaseAll();
    await all;
  });

  test('a failed Update frees its slot and is forgotten with the others once idle', async () => {
    const slots = new UpdateSlots(1);
    await expect(slots.run('phone-q-+1', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await slots.run('phone-q-+1', async () => 'next')).toBe('next');
    expect(slots.size).toBe(0);
  });
});
