import { describe, expect, it } from 'vitest';
import { MAX_RECORDS_PER_REQUEST, PendingRows, type AuditOp } from '../../../src/domain/airtable/pendingRows';

const event = (key: string, fields: Record<string, unknown> = {}): AuditOp => ({ table: 'events', row: { eventKey: key, callId: 'CA1', ...fields } });
const call = (callId: string, fields: Record<string, unknown> = {}): AuditOp => ({ table: 'calls', row: { callId, ...fields } });

describe('PendingRows: the one place rows are merged and capped', () => {
  it('merges two values of one key, the later defined fields winning', () => {
    const pending = new PendingRows([
      event('CA1/page', { eventType: 'PAGE_SENT', deliveryStatus: 'queued' }),
      event('CA1/page', { deliveryStatus: 'delivered', detail: undefined }),
    ]);
    expect(pending.size).toBe(1);
    expect(pending.takeBatch()).toEqual({
      table: 'events',
      rows: [{ eventKey: 'CA1/page', callId: 'CA1', eventType: 'PAGE_SENT', deliveryStatus: 'delivered' }],
    });
    expect(pending.takeBatch()).toBeUndefined();
  });

  it.each([
    [1, [1]],
    [10, [10]],
    [11, [10, 1]],
    [23, [10, 10, 3]],
  ])('%i distinct rows leave in batches of %j', (count, sizes) => {
    const pending = new PendingRows(Array.from({ length: count }, (_, i) => event(`k${i}`)));
    const batches: number[] = [];
    for (let batch = pending.takeBatch(); batch; batch = pending.takeBatch()) batches.push(batch.rows.length);
    expect(batches).toEqual(sizes);
    expect(Math.max(...batches)).toBeLessThanOrEqual(MAX_RECORDS_PER_REQUEST);
  });

  it('lets the tables take turns, oldest rows first', () => {
    const pending = new PendingRows([...Array.from({ length: 12 }, (_, i) => event(`e${i}`)), call('CA1'), call('CA2')]);
    const order = [];
    for (let batch = pending.takeBatch(); batch; batch = pending.takeBatch()) order.push(`${batch.table}:${batch.rows.length}`);
    expect(order).toEqual(['calls:2', 'events:10', 'events:2']);
  });

  it('a value arriving after its key left waits for the next batch', () => {
    const pending = new PendingRows([call('CA1', { status: 'PAGING' })]);
    expect(pending.takeBatch()?.rows).toEqual([{ callId: 'CA1', status: 'PAGING' }]);
    pending.add([call('CA1', { status: 'ACCEPTED' })]);
    expect(pending.takeBatch()?.rows).toEqual([{ callId: 'CA1', status: 'ACCEPTED' }]);
  });

  it('carries everything pending over a continue-as-new', () => {
    const ops = [call('CA1', { status: 'PAGING' }), event('k1'), event('k2')];
    expect(new PendingRows(new PendingRows(ops).toOps()).toOps()).toEqual(ops);
  });
});
