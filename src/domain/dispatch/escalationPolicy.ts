// The escalation ladder of spec section 2, one round at a time, and the timers that hold the
// technician to the job after the accept (section 11). Pure: the workflow runs them.
import type { DispatchPolicy, Tier } from '../types';

export interface LadderStep {
  tier: Tier;
  kind: 'PAGE' | 'FOLLOW_UP';
  /** how long to wait for an accept before the next step */
  waitMs: number;
  label: string;
}

/** One round: page tier 1, follow up tier 1, then tier 2 and tier 3, each with its wait. */
export function escalationRound(policy: Pick<DispatchPolicy, 't1Ms' | 't2Ms'>): LadderStep[] {
  return [
    { tier: 1, kind: 'PAGE', waitMs: policy.t1Ms, label: 'tier 1 page' },
    { tier: 1, kind: 'FOLLOW_UP', waitMs: policy.t2Ms, label: 'tier 1 follow-up' },
    { tier: 2, kind: 'PAGE', waitMs: policy.t2Ms, label: 'tier 2 page' },
    { tier: 3, kind: 'PAGE', waitMs: policy.t2Ms, label: 'tier 3 page' },
  ];
}

/** A page carrier-queued longer than the step's wait is no use: let the carrier drop it. */
export function pageValiditySeconds(step: LadderStep): number {
  return Math.min(36_000, Math.max(60, Math.ceil(step.waitMs / 1000)));
}

/** The job's timers when their settings are unset (spec section 7). */
export const JOB_TIMER_DEFAULTS = { defaultEtaMs: 60 * 60_000, arrivalGraceMs: 15 * 60_000, busyForMs: 4 * 60 * 60_000 } as const;

type JobTimers = Required<Pick<DispatchPolicy, 'defaultEtaMs' | 'arrivalGraceMs' | 'busyForMs'>>;

/** The job's timers of a dispatch; one started before they were settings uses the defaults. */
export function jobTimers(policy: Partial<JobTimers>): JobTimers {
  return {
    defaultEtaMs: policy.defaultEtaMs ?? JOB_TIMER_DEFAULTS.defaultEtaMs,
    arrivalGraceMs: policy.arrivalGraceMs ?? JOB_TIMER_DEFAULTS.arrivalGraceMs,
    busyForMs: policy.busyForMs ?? JOB_TIMER_DEFAULTS.busyForMs,
  };
}
