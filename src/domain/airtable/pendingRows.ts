// The one Airtable write pipeline's rules: rows waiting to be written are merged by key, and
// leave in batches of at most 10 records — one Airtable request each. Pure: the fleet's writer
// workflow holds its rows in one of these.
import type { CallRow, DispatchEventRow } from '../types';
import { mergeRow } from './rowMerge';

/** Airtable creates or updates at most 10 records per request. */
export const MAX_RECORDS_PER_REQUEST = 10;

/** One audit row for the Airtable writer: a Calls row or a Dispatch Events row, partial. */
export type AuditOp = { table: 'calls'; row: CallRow } | { table: 'events'; row: DispatchEventRow };

export type AuditBatch = { table: 'calls'; rows: CallRow[] } | { table: 'events'; rows: DispatchEventRow[] };

export class PendingRows {
  private readonly calls = new Map<string, CallRow>();
  private readonly events = new Map<string, DispatchEventRow>();
  private turn: AuditBatch['table'] = 'calls';

  constructor(ops: readonly AuditOp[] = []) {
    this.add(ops);
  }

  /** A later value of a key lays its defined fields over the earlier one. */
  add(ops: readonly AuditOp[]): void {
    for (const op of ops) {
      if (op.table === 'calls') this.calls.set(op.row.callId, mergeRow(this.calls.get(op.row.callId), op.row));
      else this.events.set(op.row.eventKey, mergeRow(this.events.get(op.row.eventKey), op.row));
    }
  }

  get size(): number {
    return this.calls.size + this.events.size;
  }

  /**
   * The next request's rows, oldest first, out of the pending set: a newer value of a key that
   * arrives meanwhile waits for the next request, so each key's values reach Airtable in order.
   * The tables take turns so a flood of events cannot hold back the Calls rows, nor the reverse.
   */
  takeBatch(): AuditBatch | undefined {
    if (this.size === 0) return undefined;
    const table = this.turn === 'calls' ? (this.calls.size ? 'calls' : 'events') : this.events.size ? 'events' : 'calls';
    this.turn = table === 'calls' ? 'events' : 'calls';
    return table === 'calls' ? { table, rows: take(this.calls) } : { table, rows: take(this.events) };
  }

  /** Everything still pending, to carry over a continue-as-new. */
  toOps(): AuditOp[] {
    return [
      ...[...this.calls.values()].map((row): AuditOp => ({ table: 'calls', row })),
      ...[...this.events.values()].map((row): AuditOp => ({ table: 'events', row })),
    ];
  }
}

function take<T>(rows: Map<string, T>): T[] {
  const batch = [...rows.entries()].slice(0, MAX_RECORDS_PER_REQUEST);
  for (const [key] of batch) rows.delete(key);
  return batch.map(([, row]) => row);
}
