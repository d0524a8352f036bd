import type { Client } from '@temporalio/client';
import { describe, expect, test } from 'vitest';
import { HAND_OVER_WINDOW_MS, StickyHandOver } from '../../../activities/phone/stickyHandOver';

/** The client's one call used here, recorded; `fail` answers it with that error instead. */
function server(fail?: Error & { code?: number }) {
  const resets: string[] = [];
  const via = {
    options: { namespace: 'default' },
    workflowService: {
      async resetStickyTaskQueue(req: { namespace: string; execution: { workflowId: string } }) {
        resets.push(`${req.namespace}/${req.execution.workflowId}`);
        if (fail) throw fail;
        return {};
      },
    },
  } as unknown as Client;
  return { resets, via };
}

describe("a process just started moves each phone it reaches off a dead worker's sticky queue", () => {
  test('within the window: once per phone, concurrent callers waiting on the same reset', async () => {
    const { resets, via } = server();
    const handOver = new StickyHandOver(1_000, () => 1_500);
    await Promise.all([handOver.before('phone-q-+1', via), handOver.before('phone-q-+1', via), handOver.before('phone-q-+2', via)]);
    await handOver.before('phone-q-+1', via);
    expect(resets).toEqual(['default/phone-q-+1', 'default/phone-q-+2']);
  });

  test('past the window (the server then skips a dead poller itself): no call at all', async () => {
    const { resets, via } = server();
    let now = 0;
    const handOver = new StickyHandOver(0, () => now);
    now = HAND_OVER_WINDOW_MS;
    await handOver.before('phone-q-+1', via);
    expect(resets).toEqual([]);
  });

  test('a phone with no workflow yet, or a server that refuses: the Update goes ahead regardless', async () => {
    for (const err of [Object.assign(new Error('workflow not found'), { code: 5 }), Object.assign(new Error('unavailable'), { code: 14 })]) {
      const { resets, via } = server(err);
      const handOver = new StickyHandOver(0, () => 1);
      await expect(handOver.before('phone-q-+1', via)).resolves.toBeUndefined();
      expect(resets).toHaveLength(1);
    }
  });
});
