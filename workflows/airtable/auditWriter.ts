// The fleet's one Airtable writer (spec section 6). Dispatches signal their rows here; the writer
// merges them by key, writes them 10 to a request across every dispatch, one request at a time,
// spaced so the whole fleet stays under Airtable's per-base limit whatever the number of workers.
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AuditActivities } from '../../src/contract/activities';
import type { CallRow, DispatchEventRow } from '../../src/domain/types';
import { mergeRow } from '../../src/domain/airtable/rowMerge';
import { auditRowsSignal, type AuditOp } from '../../src/contract/audit';

export interface AuditWriterInput {
  requestsPerSecond: number;
  /** rows not yet written, carried over a continue-as-new */
  pending?: AuditOp[];
}

const MAX_RECORDS = 10;

export async function auditWriterWorkflow(input: AuditWriterInput): Promise<void> {
  const calls = new Map<string, CallRow>();
  const events = new Map<string, DispatchEventRow>();
  const take = (ops: AuditOp[]) => {
    for (const op of ops) {
      if (op.table === 'calls') calls.set(op.row.callId, mergeRow(calls.get(op.row.callId), op.row));
      else events.set(op.row.eventKey, mergeRow(events.get(op.row.eventKey), op.row));
    }
  };
  take(input.pending ?? []);
  setHandler(auditRowsSignal, take);

  const audit = proxyActivities<AuditActivities>({
    taskQueue: workflowInfo().taskQueue, // the audit queue: the writer runs there
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '7 days',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s' },
  });
  const intervalMs = 1000 / input.requestsPerSecond;
  let turn: 'calls' | 'events' = 'calls';

  for (;;) {
    await condition(() => calls.size + events.size > 0 || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 10_000);
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 10_000) {
      await condition(allHandlersFinished);
      const pending: AuditOp[] = [
        ...[...calls.values()].map((row): AuditOp => ({ table: 'calls', row })),
        ...[...events.values()].map((row): AuditOp => ({ table: 'events', row })),
      ];
      await continueAsNew<typeof auditWriterWorkflow>({ ...input, pending });
    }
    // Tables take turns so a flood of events cannot hold back the Calls rows (and the reverse).
    const table: 'calls' | 'events' = turn === 'calls' ? (calls.size ? 'calls' : 'events') : events.size ? 'events' : 'calls';
    turn = table === 'calls' ? 'events' : 'calls';
    // Out of the maps before the write: a newer value of a key that arrives meanwhile waits for the
    // next request, so each key's values reach Airtable in the order they happened.
    if (table === 'calls') {
      const batch = [...calls.values()].slice(0, MAX_RECORDS);
      for (const row of batch) calls.delete(row.callId);
      await audit.upsertCalls.executeWithOptions({ summary: `Airtable ${batch.length} call(s)` }, [batch, { holdMs: intervalMs }]);
    } else {
      const batch = [...events.values()].slice(0, MAX_RECORDS);
      for (const row of batch) events.delete(row.eventKey);
      await audit.upsertDispatchEvents.executeWithOptions({ summary: `Airtable ${batch.length} event(s)` }, [batch, { holdMs: intervalMs }]);
    }
  }
}
