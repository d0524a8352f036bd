// The escalation ladder of spec section 2, one round at a time. Pure: the workflow runs it.
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
