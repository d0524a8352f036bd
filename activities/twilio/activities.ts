// Temporal activities over the Twilio gateway.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { SmsRequest, SmsResult } from '../../src/domain/types';
import { logger } from '../../src/observability/logger';
import { apiToFirstPage, rosterProblem, smsFailed, smsSent } from '../../src/observability/metrics';
import type { DispatchActivities } from '../../src/contract/activities';
import { describeTwilioCode, flagsRoster } from '../../src/domain/twilio/errorClassification';
import { TwilioGatewayError, type TwilioGateway } from './gateway';

export type TwilioActivities = Pick<DispatchActivities, 'sendSms' | 'fetchMessageStatus' | 'ringTechnician'>;

/** Failure types the workflow's retry policy may name (e.g. in nonRetryableErrorTypes). */
export const TWILIO_FAILURE_TYPES = {
  retry: 'TwilioTransientError',
  config: 'TwilioConfigError',
  unreachable: 'TwilioPermanentError',
} as const;

function toFailure(err: unknown): unknown {
  if (!(err instanceof TwilioGatewayError)) return err;
  const type = TWILIO_FAILURE_TYPES[err.errorClass];
  const details = [{ code: err.code, httpStatus: err.httpStatus }];
  return err.retryable
    ? ApplicationFailure.retryable(err.message, type, ...details)
    : ApplicationFailure.nonRetryable(err.message, type, ...details);
}

/** Ops see every send and failure; a number that can never be paged means the roster is wrong. */
function recordSendMetrics(req: SmsRequest, result: SmsResult): void {
  if (result.ok) {
    smsSent.inc({ kind: req.kind });
    if (req.callReceivedAt) apiToFirstPage.observe((Date.now() - Date.parse(req.callReceivedAt)) / 1000);
    return;
  }
  smsFailed.inc({ error_code: String(result.errorCode) });
  if (flagsRoster(result.errorCode)) {
    rosterProblem.inc({ reason: `twilio_${result.errorCode}` });
    logger.error({ callId: req.callId, to: req.to, errorCode: result.errorCode, alert: 'roster-unreachable-number' }, `roster problem: ${describeTwilioCode(result.errorCode)}`);
  }
}

/** A gateway call whose failures reach Temporal as retryable or non-retryable failures. */
function asActivity<T>(call: Promise<T>): Promise<T> {
  return call.catch((err: unknown) => {
    throw toFailure(err);
  });
}

export function createTwilioActivities(gateway: TwilioGateway): TwilioActivities {
  return {
    async sendSms(req) {
      const result = await asActivity(gateway.sendSms(req, Context.current().info.attempt));
      recordSendMetrics(req, result);
      return result;
    },
    ringTechnician(req) {
      const { attempt, scheduledTimestampMs } = Context.current().info;
      return asActivity(gateway.ringTechnician(req, attempt, scheduledTimestampMs));
    },
    fetchMessageStatus: (messageSid) => asActivity(gateway.fetchStatus(messageSid)),
  };
}
