// Prometheus metrics of the product (spec section 5, GET /metrics). One registry per process.

import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { URGENCIES, type DispatchOutcome } from '../domain/types';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const byUrgency = (name: string, help: string) =>
  new Counter({ name, help, labelNames: ['urgency'] as const, registers: [registry] });

export const dispatchStarted = byUrgency('dispatch_started_total', 'Dispatches started (new ones, not duplicate starts)');
export const dispatchAccepted = byUrgency('dispatch_accepted_total', 'Dispatches a technician accepted');
export const dispatchUnanswered = byUrgency('dispatch_unanswered_total', 'Dispatches that ran out of escalation without an accept');
export const dispatchCancelled = byUrgency('dispatch_cancelled_total', 'Dispatches cancelled by ops');

// Zero series per urgency so rate() and dashboards work before the first dispatch of a kind.
for (const urgency of URGENCIES) {
  for (const counter of [dispatchStarted, dispatchAccepted, dispatchUnanswered, dispatchCancelled]) counter.labels(urgency).inc(0);
}

export const smsSent = new Counter({
  name: 'sms_sent_total',
  help: 'SMS accepted by Twilio, by message kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});
export const smsFailed = new Counter({
  name: 'sms_failed_total',
  help: 'SMS that failed to send or deliver, by Twilio error code',
  labelNames: ['error_code'] as const,
  registers: [registry],
});
export const twilioStatusCallbacks = new Counter({
  name: 'twilio_status_callbacks_total',
  help: 'Twilio SMS status callbacks, by delivery status and whether they went on to the workflow (final statuses only)',
  labelNames: ['status', 'forwarded'] as const,
  registers: [registry],
});
export const auditForwardsDeferred = new Counter({
  name: 'airtable_audit_forwards_deferred_total',
  help: 'Forwards of a dispatch\'s audit rows put off because the Airtable writer was full (each asks again later; the rows wait in the dispatch)',
  registers: [registry],
});
export const rosterProblem = new Counter({
  name: 'roster_problem_total',
  help: 'On-call roster problems (empty tier, invalid phone, opted-out technician, unreadable roster)',
  labelNames: ['reason'] as const,
  registers: [registry],
});

// Buckets span a quick accept (seconds) to a full two-round escalation (about an hour).
export const timeToAccept = new Histogram({
  name: 'dispatch_time_to_accept_seconds',
  help: 'From the first page to the accept',
  labelNames: ['urgency'] as const,
  buckets: [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200],
  registers: [registry],
});
export const webhookDuration = new Histogram({
  name: 'webhook_duration_seconds',
  help: 'Time to answer a webhook or API request',
  labelNames: ['route', 'status'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
  registers: [registry],
});
// The paging and reply paths ask the phones' workflows, never visibility (eventually consistent,
// rate-limited): anything counted here outside `health` and `legacy-*` is a regression.
export const visibilityRequests = new Counter({
  name: 'temporal_visibility_requests_total',
  help: 'List and count requests to Temporal visibility, by purpose',
  labelNames: ['purpose'] as const,
  registers: [registry],
});
export const apiToFirstPage = new Histogram({
  name: 'api_to_first_page_seconds',
  help: 'From the start request to the first page accepted by Twilio',
  buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60],
  registers: [registry],
});

/** Times each request of `route` (a fixed label, not the raw path, to bound cardinality). */
export function observeWebhook(route: string): RequestHandler {
  return (_req, res, next) => {
    const stopTimer = webhookDuration.startTimer({ route });
    res.once('finish', () => stopTimer({ status: String(res.statusCode) }));
    next();
  };
}

export const metricsHandler: RequestHandler = async (_req, res) => {
  res.set('Content-Type', registry.contentType).send(await registry.metrics());
};

const OUTCOME_COUNTERS = { ACCEPTED: dispatchAccepted, UNANSWERED: dispatchUnanswered, CANCELLED: dispatchCancelled } as const;

/** A dispatch reached an outcome (reported once by the workflow, through an activity). */
export function recordOutcome(outcome: DispatchOutcome): void {
  OUTCOME_COUNTERS[outcome.status].inc({ urgency: outcome.urgency });
  if (outcome.secondsToAccept !== undefined) timeToAccept.observe({ urgency: outcome.urgency }, outcome.secondsToAccept);
}
