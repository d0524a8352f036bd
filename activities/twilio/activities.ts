// Temporal activities over the Twilio gateway.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DispatchActivities } from '../types';
import { TwilioGatewayError, type TwilioGateway } from './gateway';

export type TwilioActivities = Pick<DispatchActivities, 'sendSms' | 'fetchMessageStatus'>;

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

export function createTwilioActivities(gateway: TwilioGateway): TwilioActivities {
  return {
    async sendSms(req) {
      try {
        return await gateway.sendSms(req, Context.current().info.attempt);
      } catch (err) {
        throw toFailure(err);
      }
    },
    async fetchMessageStatus(messageSid) {
      try {
        return await gateway.fetchStatus(messageSid);
      } catch (err) {
        throw toFailure(err);
      }
    },
  };
}
