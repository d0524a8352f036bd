// The dispatch's side of the Airtable writer: signal-with-start, so the writer exists whenever a
// dispatch has something to write. Temporal only; Airtable is never touched here.
import { Context } from '@temporalio/activity';
import { auditRowsSignal, auditTaskQueueFor, auditWriterIdFor, type AuditOp } from '../../src/contract/audit';
import type { AuditForwardActivities } from '../../src/contract/activities';

export function createAuditForwardActivities(opts: { taskQueue: string; baseId: string; requestsPerSecond: number }): AuditForwardActivities {
  return {
    async forwardAudit(ops: AuditOp[]) {
      await Context.current().client.workflow.signalWithStart('auditWriterWorkflow', {
        workflowId: auditWriterIdFor(opts.taskQueue, opts.baseId),
        // Its own queue: its workflow tasks never wait behind a storm of dispatches.
        taskQueue: auditTaskQueueFor(opts.taskQueue),
        args: [{ requestsPerSecond: opts.requestsPerSecond }],
        signal: auditRowsSignal,
        signalArgs: [ops],
      });
    },
  };
}
