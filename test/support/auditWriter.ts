// The fleet's Airtable writer seen from outside, for the end-to-end tests and the replay recorder:
// what its Memo says, the signals its current run took, and rows enough to make it full.
import type { Client } from '@temporalio/client';
import { AUDIT_WRITER_FULL_MEMO, auditRowsSignal, auditTaskQueueFor, auditWriterIdFor, type AuditOp } from '../../src/contract/audit';
import { FULL_BYTES } from '../../src/domain/airtable/backPressure';
import { DEFAULT_REQUESTS_PER_SECOND } from '../../src/domain/airtable/pace';
import type { Stack } from './stack';

export const writerIdOf = (stack: Stack): string => auditWriterIdFor(stack.env.TEMPORAL_TASK_QUEUE!, stack.env.AIRTABLE_BASE_ID!);

/** What the writer's Memo says: true full, false open again, undefined never said. */
export async function writerSaysFull(client: Client, writerId: string): Promise<boolean | undefined> {
  const { memo } = await client.workflow.getHandle(writerId).describe();
  return memo?.[AUDIT_WRITER_FULL_MEMO] as boolean | undefined;
}

/** Rows signalled to the writer's current run. */
export async function signalsTaken(client: Client, writerId: string): Promise<number> {
  const { events } = await client.workflow.getHandle(writerId).fetchHistory();
  return (events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

/**
 * Calls rows with the longest summary a call may have (5,000 characters), `rowsPerSignal` to a
 * signal, until they weigh more than the writer holds before it turns full.
 */
export async function fillWriter(client: Client, stack: Stack, rowsPerSignal = 40): Promise<void> {
  const summary = 'Water through the ceiling of the flat below. '.repeat(112).slice(0, 5_000);
  const rows = Math.ceil(FULL_BYTES / summary.length);
  for (let first = 0; first < rows; first += rowsPerSignal) {
    const ops: AuditOp[] = Array.from({ length: rowsPerSignal }, (_, i) => ({
      table: 'calls',
      row: { callId: `CAfill${first + i}`, callerPhone: '+12125550170', urgency: 'routine', status: 'PAGING', summary },
    }));
    await client.workflow.signalWithStart('auditWriterWorkflow', {
      workflowId: writerIdOf(stack),
      taskQueue: auditTaskQueueFor(stack.env.TEMPORAL_TASK_QUEUE!),
      args: [{ requestsPerSecond: DEFAULT_REQUESTS_PER_SECOND }],
      signal: auditRowsSignal,
      signalArgs: [ops],
    });
  }
}
