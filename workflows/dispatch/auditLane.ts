// The dispatch's audit trail, never on the paging path: rows queue here in the order they happen
// and go, batched, to the fleet's one Airtable writer.
import { CancellationScope, condition, patched } from '@temporalio/workflow';
import type { AuditOp } from '../../src/contract/audit';
import { MAX_RECORDS_PER_REQUEST } from '../../src/domain/airtable/pendingRows';
import { mergeRow } from '../../src/domain/airtable/rowMerge';
import { dispatchEventRow } from '../../src/domain/dispatch/auditRows';
import type { CallRow, DispatchEventRow, EventType } from '../../src/domain/types';
import { auditForwardActivities, directAuditActivities } from './activities';

export class AuditLane {
  private readonly queue: AuditOp[] = [];
  private closing = false;
  private readonly forward = auditForwardActivities();
  private readonly direct = directAuditActivities();
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly callId: string) {}

  /** Starts forwarding; runs until close(), unaffected by the dispatch's cancellation. */
  open(): void {
    this.done = CancellationScope.nonCancellable(() => this.run());
  }

  /** Forwards what is still queued, then ends. */
  async close(): Promise<void> {
    this.closing = true;
    await this.done;
  }

  event(row: DispatchEventRow): void {
    this.queue.push({ table: 'events', row });
  }

  /** An event of the dispatch itself, keyed `<callId>/<keySuffix>` so a repeat overwrites it. */
  dispatchEvent(eventType: EventType, keySuffix: string, fields: Partial<DispatchEventRow>): void {
    this.event(dispatchEventRow(this.callId, eventType, keySuffix, new Date().toISOString(), fields));
  }

  call(row: Omit<CallRow, 'callId'>): void {
    this.queue.push({ table: 'calls', row: { callId: this.callId, ...row } });
  }

  /** Everything queued so far, in order, to the fleet's writer; ends once the dispatch has. */
  private async run(): Promise<void> {
    const viaWriter = patched('audit-writer');
    for (;;) {
      await condition(() => this.queue.length > 0 || this.closing);
      if (this.queue.length === 0) return;
      if (viaWriter) await this.forward.forwardAudit.executeWithOptions({ summary: `audit ${this.queue.length} row(s)` }, [this.queue.splice(0)]);
      else await this.writeDirectly();
    }
  }

  /** The lane as it wrote before the writer existed: frozen, so those histories replay. */
  private async writeDirectly(): Promise<void> {
    if (this.queue[0]?.table === 'calls') {
      let row: CallRow = { callId: this.callId };
      while (this.queue[0]?.table === 'calls') row = mergeRow(row, this.queue.shift()!.row as CallRow);
      await this.direct.upsertCall.executeWithOptions({ summary: `Airtable call ${row.status ?? ''}`.trim() }, [row]);
      return;
    }
    const batch = new Map<string, DispatchEventRow>();
    while (this.queue[0]?.table === 'events') {
      const row = this.queue[0].row as DispatchEventRow;
      if (!batch.has(row.eventKey) && batch.size === MAX_RECORDS_PER_REQUEST) break;
      this.queue.shift();
      batch.set(row.eventKey, mergeRow(batch.get(row.eventKey), row));
    }
    await this.direct.upsertDispatchEvents.executeWithOptions({ summary: `Airtable ${batch.size} event(s)` }, [[...batch.values()]]);
  }
}
