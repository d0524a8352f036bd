// What one phone's owner knows (spec section 10): the jobs paging it and the code it quotes for
// each, the job it is busy with, the pages held for a bundle, its last wake-up call, the open
// dispatches it called about. Pure: the phone workflow holds a ledger, the tests read it as tables.
import { replyCodeFor } from '../dispatch/replyCode';
import { busyLabel, type BusyWith, type PageFields } from '../dispatch/messages';
import { isFinal } from '../twilio/deliveryStatus';
import type { DeliveryStatus, Technician } from '../types';

/** How long a closed job still answers a late reply ("already taken by ..."), and is not reused as a code. */
export const RECENT_JOB_MS = 60 * 60 * 1000;
/**
 * A job still paging after this long was ended without telling its phones (terminated from the Web
 * UI): no ladder pages that long (rounds of minutes, a grace of half an hour), so it is forgotten.
 */
export const STALE_PAGING_MS = 12 * 60 * 60 * 1000;
/**
 * A page's plan is kept this long for a retried request (a page activity gives up after 10
 * minutes), then forgotten.
 */
export const PLAN_KEPT_MS = 15 * 60 * 1000;
/**
 * A number Twilio refused for good (opted out, not a mobile) is skipped this long, then tried again:
 * the roster may have been fixed, and a refusal again alerts ops again.
 */
export const UNREACHABLE_FOR_MS = 12 * 60 * 60 * 1000;

export interface PageRequest {
  /** the page's idempotency key in its dispatch: the same key always means the same page */
  key: string;
  callId: string;
  phone: string;
  /** the technician's name, as the dispatch pages them */
  name: string;
  /** the dispatch's own code; the phone quotes it unless another of its jobs has it */
  jobCode: string;
  kind: 'PAGE' | 'FOLLOW_UP';
  page: PageFields;
  validitySeconds?: number;
  /** PAGE_BUNDLE_WINDOW; 0 sends every page on its own */
  bundleWindowMs: number;
}

export interface PagePlan {
  /** the code this phone quotes for the job */
  replyCode: string;
  /** the job the technician is busy with, when it is another one */
  busyWith?: BusyWith;
  /** held: the phone's workflow sends it in a bundle at `sendAt`; otherwise the asking dispatch sends it now */
  held: boolean;
  sendAt: number;
}

export interface RingRequest {
  key: string;
  callId: string;
  /** at most one wake-up call per this long (the T1 of the dispatch asking) */
  windowMs: number;
  /** when the dispatch decided to ring (its workflow clock): windows are measured between decisions, not activity runs */
  at: number;
}

export type JobNotice =
  /**
   * accepted by this phone's technician: busy until DONE, cancel or `busyUntil`; the job's summary
   * for the pages that name it (absent from a notice sent before the ledger kept it this way)
   */
  | { callId: string; change: 'assigned'; busyUntil: number; summary?: string }
  /** over for this phone: taken by someone else, cancelled, finished, or no longer busy */
  | { callId: string; change: 'closed' }
  | { callId: string; change: 'caller-open' | 'caller-closed' };

export interface PhoneJob {
  callId: string;
  /** the code this phone quotes */
  replyCode: string;
  /**
   * What a busy page says of the job (`busyLabel`), kept once the technician took it: a ledger of
   * thousands of open jobs is what a continue-as-new carries, and a summary runs to 5,000 characters.
   */
  summary?: string;
  state: 'paging' | 'assigned' | 'closed';
  /** when it entered its state (ms) */
  since: number;
  busyUntil?: number;
  /** the plans given, by page key, so a retried request gets the same answer */
  plans: Record<string, PagePlan>;
}

export interface HeldPage {
  request: PageRequest;
  replyCode: string;
}

/** A bundled SMS sent, kept until its final status so its callbacks reach each job in it. */
export interface SentBundle {
  key: string;
  messageSid?: string;
  pages: Array<{ callId: string; key: string }>;
  sentAt: number;
  status?: DeliveryStatus;
}

export interface PhoneLedger {
  phone: string;
  jobs: PhoneJob[];
  /** open dispatches of calls from this number (spec section 12) */
  callerOf: string[];
  held: HeldPage[];
  /** when the last page to this phone went out or was planned to */
  lastSentAt?: number;
  lastRingAt?: number;
  /** the wake-up call that rang then */
  lastRingKey?: string;
  bundleSeq: number;
  bundles: SentBundle[];
  unreachable?: { errorCode: number; since: number };
}

export function emptyLedger(phone: string): PhoneLedger {
  return { phone, jobs: [], callerOf: [], held: [], bundleSeq: 0, bundles: [] };
}

/** A job of this phone as reply routing sees it; `open` awaits an accept, `inProgress` is this technician's. */
export interface RoutedJob {
  callId: string;
  replyCode: string;
  open: boolean;
  inProgress: boolean;
}

export interface PhoneView {
  /** open dispatches of calls from this number, newest first */
  callerOf: string[];
  /** its jobs, newest first: open, in progress, or closed within RECENT_JOB_MS */
  jobs: RoutedJob[];
}

/**
 * What a phone's workflow publishes in its Memo (`PHONE_MEMO_KEY`) within the task that changes it:
 * what a dispatch's step and reply routing read of the phone, with the times things lapse, so a
 * reader evaluates it at its own moment. Read with a describe, a read of the server's own record:
 * no worker task, so a reader never waits behind the phone's storm of tasks (a query would, and
 * Temporal buffers one query per busy workflow and refuses the next). Bounded: every job the
 * technician has taken, and the newest PUBLISHED_JOBS others; a phone with more says so
 * (`partial`), and reply routing asks its workflow instead (with 10,000 open jobs, a record that
 * listed them all made every upsert hundreds of KB).
 */
export interface PhoneRecord {
  jobs: Array<Pick<PhoneJob, 'callId' | 'replyCode' | 'state' | 'since' | 'busyUntil'> & { summary?: string }>;
  callerOf: string[];
  unreachable?: { errorCode: number; since: number };
  /** jobs or calls left out: the phone's workflow knows them all */
  partial?: true;
}

/** Jobs published besides the assigned ones: far more than a phone has open outside a storm. */
export const PUBLISHED_JOBS = 100;
/** A caller's newest open dispatches published: a caller's text goes to the newest that takes it. */
export const PUBLISHED_CALLS = 10;

/** The record of a ledger; a job's summary only while it is assigned (a busy page names it). */
export function recordOf(ledger: PhoneLedger): PhoneRecord {
  const others = ledger.jobs.filter((j) => j.state !== 'assigned');
  const newest = new Set([...others].sort((a, b) => b.since - a.since).slice(0, PUBLISHED_JOBS));
  return {
    jobs: ledger.jobs
      .filter((j) => j.state === 'assigned' || newest.has(j))
      .map(({ callId, replyCode, state, since, busyUntil, summary }) => ({
        callId,
        replyCode,
        state,
        since,
        ...(busyUntil === undefined ? {} : { busyUntil }),
        ...(state === 'assigned' ? { summary } : {}),
      })),
    callerOf: ledger.callerOf.slice(0, PUBLISHED_CALLS),
    ...(ledger.unreachable ? { unreachable: { ...ledger.unreachable } } : {}),
    ...(others.length > PUBLISHED_JOBS || ledger.callerOf.length > PUBLISHED_CALLS ? { partial: true as const } : {}),
  };
}

export interface PhoneAvailability {
  busyWith?: BusyWith & { callId: string };
  unreachable?: { errorCode: number };
}

/** A technician on call now, with what their phone's workflow knows of them. */
export type OnCallTechnician = Technician & PhoneAvailability;

const jobOf = (ledger: PhoneLedger, callId: string) => ledger.jobs.find((j) => j.callId === callId);

/**
 * The code this phone quotes for a job: the dispatch's own, or a longer one from the same call id
 * when another job of this phone (open or recent) already has it. Unique where it matters, among
 * one phone's jobs, with no look-up beyond the phone's own ledger.
 */
function codeForPhone(ledger: PhoneLedger, callId: string, jobCode: string): string {
  // A scan, not a set of every code: a storm's phone holds thousands of jobs and is asked per page.
  const taken = (code: string) => ledger.jobs.some((j) => j.replyCode === code && j.callId !== callId);
  if (!taken(jobCode)) return jobCode;
  for (let length = jobCode.length + 1; length <= 8; length++) {
    const code = replyCodeFor(callId, length);
    if (!taken(code)) return code;
  }
  throw new Error(`no free reply code for call ${callId} on ${ledger.phone}`);
}

/** The job this technician is on now, the newest if several; none once BUSY_FOR has passed. */
export function busyJob<J extends PhoneRecord['jobs'][number]>(ledger: { jobs: J[] }, now: number): J | undefined {
  return ledger.jobs.filter((j) => j.state === 'assigned' && (j.busyUntil ?? Infinity) > now).sort((a, b) => b.since - a.since)[0];
}

/** The job a page for `callId` names, when its technician is busy with another one at `now`. */
export function busyWithFor(ledger: PhoneLedger, callId: string, now: number): BusyWith | undefined {
  const { busyWith } = availability(ledger, now);
  return busyWith && busyWith.callId !== callId ? { replyCode: busyWith.replyCode, summary: busyWith.summary } : undefined;
}

/** Busy or free, reachable or not, at `now` (of a ledger or its published standing): whom a step may page. */
export function availability(ledger: PhoneRecord, now: number): PhoneAvailability {
  const busy = busyJob(ledger, now);
  const unreachable = ledger.unreachable && now - ledger.unreachable.since < UNREACHABLE_FOR_MS ? ledger.unreachable : undefined;
  return {
    // An assigned job's record has its summary (recordOf), unless it was assigned by a notice without one.
    ...(busy ? { busyWith: { callId: busy.callId, replyCode: busy.replyCode, summary: busy.summary ?? '' } } : {}),
    ...(unreachable ? { unreachable: { errorCode: unreachable.errorCode } } : {}),
  };
}

/**
 * Registers a page and decides when it goes out: the first message of a burst at once, a later one
 * held until the window after the last send closes, together with any other held page.
 */
export function planPage(ledger: PhoneLedger, req: PageRequest, now: number): PagePlan {
  const existing = jobOf(ledger, req.callId);
  const again = existing?.plans[req.key];
  if (again) return again;
  const replyCode = existing?.replyCode ?? codeForPhone(ledger, req.callId, req.jobCode);
  const busyWith = busyWithFor(ledger, req.callId, now);
  const heldUntil = ledger.held[0] ? planOfHeld(ledger) : undefined;
  const windowOpen = req.bundleWindowMs > 0 && ledger.lastSentAt !== undefined && now < ledger.lastSentAt + req.bundleWindowMs;
  const held = heldUntil !== undefined || windowOpen;
  const sendAt = heldUntil ?? (windowOpen ? ledger.lastSentAt! + req.bundleWindowMs : now);
  const plan: PagePlan = { replyCode, held, sendAt, ...(busyWith ? { busyWith } : {}) };
  if (held) ledger.held.push({ request: req, replyCode });
  else ledger.lastSentAt = now;
  const job: PhoneJob = existing ?? { callId: req.callId, replyCode, state: 'paging', since: now, plans: {} };
  if (!existing) ledger.jobs.push(job);
  // A job closed for this phone and paged again (a new round after a shift hand-off) is open again.
  if (job.state === 'closed') Object.assign(job, { state: 'paging', since: now });
  job.plans[req.key] = plan;
  return plan;
}

/** When the held pages go out: the plan of the first held page. */
function planOfHeld(ledger: PhoneLedger): number {
  const first = ledger.held[0]!;
  return jobOf(ledger, first.request.callId)!.plans[first.request.key]!.sendAt;
}

/** When the held pages are due, if any are held. */
export function nextFlushAt(ledger: PhoneLedger): number | undefined {
  return ledger.held[0] ? planOfHeld(ledger) : undefined;
}

/**
 * The held pages that are due, taken off the ledger: those whose jobs still want them, and those
 * withdrawn because the job closed for this phone meanwhile.
 */
export function takeDuePages(ledger: PhoneLedger, now: number): { send: HeldPage[]; withdrawn: HeldPage[] } {
  const due = nextFlushAt(ledger);
  if (due === undefined || due > now) return { send: [], withdrawn: [] };
  const taken = ledger.held.splice(0);
  const wanted = (h: HeldPage) => jobOf(ledger, h.request.callId)?.state !== 'closed';
  if (taken.some(wanted)) ledger.lastSentAt = now;
  return { send: taken.filter(wanted), withdrawn: taken.filter((h) => !wanted(h)) };
}

/** Whether a wake-up call for this job may ring now: the job still pages, and no call within the window. */
export function mayRing(ledger: PhoneLedger, req: RingRequest): boolean {
  // The same call asked again (a retried activity) keeps its answer.
  if (req.key === ledger.lastRingKey) return true;
  // A job the phone does not know yet is one whose page is registering at this very moment.
  const job = jobOf(ledger, req.callId);
  if (job && job.state !== 'paging') return false;
  if (ledger.lastRingAt !== undefined && req.at < ledger.lastRingAt + req.windowMs) return false;
  Object.assign(ledger, { lastRingAt: req.at, lastRingKey: req.key });
  return true;
}

export function applyNotice(ledger: PhoneLedger, notice: JobNotice, now: number): void {
  if (notice.change === 'caller-open') {
    if (!ledger.callerOf.includes(notice.callId)) ledger.callerOf.unshift(notice.callId);
    return;
  }
  if (notice.change === 'caller-closed') {
    ledger.callerOf = ledger.callerOf.filter((c) => c !== notice.callId);
    return;
  }
  const job = jobOf(ledger, notice.callId);
  if (!job) return;
  if (notice.change === 'assigned') {
    Object.assign(job, { state: 'assigned', since: now, busyUntil: notice.busyUntil });
    if (notice.summary !== undefined) job.summary = busyLabel(notice.summary);
  }
  else if (job.state !== 'closed') Object.assign(job, { state: 'closed', since: now });
}

export function view(ledger: PhoneRecord, now: number): PhoneView {
  const jobs = [...ledger.jobs]
    .filter((j) => j.state !== 'closed' || now - j.since < RECENT_JOB_MS)
    .sort((a, b) => b.since - a.since)
    .map((j) => ({ callId: j.callId, replyCode: j.replyCode, open: j.state === 'paging', inProgress: j.state === 'assigned' && (j.busyUntil ?? Infinity) > now }));
  return { callerOf: [...ledger.callerOf], jobs };
}

/**
 * Forgets closed jobs past RECENT_JOB_MS, lapsed busy jobs, the plans no retried request can ask
 * for again, and bundles with a final status or past it. The ledger is what a continue-as-new
 * carries, within Temporal's 2 MiB: thousands of open jobs must fit.
 */
export function prune(ledger: PhoneLedger, now: number): void {
  ledger.jobs = ledger.jobs.filter((j) => {
    if (j.state === 'assigned' && j.busyUntil !== undefined && j.busyUntil <= now) Object.assign(j, { state: 'closed', since: j.busyUntil });
    if (j.state === 'paging' && now - j.since >= STALE_PAGING_MS) return false;
    for (const [key, plan] of Object.entries(j.plans)) if (now - plan.sendAt > PLAN_KEPT_MS) delete j.plans[key];
    return j.state !== 'closed' || now - j.since < RECENT_JOB_MS;
  });
  if (ledger.unreachable && now - ledger.unreachable.since >= UNREACHABLE_FOR_MS) ledger.unreachable = undefined;
  ledger.bundles = ledger.bundles.filter((b) => now - b.sentAt < RECENT_JOB_MS && !(b.status && isFinal(b.status)));
}

/**
 * What a continue-as-new may carry, in characters of JSON: Temporal refuses a payload over 2 MiB,
 * and a workflow whose continue-as-new is refused is stuck retrying it.
 */
export const CARRY_BUDGET = 1_500_000;

/**
 * Makes the ledger fit a continue-as-new: over the budget (a storm's thousands of open jobs), the
 * oldest page plans go first; a retried page asks within seconds, not minutes. Whether it fits now.
 */
export function fitForCarry(ledger: PhoneLedger, budget = CARRY_BUDGET): boolean {
  let size = JSON.stringify(ledger).length;
  if (size <= budget) return true;
  // An entry's size without the braces around it: what removing it saves, its comma aside.
  const plans = ledger.jobs.flatMap((job) =>
    Object.entries(job.plans).map(([key, plan]) => ({ job, key, sendAt: plan.sendAt, size: JSON.stringify({ [key]: plan }).length - 2 })),
  );
  plans.sort((a, b) => a.sendAt - b.sendAt);
  for (const plan of plans) {
    if (size <= budget) break;
    delete plan.job.plans[plan.key];
    size -= plan.size;
  }
  return size <= budget;
}

/** Nothing open, nothing recent, nothing held: the phone's workflow may end (a new page starts it again). */
export function isIdle(ledger: PhoneLedger): boolean {
  return ledger.jobs.length === 0 && ledger.callerOf.length === 0 && ledger.held.length === 0 && ledger.bundles.length === 0 && !ledger.unreachable;
}

/** When the ledger next changes by itself: a busy job lapsing, or a closed job to forget. */
export function nextExpiry(ledger: PhoneLedger): number | undefined {
  const times = ledger.jobs.map((j) => (j.state === 'closed' ? j.since + RECENT_JOB_MS : j.state === 'assigned' ? j.busyUntil : j.since + STALE_PAGING_MS));
  const bundleTimes = ledger.bundles.map((b) => b.sentAt + RECENT_JOB_MS);
  const all = [...times, ...bundleTimes, ledger.unreachable && ledger.unreachable.since + UNREACHABLE_FOR_MS].filter((t): t is number => t !== undefined);
  return all.length ? Math.min(...all) : undefined;
}
