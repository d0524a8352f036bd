// What the on-call schedule asks of the product at one moment (spec section 9): who is on call
// now, which hand-off reminders are due, which coverage gaps lie ahead. Pure: an activity builds
// it from the schedule it read, and the schedule workflow acts on it.
import type { Tier } from '../types';
import { coverageGapText, handOffReminderText } from '../dispatch/messages';
import { coverageGaps, handingOver, onCallAt, shiftsStarting, TIERS, type Schedule, type Shift } from './schedule';

/**
 * The call id the schedule's messages carry (status callbacks come back with it). A dot never
 * appears in a dispatch's call id, so it cannot name a dispatch.
 */
export const ONCALL_MESSAGES_CALL_ID = 'oncall.schedule';

export interface OnCallPerson {
  name: string;
  phone: string;
}

/** A shift as the API and the Web UI show it. */
export interface ShiftView {
  tier: Tier;
  technician: string;
  start: string;
  end: string;
  source: string;
}

/** One hand-off reminder: its key names the shift for good, so it is sent once per shift. */
export interface ReminderDue {
  key: string;
  dueAt: number;
  /** the shift is over: its reminder is no use any more */
  endsAt: number;
  to: OnCallPerson;
  text: string;
}

export interface GapView {
  tier: Tier;
  start: string;
  end: string;
  /** the gap lasts at least to the horizon */
  open: boolean;
  /** the SMS the managers get, once per gap */
  alert: string;
}

/** A stretch already alerted about, in epoch ms. */
export interface AlertedGap {
  start: number;
  end: number;
}

export interface OnCallPlan {
  computedAt: string;
  /** BUSINESS_TIMEZONE, in which people read the times */
  timeZone: string;
  onCall: Record<Tier, OnCallPerson[]>;
  /** the next hand-off of any tier, if one lies within the horizon */
  nextHandOff?: ShiftView;
  /** shifts starting within the shown window, oldest first (capped) */
  shifts: ShiftView[];
  reminders: ReminderDue[];
  gaps: GapView[];
  /** who a coverage alert goes to: tier 3 on call now */
  managers: OnCallPerson[];
  /** every Active technician: who may ask ONCALL, and how the sandbox names a phone */
  roster: Array<OnCallPerson & { tier: Tier }>;
}

export interface PlanOptions {
  /** ONCALL_REMINDER_LEAD */
  leadMs: number;
  /** COVERAGE_HORIZON */
  horizonMs: number;
  /** reminders due within this much after now are listed too, so the workflow can wake for them */
  lookaheadMs: number;
  /** how far back a shift may have started and still be on (a shift learned late) */
  lookbackMs?: number;
  businessName: string;
}

/** Long enough to catch an ongoing weekly shift; sized to keep the plan small. */
const DEFAULT_LOOKBACK_MS = 8 * 24 * 3_600_000;
const SHOWN_DAYS_MS = 7 * 24 * 3_600_000;
const MAX_SHIFTS_SHOWN = 200;
const MAX_REMINDERS = 200;
const MAX_GAPS = 50;

const person = (t: { name: string; phone: string }): OnCallPerson => ({ name: t.name, phone: t.phone });
const iso = (ms: number): string => new Date(ms).toISOString();

export function reminderKey(shift: Pick<Shift, 'tier' | 'start'> & { technician: { phone: string } }): string {
  return `oncall/tier${shift.tier}/${shift.technician.phone}/${iso(shift.start)}`;
}

export function planOnCall(schedule: Schedule, now: number, opts: PlanOptions): OnCallPlan {
  const onCall = Object.fromEntries(TIERS.map((tier) => [tier, onCallAt(schedule, tier, now).map(person)])) as Record<Tier, OnCallPerson[]>;
  const horizon = now + opts.horizonMs;
  const view = (s: Shift): ShiftView => ({ tier: s.tier, technician: s.technician.name, start: iso(s.start), end: iso(s.end), source: s.source });

  const recent = shiftsStarting(schedule, now - (opts.lookbackMs ?? DEFAULT_LOOKBACK_MS), horizon);
  const upcoming = recent.filter((s) => s.start > now);
  const reminders = recent
    .filter((s) => s.end > now && s.start - opts.leadMs <= now + opts.lookaheadMs)
    .slice(0, MAX_REMINDERS)
    .map((s) => ({
      key: reminderKey(s),
      dueAt: s.start - opts.leadMs,
      endsAt: s.end,
      to: person(s.technician),
      text: handOffReminderText({
        businessName: opts.businessName,
        tier: s.tier,
        start: iso(s.start),
        end: iso(s.end),
        takingOverFrom: handingOver(schedule, s).map((t) => t.name),
        timeZone: schedule.timeZone,
      }),
    }));
  const gaps = coverageGaps(schedule, now, horizon)
    .slice(0, MAX_GAPS)
    .map((g) => {
      const open = g.end >= horizon;
      const [start, end] = [iso(g.start), iso(g.end)];
      return { tier: 1 as Tier, start, end, open, alert: coverageGapText({ businessName: opts.businessName, tier: 1, start, end, open, timeZone: schedule.timeZone }) };
    });
  return {
    computedAt: iso(now),
    timeZone: schedule.timeZone,
    onCall,
    nextHandOff: upcoming[0] && view(upcoming[0]),
    shifts: upcoming.filter((s) => s.start < now + SHOWN_DAYS_MS).slice(0, MAX_SHIFTS_SHOWN).map(view),
    reminders,
    gaps,
    managers: onCall[3],
    roster: schedule.technicians.filter((t) => t.active).map((t) => ({ ...person(t), tier: t.tier })),
  };
}

/**
 * Which gaps are new. A gap overlapping one already alerted is that gap going on (its start is
 * clipped to now, its end to the horizon, both moving): it is not alerted again, and what is
 * remembered grows to cover it. Remembered gaps that are over are forgotten.
 */
export function gapsToAlert(alerted: readonly AlertedGap[], gaps: readonly GapView[], now: number): { alert: GapView[]; alerted: AlertedGap[] } {
  const remembered = alerted.filter((g) => g.end > now).map((g) => ({ ...g }));
  const alert: GapView[] = [];
  for (const gap of gaps) {
    const span = { start: Date.parse(gap.start), end: Date.parse(gap.end) };
    const known = remembered.find((g) => g.start < span.end && span.start < g.end);
    if (known) {
      known.start = Math.min(known.start, span.start);
      known.end = Math.max(known.end, span.end);
    } else {
      alert.push(gap);
      remembered.push(span);
    }
  }
  return { alert, alerted: remembered };
}
