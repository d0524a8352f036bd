import { describe, expect, it } from 'vitest';
import {
  classifyTwilioError,
  classifyTwilioFailure,
  flagsRoster,
  type TwilioErrorClass,
  type TwilioFailure,
} from '../../../src/domain/twilio/errorClassification';

describe('classifyTwilioFailure', () => {
  it.each<[string, TwilioFailure, TwilioErrorClass]>([
    ['network error / timeout', {}, 'retry'],
    ['429 rate limit', { httpStatus: 429, code: 20429 }, 'retry'],
    ['429 without code', { httpStatus: 429 }, 'retry'],
    ['500', { httpStatus: 500, code: 20500 }, 'retry'],
    ['503', { httpStatus: 503 }, 'retry'],
    ['queue overflow', { httpStatus: 400, code: 30001 }, 'retry'],
    ['invalid To', { httpStatus: 400, code: 21211 }, 'unreachable'],
    ['To cannot be reached', { httpStatus: 400, code: 21214 }, 'unreachable'],
    ['region not enabled', { httpStatus: 400, code: 21408 }, 'unreachable'],
    ['opted out', { httpStatus: 400, code: 21610 }, 'unreachable'],
    ['cannot route', { httpStatus: 400, code: 21612 }, 'unreachable'],
    ['not a mobile', { httpStatus: 400, code: 21614 }, 'unreachable'],
    ['unreachable handset', { code: 30003 }, 'unreachable'],
    ['blocked', { code: 30004 }, 'unreachable'],
    ['unknown destination', { code: 30005 }, 'unreachable'],
    ['landline', { code: 30006 }, 'unreachable'],
    ['filtered', { code: 30007 }, 'unreachable'],
    ['unknown error', { code: 30008 }, 'unreachable'],
    ['unregistered A2P', { code: 30034 }, 'unreachable'],
    ['unknown 4xx code', { httpStatus: 400, code: 21999 }, 'unreachable'],
    ['auth failed', { httpStatus: 401, code: 20003 }, 'config'],
    ['401 without code', { httpStatus: 401 }, 'config'],
    ['From not capable', { httpStatus: 400, code: 21606 }, 'config'],
    ['From not ours', { httpStatus: 400, code: 21659 }, 'config'],
  ])('%s -> %s', (_name, failure, expected) => {
    expect(classifyTwilioFailure(failure)).toBe(expected);
  });
});

describe('flagsRoster', () => {
  it.each([
    [21610, true],
    [21614, true],
    [30006, true],
    [21211, false],
    [30003, false],
    [30034, false],
    [20429, false],
  ])('%i -> %s', (code, expected) => {
    expect(flagsRoster(code)).toBe(expected);
  });
});

describe('classifyTwilioError', () => {
  it('reads status and code of an HTTP answer', () => {
    const restException = Object.assign(new Error('Attempt to send to unsubscribed recipient'), { status: 400, code: 21610 });
    expect(classifyTwilioError(restException)).toMatchObject({ errorClass: 'unreachable', httpStatus: 400, code: 21610 });
  });

  it('treats a string error code (socket reset) as a network error', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyTwilioError(reset)).toEqual({ errorClass: 'retry', message: 'socket hang up' });
  });
});
