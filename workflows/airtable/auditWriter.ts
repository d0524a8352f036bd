// The fleet's one Airtable writer (spec section 6). Dispatches signal their rows here; the writer
// keeps them merged by key (PendingRows), writes them 10 to a request across every dispatch, one
// request at a time, each held for its slot so the whole fleet stays under Airtable's per-base
// limit whatever the number of workers.
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AuditActivities } from '../../src/contract/activities';
import { PendingRows, type AuditOp } from '../../src/domain/airtable/pendingRows';
import { requestIntervalMs } from '../../src/domain/airtable/pace';
import { auditRowsSignal } from '../../src/contract/audit';

export interface AuditWriterInput {
  requestsPerSecond: number;
  /** rows not yet written, carried over a continue-as-new */
  pending?: AuditOp[];
}

export async function auditWriterWorkflow(input: AuditWriterInput): Promise<void> {
  const pending = new PendingRows(input.pending);
  setHandler(auditRowsSignal, (ops) => pending.add(ops));

  const audit = proxyActivities<AuditActivities>({
    taskQueue: workflowInfo().taskQueue, // the audit queue: the writer runs there
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '7 days',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s' },
  });
  const pace = { holdMs: requestIntervalMs(input.requestsPerSecond) };
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 10_000;

  for (;;) {
    await condition(() => pending.size > 0 || historyFull());
    if (historyFull()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof auditWriterWorkflow>({ ...input, pending: pending.toOps() });
    }
    const batch = pending.takeBatch()!;
    if (batch.table === 'calls') await audit.upsertCalls.executeWithOptions({ summary: `Airtable ${batch.rows.length} call(s)` }, [batch.rows, pace]);
    else await audit.upsertDispatchEvents.executeWithOptions({ summary: `Airtable ${batch.rows.length} event(s)` }, [batch.rows, pace]);
  }
}
