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

/** A step's read of the roster and its phones: milliseconds, and it changes nothing. */
export type FirstRead = Pick<PhoneActivities, 'onCallNow'>;

/**
 * The first step's read as a local activity: the worker runs it inside the dispatch's first
 * workflow task and the history records one marker, so the first page waits for no activity task
 * and no second workflow task. Only before anything is sent: a workflow task holds back its
 * commands and its answers to replies until its local activities are done, and a reply must not
 * wait on a read.
 */
export const firstReadActivities = (): ActivityInterfaceFor<FirstRead> =>
  proxyLocalActivities<FirstRead>({
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
