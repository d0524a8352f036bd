// Who is on call, for the dispatch (each step pages its tier's on-call technicians) and for the
// schedule workflow (reminders, gaps, the API's view). The schedule rules are pure
// (src/domain/roster); this reads the roster and the schedule and applies them at this moment.
import type { DispatchActivities, OnCallActivities } from '../../src/contract/activities';
import { planOnCall } from '../../src/domain/roster/onCallPlan';
import { onCallAt, type Schedule } from '../../src/domain/roster/schedule';
import type { RosterSource } from './rosterSource';

export interface OnCallOptions {
  /** BUSINESS_TIMEZONE: schedule times without an offset are read in it */
  timeZone: string;
  businessName: string;
}

export function createOnCallActivities(roster: RosterSource, opts: OnCallOptions): Pick<DispatchActivities, 'loadOnCall'> & OnCallActivities {
  const schedule = async (): Promise<Schedule> => ({ ...(await roster.loadSnapshot()), timeZone: opts.timeZone });
  return {
    loadOnCall: async (tier) => onCallAt(await schedule(), tier, Date.now()),
    planOnCall: async (options) => planOnCall(await schedule(), Date.now(), { ...options, businessName: opts.businessName }),
  };
}
