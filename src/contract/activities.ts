// The activity contracts the workflow is written against; implementations are built by factories
// that receive their gateways, so tests and the emulators plug in the same way production does.
import type {
  CallRow,
  DispatchOutcome,
  DispatchEventRow,
  MessageStatusReport,
  SmsRequest,
  SmsResult,
  Technician,
  Tier,
  VoiceCallRequest,
  VoiceCallResult,
} from '../domain/types';
import type { AuditOp } from './audit';
import type { DeliveryReport } from './dispatch';
import type { PageSent } from './phone';
import type { JobNotice, OnCallTechnician, PageRequest } from '../domain/phone/phoneLedger';
import type { OnCallPlan, PlanOptions } from '../domain/roster/onCallPlan';

/** Run on the main task queue: they sit on the paging path. */
export interface DispatchActivities {
  sendSms(req: SmsRequest): Promise<SmsResult>;
  fetchMessageStatus(messageSid: string): Promise<MessageStatusReport>;
  /** rings a technician; the call's TwiML asks for 1 (accept) or 2 (decline) */
  ringTechnician(req: VoiceCallRequest): Promise<VoiceCallResult>;
  loadRoster(): Promise<Technician[]>;
  /** the tier's technicians on call at this moment (spec section 9) */
  loadOnCall(tier: Tier): Promise<Technician[]>;
  /** counts the outcome in this worker's metrics */
  reportOutcome(outcome: DispatchOutcome): Promise<void>;
}

/** A page as a dispatch asks for it: registered with the phone's workflow, then sent now or held for a bundle. */
export type PageOutcome =
  | { replyCode: string; held: false; result: SmsResult }
  | { replyCode: string; held: true; sendAt: number };

/** The dispatch's side of the phones' workflows, on the dispatch queue: Temporal and Twilio only. */
export type { OnCallTechnician };

export interface PhoneActivities {
  /** every tier's on-call technicians, each busy or free, reachable or not, from their phones' workflows */
  onCallNow(): Promise<Record<Tier, OnCallTechnician[]>>;
  pageTechnician(req: PageRequest & { callReceivedAt?: string }): Promise<PageOutcome>;
  /** news of a job for each phone concerned (and the caller's) */
  tellPhones(notices: Array<JobNotice & { phone: string }>): Promise<void>;
  /** a wake-up call, unless the phone was rung within the window or its page is over */
  wakeTechnician(req: VoiceCallRequest & { windowMs: number; at: number }): Promise<VoiceCallResult | { ok: false; skipped: true }>;
  /** from a phone's workflow: a bundled page went out (or was withdrawn), or a bundle's status callback, to each job's dispatch */
  tellDispatches(news: Array<{ callId: string; pageSent?: PageSent; delivery?: DeliveryReport }>): Promise<void>;
}

/** The fleet's single Airtable writer runs one write at a time; holding each for its slot spaces them. */
export interface Pace {
  holdMs: number;
}

/** Run on the audit task queue, one at a time, by the fleet's Airtable writer workflow. */
export interface AuditActivities {
  upsertCall(row: CallRow): Promise<void>;
  upsertCalls(rows: CallRow[], pace?: Pace): Promise<void>;
  upsertDispatchEvents(rows: DispatchEventRow[], pace?: Pace): Promise<void>;
}

/**
 * Run on the audit task queue: hands a dispatch's audit rows to the fleet's Airtable writer. Also
 * served on the dispatch queue, where dispatches started before the move scheduled it.
 */
export interface AuditForwardActivities {
  forwardAudit(ops: AuditOp[]): Promise<void>;
}

/** Run on the main task queue by the on-call schedule workflow. */
export interface OnCallActivities {
  /** reads the schedule (at most ROSTER_REFRESH old) and plans reminders and gaps from now */
  planOnCall(options: Omit<PlanOptions, 'businessName'>): Promise<OnCallPlan>;
}

/**
 * Everything the dispatch queue serves: the paging path, the on-call schedule, and forwards that
 * dispatches from before the audit queue scheduled on it (docs/decisions.md, Versioning).
 */
export type PagingActivities = DispatchActivities & PhoneActivities & OnCallActivities & AuditForwardActivities;
