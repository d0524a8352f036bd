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
  VoiceCallRequest,
  VoiceCallResult,
} from '../src/domain/types';

/** Run on the main task queue: they sit on the paging path. */
export interface DispatchActivities {
  sendSms(req: SmsRequest): Promise<SmsResult>;
  fetchMessageStatus(messageSid: string): Promise<MessageStatusReport>;
  /** rings a technician; the call's TwiML asks for 1 (accept) or 2 (decline) */
  ringTechnician(req: VoiceCallRequest): Promise<VoiceCallResult>;
  loadRoster(): Promise<Technician[]>;
  /** counts the outcome in this worker's metrics */
  reportOutcome(outcome: DispatchOutcome): Promise<void>;
}

/** Run on the audit task queue, rate limited fleet-wide by the Temporal server. */
export interface AuditActivities {
  upsertCall(row: CallRow): Promise<void>;
  upsertDispatchEvents(rows: DispatchEventRow[]): Promise<void>;
}
