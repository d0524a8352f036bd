// The dispatch's side of the Airtable writer: signal-with-start, so the writer exists whenever a
// dispatch has something to write. Temporal only; Airtable is never touched here. While the writer
// is full the rows stay where they are, in this activity's input in the dispatch's history, and
// the activity asks again later.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { auditRowsSignal, auditTaskQueueFor, auditWriterIdFor, type AuditOp } from '../../src/contract/audit';
import type { AuditForwardActivities } from '../../src/contract/activities';
import { FORWARD_HOLD_MS, forwardRetryDelayMs } from '../../src/domain/airtable/backPressure';
import { auditForwardsDeferred } from '../../src/observability/metrics';
import { WriterGate } from './writerGate';

export function createAuditForwardActivities(opts: { taskQueue: string; baseId: string; requestsPerSecond: number }): AuditForwardActivities {
  const workflowId = auditWriterIdFor(opts.taskQueue, opts.baseId);
  const auditQueue = auditTaskQueueFor(opts.taskQueue);
  const writer = new WriterGate(); // one per worker process: its forwards share each describe
  return {
    async forwardAudit(ops: AuditOp[]) {
      const { client, info, sleep } = Context.current();
      // Held in its slot on the audit queue only (the dispatch queue's slots page), counted from its
      // start, so a slow describe leaves the signal its time.
      const holdUntil = Date.now() + (info.taskQueue === auditQueue ? FORWARD_HOLD_MS : 0);
      const isFull = () =>
        writer.full(async () => {
          const described = await client.workflow.getHandle(workflowId).describe();
          return described.status.name === 'RUNNING' ? (described.memo ?? {}) : undefined;
        });
      let full = await isFull();
      while (full && Date.now() < holdUntil) {
        await sleep(500);
        full = await isFull();
      }
      if (full) {
        auditForwardsDeferred.inc();
        throw ApplicationFailure.create({
          type: 'AuditWriterFull',
          message: 'the Airtable writer is full: the rows wait in the dispatch',
          nextRetryDelay: forwardRetryDelayMs(info.attempt, Math.random()),
          // expected and retried: logged at debug, not as a warning per attempt
          category: ApplicationFailureCategory.BENIGN,
        });
      }
      await client.workflow.signalWithStart('auditWriterWorkflow', {
        workflowId,
        // Its own queue: its workflow tasks never wait behind a storm of dispatches.
        taskQueue: auditQueue,
        args: [{ requestsPerSecond: opts.requestsPerSecond }],
        signal: auditRowsSignal,
        signalArgs: [ops],
      });
    },
  };
}
