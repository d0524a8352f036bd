// Domain types shared by the workflow, the activities and the HTTP layer.
// Pure declarations only: this module is bundled into the workflow sandbox.

export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const DISPATCH_STATUSES = ['SCHEDULED', 'PAGING', 'ACCEPTED', 'ON_SITE', 'COMPLETED', 'UNANSWERED', 'CANCELLED'] as const;
export type DispatchStatus = (typeof DISPATCH_STATUSES)[number];

/** Twilio's own words for a message's delivery status, in the order they may move. */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export type Tier = 1 | 2 | 3;

export interface Technician {
  name: string;
  /** E.164 */
  phone: string;
  tier: Tier;
  active: boolean;
}

/** What a caller or an integration asks for. Phones are already E.164. */
export interface DispatchRequest {
  callId: string;
  callerPhone: string;
  urgency: Urgency;
  summary: string;
  address?: string;
  /** spec section 12: the caller agreed to the after-hours fee (true), was asked and did not (false); unset: not asked */
  feeAccepted?: boolean;
}

export interface BusinessHours {
  /** IANA zone, e.g. America/Chicago */
  timeZone: string;
  /** ISO weekdays the office opens: 1 = Monday … 7 = Sunday */
  days: number[];
  /** local opening and closing time, "HH:MM" */
  open: string;
  close: string;
}

/** Timers and limits for one dispatch, resolved from configuration when the dispatch starts. */
export interface DispatchPolicy {
  t1Ms: number;
  t2Ms: number;
  maxRounds: number;
  graceMs: number;
  /** ask Twilio for a message's status when no final callback arrived by then */
  statusCheckMs: number;
  /** emergencies: the follow-up also rings the technicians, again every ringEveryMs */
  voiceFollowUp: boolean;
  ringEveryMs: number;
  businessHours: BusinessHours;
  /** after the accept (spec section 11); absent in dispatches started before it, which use the defaults */
  /** the ETA assumed when the accept named none */
  defaultEtaMs?: number;
  /** how late past the ETA the technician gets a check-in; twice as late, the managers an alert */
  arrivalGraceMs?: number;
  /** a dispatch still ACCEPTED or ON_SITE this long after the accept closes, its technician free */
  busyForMs?: number;
  /** PAGE_BUNDLE_WINDOW (spec section 10); unset in dispatches from before bundling: 0, no bundles */
  bundleWindowMs?: number;
  /** AUDIT_FLUSH_INTERVAL: the audit trail's rows go to the Airtable writer at most this often; unset in dispatches from before it: at once */
  auditFlushMs?: number;
}

export interface DispatchInput extends DispatchRequest {
  /** ISO time the call reached us */
  receivedAt: string;
  /** 3-8 letters/digits a technician quotes in a reply */
  replyCode: string;
  businessName: string;
  policy: DispatchPolicy;
}

export const EVENT_TYPES = [
  'PAGE_SENT',
  'FOLLOW_UP_SENT',
  'SEND_FAILED',
  'ESCALATED',
  'ACCEPTED',
  'DECLINED',
  'UNANSWERED',
  'CANCELLED',
  'CUSTOMER_NOTIFIED',
  'STAND_DOWN_SENT',
  'ETA_SET',
  'ARRIVED',
  'COMPLETED',
  'CHECK_IN_SENT',
  'OVERDUE_ALERT',
  'FEE_ACCEPTED',
  'CALLER_MESSAGE',
  'ONCALL_REMINDER',
  'COVERAGE_GAP',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type MessageKind =
  | 'PAGE'
  | 'FOLLOW_UP'
  | 'STAND_DOWN'
  | 'CUSTOMER_NOTIFIED'
  | 'ASSIGNMENT'
  | 'ALERT'
  | 'CHECK_IN'
  | 'OVERDUE_ALERT'
  | 'CALLER_MESSAGE'
  | 'ONCALL_REMINDER'
  | 'COVERAGE_GAP';

/** One outbound SMS as the workflow asks for it. */
export interface SmsRequest {
  /** unique per message of a dispatch; the same key always means the same message */
  idempotencyKey: string;
  callId: string;
  to: string;
  body: string;
  /** seconds a carrier may hold the message before dropping it (Twilio ValidityPeriod) */
  validitySeconds?: number;
  kind: MessageKind;
  /** on the dispatch's first page only: when the call reached us, to measure API-to-first-page */
  callReceivedAt?: string;
}

/** A phone call that rings a technician awake (emergency follow-ups). */
export interface VoiceCallRequest {
  idempotencyKey: string;
  callId: string;
  to: string;
}

export type VoiceCallResult = { ok: true; callSid: string; reconciled: boolean } | { ok: false; errorCode: number; reason: string };

export interface PlacedCall {
  key: string;
  to: string;
  technician: string;
  ring: number;
  placedAt: string;
  callSid?: string;
  /** 'failed' when Twilio could not place it */
  status: 'placed' | 'failed';
  errorCode?: number;
}

/** What the dispatch reports to ops metrics when it reaches an outcome. */
export interface DispatchOutcome {
  urgency: Urgency;
  status: 'ACCEPTED' | 'UNANSWERED' | 'CANCELLED';
  /** ACCEPTED only: from the first page to the accept */
  secondsToAccept?: number;
}

/** Result of a send. Transient failures are thrown (and retried); permanent ones come back here. */
export type SmsResult =
  | {
      ok: true;
      messageSid: string;
      status: DeliveryStatus;
      reconciled: boolean;
      /**
       * when Twilio took it, epoch ms: as the sending worker saw Twilio answer, or Twilio's own
       * date_created for one found on a retry (absent in results recorded before it was added)
       */
      takenAt?: number;
    }
  | { ok: false; errorCode: number; reason: string };

export interface MessageStatusReport {
  messageSid: string;
  status: DeliveryStatus;
  errorCode?: number;
}

/** One message the dispatch has sent (or tried to), as shown to ops. */
export interface SentMessage {
  key: string;
  kind: MessageKind;
  to: string;
  technician?: string;
  tier?: Tier;
  attempt: number;
  /** when it went out (Twilio took it); until then, or if it failed, when it was asked for */
  sentAt: string;
  messageSid?: string;
  status: DeliveryStatus;
  errorCode?: number;
  /** a page held for a bundle and dropped unsent, its job closed meanwhile (spec section 10) */
  withdrawn?: boolean;
}

export interface AssignedTechnician {
  name: string;
  phone: string;
  acceptedAt: string;
}

export interface DispatchState {
  callId: string;
  status: DispatchStatus;
  urgency: Urgency;
  callerPhone: string;
  summary: string;
  address?: string;
  replyCode: string;
  round: number;
  /** the step of the ladder now running, e.g. "tier 1 follow-up" */
  step?: string;
  assigned?: AssignedTechnician;
  declined: string[];
  messages: SentMessage[];
  /** the code a phone quotes for this job where it is not `replyCode` (another of its jobs had that one) */
  phoneCodes?: Record<string, string>;
  /** voice calls placed to wake technicians */
  calls: PlacedCall[];
  /** ISO time of the next escalation, when a timer is running */
  nextEscalationAt?: string;
  /** ISO time the routine dispatch will start paging */
  scheduledFor?: string;
  /** after the accept (spec section 11): the technician's latest ETA */
  eta?: EtaEstimate;
  /** ISO time of the arrival check-in or overdue alert now waiting, while ACCEPTED */
  nextArrivalCheckAt?: string;
  arrivedAt?: string;
  completedAt?: string;
  /** texts from the caller's number while the dispatch is open (spec section 12) */
  callerMessages?: CallerMessage[];
}

export interface CallerMessage {
  /** ISO time it reached the dispatch */
  at: string;
  text: string;
  /** the technician it was forwarded to; unset while nobody has accepted */
  forwardedTo?: string;
}

/** An SMS from a caller's number to their open dispatch. */
export interface CallerText {
  phone: string;
  body: string;
}

export interface EtaEstimate {
  /** minutes from when it was given */
  minutes: number;
  /** ISO time the technician expects to arrive */
  at: string;
  /** ISO time the technician gave it */
  setAt: string;
  /** 1 for the first ETA of the dispatch, then one more per change */
  revision: number;
}

/** Row of the Dispatch Events table (spec section 6); field names live in the Airtable gateway. */
export interface DispatchEventRow {
  eventKey: string;
  callId: string;
  eventType?: EventType;
  method?: 'SMS' | 'VOICE';
  recipient?: string;
  technician?: string;
  attemptNumber?: number;
  sentAt?: string;
  deliveryStatus?: DeliveryStatus;
  messageSid?: string;
  errorCode?: string;
  detail?: string;
}

/** Row of the Calls table. */
export interface CallRow {
  callId: string;
  callerPhone?: string;
  urgency?: Urgency;
  summary?: string;
  address?: string;
  status?: DispatchStatus;
  assignedTechnician?: string;
  acceptedAt?: string;
  createdAt?: string;
  workflowId?: string;
  /** ISO time the technician expects to arrive */
  eta?: string;
  arrivedAt?: string;
  completedAt?: string;
  feeAccepted?: boolean;
}

/** accept and decline answer a page; eta, arrived and done report on the job after the accept (spec section 11) */
export const REPLY_DECISIONS = ['accept', 'decline', 'eta', 'arrived', 'done'] as const;
export type ReplyDecision = (typeof REPLY_DECISIONS)[number];

/** ETAs a reply may give, in minutes */
export const ETA_MINUTES = { min: 1, max: 24 * 60 } as const;

export interface TechnicianReply {
  phone: string;
  decision: ReplyDecision;
  via: 'sms' | 'voice' | 'ops';
  /** accept (optional) and eta (required): minutes until the technician expects to arrive */
  etaMinutes?: number;
}

export type ReplyOutcome =
  | 'accepted'
  | 'already_yours'
  | 'already_taken'
  | 'declined'
  | 'closed'
  | 'eta_set'
  | 'arrived'
  | 'completed'
  /** a job report (eta, arrived, done) that changes nothing: not this technician's job, or already recorded */
  | 'unchanged';

export interface ReplyResult {
  outcome: ReplyOutcome;
  /** text for the technician (TwiML <Message> or spoken) */
  message: string;
}
