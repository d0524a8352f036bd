// The on-call schedule over time (spec section 9): one workflow per task queue owns the timers of
// the hand-off reminders and the coverage alerts. Each is sent exactly once — its key lives in
// this workflow's durable state and names the SMS for Twilio — through worker kills, several
// workers (one workflow id) and restarts of the Temporal server.
import { allHandlersFinished, CancellationScope, condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { OnCallActivities } from '../../src/contract/activities';
import type { DeliveryReport } from '../../src/contract/dispatch';
import { deliverySignal } from '../../src/contract/dispatch';
import { ONCALL_MESSAGES_CALL_ID, onCallQuery, onCallSettingsSignal, type OnCallSettings } from '../../src/contract/onCall';
import { sendRow, deliveryRow } from '../../src/domain/dispatch/auditRows';
import { gapsToAlert, type AlertedGap, type OnCallPlan, type OnCallPerson } from '../../src/domain/roster/onCallPlan';
import { advance } from '../../src/domain/twilio/deliveryStatus';
import type { MessageKind, SentMessage, SmsResult } from '../../src/domain/types';
import { pagingActivities } from '../dispatch/activities';
import { AuditLane } from '../dispatch/auditLane';
import { gaveUp } from '../dispatch/outbox';

export interface OnCallInput {
  settings: OnCallSettings;
  /** reminders sent, by key, with when their shift ends: carried over a continue-as-new */
  reminded?: Record<string, number>;
  alertedGaps?: AlertedGap[];
}

/** Messages whose delivery status the audit rows still follow, kept for a day. */
const TRACKED_FOR_MS = 24 * 3_600_000;

export async function onCallWorkflow(input: OnCallInput): Promise<void> {
  let settings = input.settings;
  const reminded = new Map(Object.entries(input.reminded ?? {}));
  let alertedGaps = input.alertedGaps ?? [];
  let plan: OnCallPlan | undefined;
  let woken = false;
  const tracked: SentMessage[] = [];
  /** sends still running: one slow send never holds back the next reminder */
  const inFlight = new Set<Promise<void>>();

  const schedule = proxyActivities<OnCallActivities>({ startToCloseTimeout: '1m', retry: { maximumInterval: '1m' } });
  const twilio = pagingActivities();
  // Reminders and alerts are rows of the audit trail with an empty Call ID (spec section 6).
  const audit = new AuditLane('');
  audit.open();

  setHandler(onCallQuery, () => plan);
  setHandler(onCallSettingsSignal, (next) => {
    settings = next;
    woken = true;
  });
  setHandler(deliverySignal, (report: DeliveryReport) => {
    const message = tracked.find((m) => m.key === report.key);
    if (!message || advance(message.status, report.status) === message.status) return;
    message.status = advance(message.status, report.status);
    if (report.messageSid) message.messageSid ??= report.messageSid;
    audit.event(deliveryRow('', message, report.errorCode));
  });

  /** One SMS, exactly once: the key names it for Twilio's reconciliation as well as for us. */
  function send(key: string, kind: MessageKind, to: OnCallPerson, body: string): Promise<void> {
    const sent = sendOnce(key, kind, to, body).finally(() => inFlight.delete(sent));
    return sent;
  }

  async function sendOnce(key: string, kind: MessageKind, to: OnCallPerson, body: string): Promise<void> {
    const message: SentMessage = { key, kind, to: to.phone, technician: to.name, attempt: 1, sentAt: new Date().toISOString(), status: 'queued' };
    const result: SmsResult = await CancellationScope.nonCancellable(() =>
      twilio.sendSms.executeWithOptions({ summary: `SMS ${kind.toLowerCase().replace('_', ' ')}: ${to.name}` }, [
        { idempotencyKey: key, callId: ONCALL_MESSAGES_CALL_ID, to: to.phone, body, kind },
      ]),
    ).catch(gaveUp);
    if (result.ok) {
      message.messageSid = result.messageSid;
      message.status = advance(message.status, result.status);
      tracked.push(message);
    } else {
      message.status = 'failed';
      message.errorCode = result.errorCode;
      log.warn('on-call SMS could not be sent', { key, errorCode: result.errorCode, reason: result.reason });
    }
    audit.event(sendRow('', message, result.ok ? undefined : result));
  }

  for (;;) {
    plan = await schedule.planOnCall({ leadMs: settings.leadMs, horizonMs: settings.horizonMs, lookaheadMs: settings.refreshMs });
    const now = Date.now();
    for (const reminder of plan.reminders) {
      if (reminder.dueAt > now || reminder.endsAt <= now || reminded.has(reminder.key)) continue;
      reminded.set(reminder.key, reminder.endsAt);
      inFlight.add(send(reminder.key, 'ONCALL_REMINDER', reminder.to, reminder.text));
    }
    const gaps = gapsToAlert(alertedGaps, plan.gaps, now);
    alertedGaps = gaps.alerted;
    for (const gap of gaps.alert) {
      for (const manager of plan.managers) inFlight.add(send(`gap/tier${gap.tier}/${gap.start}/${manager.phone}`, 'COVERAGE_GAP', manager, gap.alert));
    }

    for (const [key, endsAt] of reminded) if (endsAt <= now) reminded.delete(key);
    tracked.splice(0, tracked.length, ...tracked.filter((m) => Date.parse(m.sentAt) > now - TRACKED_FOR_MS));
    const nextDue = Math.min(...plan.reminders.filter((r) => !reminded.has(r.key) && r.dueAt > now).map((r) => r.dueAt));
    woken = false;
    await condition(() => woken, Math.max(1, Math.min(settings.refreshMs, nextDue - now)), { summary: 'next reminder or schedule read' });

    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 5_000) {
      // A send Twilio keeps failing may retry for minutes; the new run must not lose its row.
      await Promise.all(inFlight);
      await audit.close();
      await condition(allHandlersFinished);
      await continueAsNew<typeof onCallWorkflow>({ settings, reminded: Object.fromEntries(reminded), alertedGaps });
    }
  }
}
