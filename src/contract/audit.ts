// Messages to the fleet's one Airtable writer, and how its queue and workflow are named.
import { defineSignal } from '@temporalio/workflow';
import type { AuditOp } from '../domain/airtable/pendingRows';

export type { AuditOp };

/** Airtable writes run on their own queue so a burst of rows never queues ahead of a page. */
export const auditTaskQueueFor = (taskQueue: string): string => `${taskQueue}-audit`;

/**
 * The writer's Airtable writes run on a queue of their own: forwards waiting on the audit queue for
 * a full writer never queue ahead of the writes that empty it.
 */
export const airtableWritesQueueFor = (auditTaskQueue: string): string => `${auditTaskQueue}-writes`;

/** Rows from the dispatches to the one Airtable writer of the fleet. */
export const auditRowsSignal = defineSignal<[AuditOp[]]>('auditRows');

/** The single writer per task queue and base: every Airtable write of the fleet goes through it. */
export const auditWriterIdFor = (taskQueue: string, baseId: string): string => `airtable-audit-${taskQueue}-${baseId}`;

/**
 * The writer's Memo key saying whether it is full (true) or open (false or absent): forwarders
 * read it with a describe and keep their rows while it is full (docs/decisions.md, Airtable).
 */
export const AUDIT_WRITER_FULL_MEMO = 'backlogFull';

/**
 * The Web UI's summary of the timer a dispatch's audit lane waits on while rows gather for the next
 * hand-off (AUDIT_FLUSH_INTERVAL): the timer that changes nothing a caller or technician sees.
 */
export const AUDIT_GATHER_TIMER = 'audit rows gather';
