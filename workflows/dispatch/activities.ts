// How the dispatch calls its activities: timeouts and retries, in one place.
import { proxyActivities, proxyLocalActivities, workflowInfo, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { AuditActivities, AuditForwardActivities, DispatchActivities, PhoneActivities } from '../../src/contract/activities';
import { auditTaskQueueFor } from '../../src/contract/audit';

/** Twilio, the roster and the phones' workflows: on the dispatch's own queue, the paging path. */
export const pagingActivities = (): ActivityInterfaceFor<DispatchActivities & PhoneActivities> =>
  proxyActivities<DispatchActivities & PhoneActivities>({
    // One Twilio request (10 s client timeout) per attempt; a worker that dies mid-send is
    // noticed after this long and the retry reconciles with Twilio before sending.
    startToCloseTimeout: '12s',
    // A page must not wait forever on Twilio; after this the page counts as failed and we escalate.
    scheduleToCloseTimeout: '10m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
  });

/** What the dispatch asks of its worker in milliseconds and changes nothing: a step's read of the roster and its phones, a metric. */
export type QuickActivities = Pick<DispatchActivities & PhoneActivities, 'onCallNow' | 'reportOutcome'>;

/**
 * The quick ones as local activities: run by the worker inside the dispatch's workflow task, each
 * costs the history one marker instead of an activity's three events and the workflow task that
 * takes its result, and the first page no longer waits for those two round trips through the
 * server. A workflow task holds its commands (the pages among them) until its local activities
 * are done, so nothing that writes to another workflow is one: it may wait on that workflow.
 */
export const quickActivities = (): ActivityInterfaceFor<QuickActivities> =>
  proxyLocalActivities<QuickActivities>({
    startToCloseTimeout: '12s',
    scheduleToCloseTimeout: '10m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
  });

/**
 * Temporal only (a signal to the fleet's Airtable writer): quick, and retried until it lands. On
 * the audit queue, so a burst of audit rows never queues ahead of a page on the dispatch queue.
 */
export const auditForwardActivities = (): ActivityInterfaceFor<AuditForwardActivities> =>
  proxyActivities<AuditForwardActivities>({
    taskQueue: auditTaskQueueFor(workflowInfo().taskQueue),
    startToCloseTimeout: '10s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });

/** Only for dispatches recorded before the fleet's Airtable writer existed (see AuditLane). */
export const directAuditActivities = (): ActivityInterfaceFor<AuditActivities> =>
  proxyActivities<AuditActivities>({
    taskQueue: auditTaskQueueFor(workflowInfo().taskQueue),
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '7 days',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s' },
  });
