import { describe, expect, test } from 'vitest';
import { expireUnanswered, newOutboundCall } from '../../../emulators/twilio/voiceCall';

describe('an unanswered wake-up call', () => {
  test.each([
    ['still within its Timeout', 29_000, 'ringing'],
    ['past its Timeout', 31_000, 'no-answer'],
  ] as const)('%s is %s', (_, elapsedMs, status) => {
    const call = newOutboundCall('+15005550006', '+12125550101', 'http://app/webhooks/twilio/voice/page', 30);
    expireUnanswered(call, call.startedAt.getTime() + elapsedMs);
    expect(call.status).toBe(status);
  });

  test('a call already answered is left as it is', () => {
    const call = newOutboundCall('+15005550006', '+12125550101', 'http://app/webhooks/twilio/voice/page', 30);
    call.status = 'completed';
    expireUnanswered(call, call.startedAt.getTime() + 3_600_000);
    expect(call.status).toBe('completed');
  });
});
