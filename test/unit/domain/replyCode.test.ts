import { describe, expect, it } from 'vitest';
import { REPLY_CODE_ALPHABET, replyCodeFor } from '../../../src/domain/dispatch/replyCode';
import { parseEtaMinutes, parseReply } from '../../../src/domain/dispatch/replyParser';

describe('replyCodeFor', () => {
  it('is stable for the same callId', () => {
    expect(replyCodeFor('CA0123456789abcdef')).toBe(replyCodeFor('CA0123456789abcdef'));
  });

  it('defaults to 4 characters', () => {
    expect(replyCodeFor('CA1')).toHaveLength(4);
  });

  it.each([3, 5, 8])('uses only the unambiguous alphabet at length %i', (length) => {
    for (let i = 0; i < 200; i++) {
      const code = replyCodeFor(`call-${i}`, length);
      expect(code).toMatch(new RegExp(`^[${REPLY_CODE_ALPHABET}]{${length}}$`));
      expect(code).not.toMatch(/[01OIL]/);
    }
  });

  it('never reads as an ETA: a code starts with a letter, so YES <code> is never an accept with minutes', () => {
    for (let i = 0; i < 5000; i++) {
      const code = replyCodeFor(`CA${i}`);
      expect(code).toMatch(/^[A-Z]/);
      expect(parseEtaMinutes(code), code).toBeUndefined();
      expect(parseReply(`YES ${code}`)).toEqual({ kind: 'accept', code });
    }
  });

  it.each([2, 9, 4.5])('rejects length %s', (length) => {
    expect(() => replyCodeFor('CA1', length)).toThrow(/3 to 8/);
  });

  it('gives different callIds different codes almost always', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `CA${i.toString(16).padStart(32, '0')}`);
    const distinct = new Set(ids.map((id) => replyCodeFor(id)));
    // 1000 ids over 31^4 ≈ 923k codes: a fair hash collides about once; allow a few.
    expect(distinct.size).toBeGreaterThanOrEqual(995);
  });

  it('uses every position of the code (no constant characters)', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `call-${i}`);
    for (let position = 0; position < 8; position++) {
      const chars = new Set(ids.map((id) => replyCodeFor(id, 8)[position]));
      expect(chars.size).toBeGreaterThan(20);
    }
  });
});
