// Messages of the phone workflow: one durable owner per phone number (spec section 10), shared by
// the dispatch workflow, the activities that reach it and the API that routes replies through it.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobNotice, PagePlan, PageRequest, PhoneAvailability, PhoneRecord, PhoneView, RingRequest } from '../domain/phone/phoneLedger';
import type { DeliveryStatus, SmsResult } from '../domain/types';

export type { JobNotice, PagePlan, PageRequest, PhoneAvailability, PhoneRecord, PhoneView, RingRequest };

/**
 * One per phone number and task queue, like the fleet's other singletons (`oncall-<queue>`): a
 * deployment's dispatches and its phones' workflows run on the same queue.
 */
export const phoneWorkflowIdFor = (taskQueue: string, phone: string): string => `phone-${taskQueue}-${phone}`;

/**
 * Where the phones' workflows run: a queue and a worker of their own, so a phone's task (every
 * page of a storm registers with it) never waits behind a storm of dispatches' tasks, and a phone's
 * long history stays cached where it is not evicted by them.
 */
export const phoneTaskQueueFor = (taskQueue: string): string => `${taskQueue}-phones`;

/**
 * The call id a bundled SMS carries in its status callback: its callbacks go to the phone's
 * workflow, which passes them to every job in the bundle.
 */
const BUNDLE_CALL_ID_PREFIX = 'bundle:';
export const bundleCallIdFor = (phone: string): string => `${BUNDLE_CALL_ID_PREFIX}${phone}`;
export const phoneOfBundleCallId = (callId: string): string | undefined =>
  callId.startsWith(BUNDLE_CALL_ID_PREFIX) ? callId.slice(BUNDLE_CALL_ID_PREFIX.length) : undefined;

/**
 * Dispatches ask to page this phone, several at once when a storm's pages meet in one worker
 * process. Each answer, in order, says which code the phone quotes for the job, the job the
 * technician is busy with (named in the page), and whether the page goes out now (the asking
 * activity sends it) or is held for a bundle the phone's workflow sends. A request asked again
 * (a retried activity) gets the answer it got the first time.
 */
export const pagesUpdate = defineUpdate<PagePlan[], [PageRequest[]]>('pages');

/** Wake-up calls about to be placed: each true when this phone was not rung within its window. */
export const ringsUpdate = defineUpdate<boolean[], [RingRequest[]]>('rings');

/** A job's news for this phone: assigned to it, closed, released; a caller's dispatch opened or closed. */
export const jobNoticeSignal = defineSignal<[JobNotice]>('job');

/** A send to this phone failed for good (opted out, not a mobile): later dispatches skip it. */
export const unreachableSignal = defineSignal<[{ errorCode: number }]>('unreachable');

/** The number texted START: it can be paged again. */
export const reachableSignal = defineSignal<[]>('reachable');

/** A status callback of a bundled SMS, by its key. */
export const bundleDeliverySignal = defineSignal<[{ key: string; messageSid: string; status: DeliveryStatus; errorCode?: number }]>('bundleDelivery');

/**
 * Where this phone's texts belong (its jobs with their codes, the dispatches it called about), for
 * reply routing when its published record is partial (a storm's thousands of open jobs).
 */
export const phoneViewQuery = defineQuery<PhoneView>('view');

/** The Memo key under which a phone's workflow publishes its PhoneRecord. */
export const PHONE_MEMO_KEY = 'phone';

/** The record a phone's workflow published; empty before its first task ends (nothing registered yet). */
export const publishedRecord = (memo: Record<string, unknown> | undefined): PhoneRecord =>
  (memo?.[PHONE_MEMO_KEY] as PhoneRecord | undefined) ?? { jobs: [], callerOf: [] };

/** To a dispatch: a page it asked for went out in a bundle (or was withdrawn, its job closed). */
export interface PageSent {
  key: string;
  result: SmsResult | { ok: false; withdrawn: true };
  sentAt: string;
}
export const pageSentSignal = defineSignal<[PageSent]>('pageSent');
