import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createTwilioActivities, TWILIO_FAILURE_TYPES } from '../../../activities/twilio/activities';
import { TwilioGatewayError, type TwilioGateway } from '../../../activities/twilio/gateway';
import type { SmsRequest } from '../../../src/domain/types';

// Keeps the SDK's "Activity failed" warnings out of the test output.
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const env = (info = {}) => new MockActivityEnvironment(info, { logger: quiet });

const request: SmsRequest = { idempotencyKey: 'k1', callId: 'c1', to: '+14155550100', body: 'hello', kind: 'PAGE' };

function gatewayThatThrows(err: unknown): TwilioGateway {
  return { sendSms: () => Promise.reject(err), fetchStatus: () => Promise.reject(err), ringTechnician: () => Promise.reject(err) };
}

describe('createTwilioActivities', () => {
  it('passes the Temporal attempt number to the gateway', async () => {
    const attempts: number[] = [];
    const activities = createTwilioActivities({
      sendSms: async (_req, attempt) => {
        attempts.push(attempt);
        return { ok: true, messageSid: 'SM1', status: 'queued', reconciled: false };
      },
      fetchStatus: async (messageSid) => ({ messageSid, status: 'sent' }),
      ringTechnician: async () => ({ ok: true, callSid: 'CA1', reconciled: false }),
    });
    await env({ attempt: 3 }).run(activities.sendSms, request);
    expect(attempts).toEqual([3]);
  });

  it('passes the attempt and the first schedule time of a wake-up call to the gateway', async () => {
    const seen: Array<[number, number]> = [];
    const activities = createTwilioActivities({
      ...gatewayThatThrows(new Error('unused')),
      ringTechnician: async (_req, attempt, firstScheduledMs) => {
        seen.push([attempt, firstScheduledMs]);
        return { ok: true, callSid: 'CA1', reconciled: false };
      },
    });
    await env({ attempt: 2, scheduledTimestampMs: 1_700_000_000_000 }).run(activities.ringTechnician, { idempotencyKey: 'k', callId: 'c1', to: '+14155550100' });
    expect(seen).toEqual([[2, 1_700_000_000_000]]);
  });

  it.each([
    ['retry', false],
    ['config', false],
    ['unreachable', true],
  ] as const)('turns a %s gateway error into an ApplicationFailure (nonRetryable=%s)', async (errorClass, nonRetryable) => {
    const activities = createTwilioActivities(gatewayThatThrows(new TwilioGatewayError('boom', errorClass, 20003, 401)));
    const failure = await env().run(activities.fetchMessageStatus, 'SM1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: TWILIO_FAILURE_TYPES[errorClass], nonRetryable, message: 'boom' });
  });

  it('rethrows errors it does not know unchanged', async () => {
    const bug = new TypeError('bug');
    const activities = createTwilioActivities(gatewayThatThrows(bug));
    await expect(env().run(activities.sendSms, request)).rejects.toBe(bug);
  });
});
