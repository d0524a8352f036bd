import { describe, expect, it } from 'vitest';
import { WriterGate } from '../../../activities/airtable/writerGate';
import { AUDIT_WRITER_FULL_MEMO } from '../../../src/contract/audit';

/** A describe that counts its calls and answers with the writer's current Memo. */
function writer(memo: Record<string, unknown> | undefined | Error) {
  const state = { memo, calls: 0 };
  const describe = async () => {
    state.calls++;
    await new Promise((r) => setImmediate(r));
    if (state.memo instanceof Error) throw state.memo;
    return state.memo;
  };
  return { state, describe };
}

describe('WriterGate: what the forwards of one process know of the writer', () => {
  it.each([
    ['full', { [AUDIT_WRITER_FULL_MEMO]: true }, true],
    ['open again', { [AUDIT_WRITER_FULL_MEMO]: false }, false],
    ['never full', {}, false],
    ['not running', undefined, false],
    ['unreadable', new Error('deadline exceeded'), false],
  ])('a writer %s reads as full: %s', async (_case, memo, full) => {
    const { describe } = writer(memo);
    expect(await new WriterGate().full(describe)).toBe(full);
  });

  it('asks once for a thousand forwards at the same moment, and not again within a second', async () => {
    let clock = 0;
    const gate = new WriterGate(1_000, () => clock);
    const { state, describe } = writer({ [AUDIT_WRITER_FULL_MEMO]: true });
    expect(await Promise.all(Array.from({ length: 1_000 }, () => gate.full(describe)))).toEqual(Array(1_000).fill(true));
    expect(state.calls).toBe(1);
    state.memo = { [AUDIT_WRITER_FULL_MEMO]: false };
    clock = 999;
    expect(await gate.full(describe)).toBe(true);
    expect(state.calls).toBe(1);
    clock = 1_000;
    expect(await gate.full(describe)).toBe(false);
    expect(state.calls).toBe(2);
  });
});
