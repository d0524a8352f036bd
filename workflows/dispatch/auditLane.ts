// The dispatch's audit trail, never on the paging path: rows queue here in the order they happen
// and go, batched, to the fleet's one Airtable writer, at most once per flush interval: a page, its
// delivery callbacks, the accept and the stand-downs land within seconds, and each hand-off costs
// the dispatch an activity and a workflow task and the writer a signal.
import { CancellationScope, condition, patched } from '@temporalio/workflow';
import { AUDIT_GATHER_TIMER, type AuditOp } from '../../src/contract/audit';
import { MAX_RECORDS_PER_REQUEST } from '../../src/domain/airtable/pendingRows';
import { mergeRow } from '../../src/domain/airtable/rowMerge';
import { dispatchEventRow } from '../../src/domain/dispatch/auditRows';
import type { CallRow, DispatchEventRow, EventType } from '../../src/domain/types';
import { auditForwardActivities, directAuditActivities } from './activities';
import type { DispatchVersions } from './versions';

export class AuditLane {
  private readonly queue: AuditOp[] = [];
  private closing = false;
  private readonly forward = auditForwardActivities();
  private readonly direct = directAuditActivities();
  private done: Promise<void> = Promise.resolve();
  /** when the last hand-off started; the first waits one interval from the open */
  private lastForwardAt = 0;

  private readonly flushIntervalMs: number;
  private readonly versions: Pick<DispatchVersions, 'has'>;

  /**
   * `flushIntervalMs` (AUDIT_FLUSH_INTERVAL, part of the dispatch's input): 0 or unset, as in
   * dispatches started before it, hands each activation's rows over at once, as they recorded.
   * `versions`: the dispatch's; a workflow with none takes the writer's patch on its own.
   */
  constructor(
    private readonly callId: string,
    opts: { flushIntervalMs?: number; versions?: Pick<DispatchVersions, 'has'> } = {},
  ) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 0;
    this.versions = opts.versions ?? { has: patched };
  }

  /** Starts forwarding; runs until close(), unaffected by the dispatch's cancellation. */
  open(): void {
    this.lastForwardAt = Date.now();
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
    const viaWriter = this.versions.has('audit-writer');
    for (;;) {
      await condition(() => this.queue.length > 0 || this.closing);
      if (this.queue.length === 0) return;
      if (!viaWriter) {
        await this.writeDirectly();
        continue;
      }
      await this.gather();
      this.lastForwardAt = Date.now();
      await this.forward.forwardAudit.executeWithOptions({ summary: `audit ${this.queue.length} row(s)` }, [this.queue.splice(0)]);
    }
  }

  /** Lets the rows of the interval gather; the dispatch's close hands them over at once. */
  private async gather(): Promise<void> {
    const due = this.lastForwardAt + this.flushIntervalMs;
    if (this.closing || Date.now() >= due) return;
    await condition(() => this.closing, due - Date.now(), { summary: AUDIT_GATHER_TIMER });
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
