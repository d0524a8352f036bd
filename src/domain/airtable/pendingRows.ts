// The one Airtable write pipeline's rules: rows waiting to be written are merged by key, and
// leave in batches of at most 10 records — one Airtable request each. Pure: the fleet's writer
// workflow holds its rows in one of these.
import type { CallRow, DispatchEventRow } from '../types';
import { utf8Bytes } from './backPressure';
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
  /** each pending row's JSON size as an AuditOp, kept as rows come and go so no check walks them all */
  private readonly weights = { calls: new Map<string, number>(), events: new Map<string, number>() };
  private weight = 0;

  constructor(ops: readonly AuditOp[] = []) {
    this.add(ops);
  }

  /** A later value of a key lays its defined fields over the earlier one. */
  add(ops: readonly AuditOp[]): void {
    for (const op of ops) {
      if (op.table === 'calls') {
        const row = mergeRow(this.calls.get(op.row.callId), op.row);
        this.calls.set(row.callId, row);
        this.weigh('calls', row.callId, { table: 'calls', row });
      } else {
        const row = mergeRow(this.events.get(op.row.eventKey), op.row);
        this.events.set(row.eventKey, row);
        this.weigh('events', row.eventKey, { table: 'events', row });
      }
    }
  }

  get size(): number {
    return this.calls.size + this.events.size;
  }

  /** The JSON size (UTF-8) of toOps(): what carrying the rows over a continue-as-new weighs. */
  get bytes(): number {
    return this.size ? this.weight + this.size + 1 : 2; // the brackets, and the commas between the rows
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
    return table === 'calls' ? { table, rows: this.take(table, this.calls) } : { table, rows: this.take(table, this.events) };
  }

  /** Everything still pending, to carry over a continue-as-new. */
  toOps(): AuditOp[] {
    return [
      ...[...this.calls.values()].map((row): AuditOp => ({ table: 'calls', row })),
      ...[...this.events.values()].map((row): AuditOp => ({ table: 'events', row })),
    ];
  }

  private weigh(table: AuditOp['table'], key: string, op: AuditOp): void {
    const bytes = utf8Bytes(JSON.stringify(op));
    this.weight += bytes - (this.weights[table].get(key) ?? 0);
    this.weights[table].set(key, bytes);
  }

  private take<T>(table: AuditOp['table'], rows: Map<string, T>): T[] {
    const batch = [...rows.entries()].slice(0, MAX_RECORDS_PER_REQUEST);
    for (const [key] of batch) {
      rows.delete(key);
      this.weight -= this.weights[table].get(key)!;
      this.weights[table].delete(key);
    }
    return batch.map(([, row]) => row);
  }
}
