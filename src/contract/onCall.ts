// The on-call schedule's workflow: one per task queue, owning the hand-off reminders' and the
// coverage alerts' timers (spec section 9). Shared by the workflow, the worker that starts it and
// the API that asks it who is on call.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { ONCALL_MESSAGES_CALL_ID, type OnCallPlan } from '../domain/roster/onCallPlan';

export { ONCALL_MESSAGES_CALL_ID };

export const onCallWorkflowIdFor = (taskQueue: string): string => `oncall-${taskQueue}`;

/** How the schedule workflow runs: from the configuration of the workers that start it. */
export interface OnCallSettings {
  /** ONCALL_REMINDER_LEAD */
  leadMs: number;
  /** COVERAGE_HORIZON */
  horizonMs: number;
  /** ROSTER_REFRESH: how soon a change in the schedule takes effect */
  refreshMs: number;
}

/** Each worker signals its settings at start-up (signal-with-start): a deploy changes them. */
export const onCallSettingsSignal = defineSignal<[OnCallSettings]>('settings');

/** The schedule as last read: who is on call now, the next shifts, the gaps ahead. */
export const onCallQuery = defineQuery<OnCallPlan | undefined>('oncall');
