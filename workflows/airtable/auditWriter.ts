// The fleet's one Airtable writer (spec section 6). Dispatches signal their rows here; the writer
// keeps them merged by key (PendingRows), writes them 10 to a request across every dispatch, one
// request at a time, each held for its slot so the whole fleet stays under Airtable's per-base
// limit whatever the number of workers. Its backlog stays small enough to carry over a
// continue-as-new: past a bound it says in its Memo that it is full, and the dispatches keep their
// rows until it is open again (src/domain/airtable/backPressure.ts).
import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { AuditActivities } from '../../src/contract/activities';
import { mayCarryOver, writerFull } from '../../src/domain/airtable/backPressure';
import { PendingRows, type AuditOp } from '../../src/domain/airtable/pendingRows';
import { requestIntervalMs } from '../../src/domain/airtable/pace';
import { AUDIT_WRITER_FULL_MEMO, airtableWritesQueueFor, auditRowsSignal } from '../../src/contract/audit';

/**
 * Memo upserts and postponed continue-as-new are new commands: a writer whose history predates them
 * replays without, and takes them up from its first step run live (a writer stuck on a carry-over
 * too large, for one).
 */
const BACK_PRESSURE = 'audit-writer-back-pressure';

export interface AuditWriterInput {
  requestsPerSecond: number;
  /** rows not yet written, carried over a continue-as-new */
  pending?: AuditOp[];
}

export async function auditWriterWorkflow(input: AuditWriterInput): Promise<void> {
  const pending = new PendingRows(input.pending);
  // A run continued-as-new inherits its predecessor's Memo, and with it what forwarders were told.
  let full = workflowInfo().memo?.[AUDIT_WRITER_FULL_MEMO] === true;
  // Upserted on a crossing only: an event in the history once per fill and drain, not per signal.
  const publishFullness = () => {
    const now = writerFull(pending.bytes, full);
    if (now === full || !patched(BACK_PRESSURE)) return;
    full = now;
    upsertMemo({ [AUDIT_WRITER_FULL_MEMO]: full });
  };
  setHandler(auditRowsSignal, (ops) => {
    pending.add(ops);
    publishFullness();
  });
  // Should a run begin with its Memo saying full over rows that no longer make it so, forwarders
  // would wait for a writer with nothing left to write: settle it at once.
  publishFullness();

  const audit = proxyActivities<AuditActivities>({
    // Not the audit queue the writer runs on: a replay compares no queue, and writes scheduled there
    // before are still served there.
    taskQueue: airtableWritesQueueFor(workflowInfo().taskQueue),
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '7 days',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s' },
  });
  const pace = { holdMs: requestIntervalMs(input.requestsPerSecond) };
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 10_000;

  for (;;) {
    await condition(() => pending.size > 0 || historyFull());
    // A carry-over over the payload limit would fail on every retry of the task and stall the
    // writer: it writes on instead (full, so no more rows come) until the carry-over fits.
    if (historyFull() && (!patched(BACK_PRESSURE) || mayCarryOver(pending.bytes))) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof auditWriterWorkflow>({ ...input, pending: pending.toOps() });
    }
    const batch = pending.takeBatch()!;
    publishFullness();
    if (batch.table === 'calls') await audit.upsertCalls.executeWithOptions({ summary: `Airtable ${batch.rows.length} call(s)` }, [batch.rows, pace]);
    else await audit.upsertDispatchEvents.executeWithOptions({ summary: `Airtable ${batch.rows.length} event(s)` }, [batch.rows, pace]);
  }
}
