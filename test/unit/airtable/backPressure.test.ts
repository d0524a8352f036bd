import { describe, expect, it } from 'vitest';
import {
  CARRY_BUDGET_BYTES,
  FORWARD_HOLD_MS,
  FULL_BYTES,
  OPEN_BYTES,
  forwardRetryDelayMs,
  mayCarryOver,
  utf8Bytes,
  writerFull,
} from '../../../src/domain/airtable/backPressure';
import { PendingRows, type AuditOp } from '../../../src/domain/airtable/pendingRows';

const event = (key: string, fields: Record<string, unknown> = {}): AuditOp => ({ table: 'events', row: { eventKey: key, callId: 'CA1', ...fields } });
const call = (callId: string, fields: Record<string, unknown> = {}): AuditOp => ({ table: 'calls', row: { callId, ...fields } });
/** What a continue-as-new carrying the rows would weigh. */
const carried = (pending: PendingRows) => Buffer.byteLength(JSON.stringify(pending.toOps()));

describe('the Airtable writer\'s back-pressure', () => {
  it.each([
    ['empty, open', 0, false, false],
    ['below open, was full', OPEN_BYTES - 1, true, false],
    ['at the open bound, was full: stays full', OPEN_BYTES, true, true],
    ['between the bounds, was open: stays open', (OPEN_BYTES + FULL_BYTES) / 2, false, false],
    ['between the bounds, was full: stays full', (OPEN_BYTES + FULL_BYTES) / 2, true, true],
    ['at the full bound, was open: stays open', FULL_BYTES, false, false],
    ['above full, was open', FULL_BYTES + 1, false, true],
    ['above full, was full', 3 * FULL_BYTES, true, true],
  ])('%s: %i bytes (was full %s) → full %s', (_case, bytes, wasFull, full) => {
    expect(writerFull(bytes, wasFull)).toBe(full);
  });

  it.each([
    [0, true],
    [FULL_BYTES, true],
    [CARRY_BUDGET_BYTES, true],
    [CARRY_BUDGET_BYTES + 1, false],
  ])('a carry-over of %i bytes may continue-as-new: %s', (bytes, may) => {
    expect(mayCarryOver(bytes)).toBe(may);
  });

  it('carries over well under Temporal\'s 2 MiB payload limit, with room above the full bound', () => {
    expect(CARRY_BUDGET_BYTES).toBeLessThanOrEqual(1024 * 1024);
    expect(CARRY_BUDGET_BYTES - FULL_BYTES).toBeGreaterThanOrEqual(512 * 1024);
    expect(OPEN_BYTES).toBeLessThan(FULL_BYTES);
  });

  it('holds a forward at most half its 10 s timeout, leaving the rest for its signal', () => {
    expect(FORWARD_HOLD_MS).toBeLessThanOrEqual(5_000);
  });

  it.each([
    // attempt, random, delay
    [1, 0, 1_000],
    [1, 0.999_999, 2_000],
    [2, 0, 2_000],
    [3, 0.5, 6_000],
    [6, 0, 30_000],
    [7, 0, 30_000], // capped at a minute before the jitter
    [50, 0.999_999, 60_000],
  ])('attempt %i, random %d: the forward asks again after %i ms', (attempt, random, delay) => {
    expect(forwardRetryDelayMs(attempt, random)).toBe(delay);
  });

  it.each(['plain ASCII', 'Café crème, señor', 'Rohrbruch im Keller — 水漏れ', 'burst pipe 🚿💧', '"quoted" \\ and\nnewline'])(
    'counts the UTF-8 bytes of %j, never fewer than there are',
    (text) => {
      const json = JSON.stringify(text);
      expect(utf8Bytes(json)).toBeGreaterThanOrEqual(Buffer.byteLength(json));
      if (!/\p{Extended_Pictographic}/u.test(text)) expect(utf8Bytes(json)).toBe(Buffer.byteLength(json));
    },
  );
});

describe('PendingRows.bytes: the size of a carry-over, kept as rows come and go', () => {
  it('is the JSON size of the rows to carry, through merges and batches', () => {
    const pending = new PendingRows();
    expect(pending.bytes).toBe(carried(pending));
    pending.add([call('CA1', { status: 'PAGING', summary: 'Rohrbruch im Keller — Wasser überall' }), event('CA1/page', { deliveryStatus: 'queued' })]);
    expect(pending.bytes).toBe(carried(pending));
    pending.add([event('CA1/page', { deliveryStatus: 'delivered', detail: 'a longer detail than before' }), call('CA1', { status: 'ACCEPTED' })]);
    expect(pending.bytes).toBe(carried(pending));
    pending.add(Array.from({ length: 25 }, (_, i) => event(`CA2/e${i}`, { detail: 'x'.repeat(i * 40) })));
    for (let batch = pending.takeBatch(); batch; batch = pending.takeBatch()) expect(pending.bytes).toBe(carried(pending));
    expect(pending.bytes).toBe(2);
  });

  it('turns the writer full with some fifty calls of the longest summary', () => {
    const longest = 'Burst pipe, water everywhere. '.repeat(167).slice(0, 5_000);
    const pending = new PendingRows();
    let calls = 0;
    while (!writerFull(pending.bytes, false)) pending.add([call(`CA${calls++}`, { status: 'PAGING', summary: longest })]);
    expect(calls).toBeGreaterThan(40);
    expect(calls).toBeLessThan(60);
    expect(mayCarryOver(carried(pending))).toBe(true);
  });
});
