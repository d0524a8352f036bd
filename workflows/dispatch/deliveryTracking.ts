// Delivery status of the dispatch's messages (spec section 3): callbacks move a status forward
// only; without a final status in time the dispatch asks Twilio itself.
import { ActivityFailure, CancellationScope, condition, isCancellation, log, sleep } from '@temporalio/workflow';
import type { DeliveryReport } from '../../src/contract/dispatch';
import type { DispatchActivities } from '../../src/contract/activities';
import { deliveryRow } from '../../src/domain/dispatch/auditRows';
import { advance, isFinal } from '../../src/domain/twilio/deliveryStatus';
import type { DeliveryStatus, SentMessage } from '../../src/domain/types';
import type { AuditLane } from './auditLane';

const LONGEST_CHECK_INTERVAL_MS = 10 * 60_000;

export class DeliveryTracking {
  /** the status checks, which end with the dispatch */
  private readonly checks = new CancellationScope();
  /** each message's pending check, by key, while its check ends with its final status */
  private readonly pending = new Map<string, CancellationScope>();
  private checksEndWhenFinal = false;

  constructor(
    private readonly callId: string,
    private readonly messages: SentMessage[],
    private readonly statusCheckMs: number,
    private readonly twilio: Pick<DispatchActivities, 'fetchMessageStatus'>,
    private readonly audit: AuditLane,
  ) {}

  /** A Twilio status callback, matched by the message's key (or its SID). */
  onReport(report: DeliveryReport): void {
    const message = this.messages.find((m) => m.key === report.key || (report.messageSid && m.messageSid === report.messageSid));
    if (message) this.apply(message, report.status, report.errorCode, report.messageSid);
  }

  /** Status only moves forward; a duplicate or late callback changes nothing. */
  apply(message: SentMessage, status: DeliveryStatus, errorCode?: number, messageSid?: string): void {
    const next = advance(message.status, status);
    if (messageSid && !message.messageSid) message.messageSid = messageSid;
    if (next === message.status) return;
    message.status = next;
    if (errorCode) message.errorCode = errorCode;
    this.audit.event(deliveryRow(this.callId, message, errorCode));
    if (isFinal(next)) this.pending.get(message.key)?.cancel();
  }

  /**
   * A final status cancels the message's pending check, and a message final before its check would
   * start gets none: a check timer that fired for nothing cost the dispatch a workflow task (and,
   * evicted from the cache, a replay). patched('delivery-check-ends-when-final'), decided at the
   * start: older dispatches' checks fire as they did.
   */
  endChecksWhenFinal(): void {
    this.checksEndWhenFinal = true;
  }

  /**
   * No final status within the check period: ask Twilio ourselves (spec section 3), and keep
   * asking, less and less often, until the status is final or the dispatch ends.
   */
  watch(message: SentMessage): void {
    if (this.checksEndWhenFinal && isFinal(message.status)) return;
    this.checks
      .run(async () => {
        if (!this.checksEndWhenFinal) return this.check(message);
        const own = new CancellationScope();
        this.pending.set(message.key, own);
        try {
          await own.run(() => this.check(message));
        } finally {
          this.pending.delete(message.key);
        }
      })
      .catch((err: unknown) => {
        if (!isCancellation(err)) log.warn('delivery check failed', { callId: this.callId, error: String(err) });
      });
  }

  private async check(message: SentMessage): Promise<void> {
    for (let wait = this.statusCheckMs; ; wait = Math.min(wait * 2, LONGEST_CHECK_INTERVAL_MS)) {
      await sleep(wait, { summary: `check delivery: ${message.technician ?? 'caller'}` });
      if (isFinal(message.status) || !message.messageSid) return;
      const report = await this.twilio.fetchMessageStatus(message.messageSid);
      this.apply(message, report.status, report.errorCode);
      if (isFinal(message.status)) return;
    }
  }

  /**
   * The last messages' callbacks come after the dispatch's work is done, and a closed dispatch
   * hears none: keep listening until every message has a final status, and ask Twilio about the
   * ones still open after the check period, so the audit rows end final.
   */
  async awaitFinalStatuses(): Promise<void> {
    const open = () => this.messages.filter((m) => m.messageSid && !isFinal(m.status));
    await condition(() => open().length === 0, this.statusCheckMs, { summary: 'final delivery statuses' });
    for (const message of open()) {
      try {
        const report = await this.twilio.fetchMessageStatus(message.messageSid!);
        this.apply(message, report.status, report.errorCode);
      } catch (err) {
        // Twilio unreachable for good: close with the last status we know rather than fail.
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('final delivery status unknown', { callId: this.callId, messageSid: message.messageSid });
      }
    }
  }

  /** The dispatch is over: no more status checks. */
  stop(): void {
    this.checks.cancel();
  }
}
