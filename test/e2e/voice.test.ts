// Emergency follow-ups ring the technicians awake, through Twilio's Calls API and the call's own
// webhook: a key press answers like a reply, voicemail never counts. (When they ring, how often,
// and that urgent calls never do, is the workflow's: test/workflow/.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const [alice, bob] = ROSTER;
const callerPhone = '+12125550155';

describe('wake-up calls', () => {
  let stack: Stack;
  beforeAll(async () => {
    // One ring per phone while the test runs: the repeat is far off.
    stack = await Stack.start({ env: { DISPATCH_T1: '3s', DISPATCH_T2: '60s', DISPATCH_VOICE_REPEAT: '60s' } });
  });
  afterAll(async () => stack?.stop());

  const ringing = (phone: string) => stack.twilio.state.calls().filter((c) => c.direction === 'outbound-api' && c.to === phone);

  test('the emergency follow-up rings tier 1; voicemail does not count; a press of 1 accepts', async () => {
    const callId = `CA${randomUUID().replace(/-/g, '')}`;
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Gas smell in the basement' });
    const [a, b] = [stack.phone(alice!.phone), stack.phone(bob!.phone)];
    await a.expectSms(/Gas smell/);
    await b.expectSms(/Gas smell/);
    expect(ringing(alice!.phone)).toHaveLength(0); // the first page is a text only
    await a.expectSms(/FOLLOW-UP/);
    await b.expectSms(/FOLLOW-UP/);
    await waitFor('both phones ringing', () => ringing(alice!.phone).length === 1 && ringing(bob!.phone).length === 1);

    const voicemail = await stack.twilio.state.answerCall(bob!.phone, { machine: true });
    expect(voicemail?.status).toBe('completed');
    expect(voicemail?.transcript.join(' ')).toMatch(/Press 1 to accept/);
    expect((await stack.dispatch(callId)).status).toBe('PAGING');

    const answered = await stack.twilio.state.answerCall(alice!.phone, { digits: '1' });
    expect(answered?.status).toBe('completed');
    expect(answered?.transcript.join(' ')).toContain(callerPhone);

    const final = await stack.waitForStatus(callId, 'ACCEPTED');
    expect(final.assigned?.name).toBe(alice!.name);
    expect(final.calls.filter((c) => c.to === alice!.phone).map((c) => c.ring)).toEqual([1]);
    // Accepted by voice: the job details come by text too; the caller is told; Bob stands down.
    await a.expectSms(new RegExp(callerPhone.replace('+', '\\+')));
    await stack.phone(callerPhone).expectSms(/Alice/);
    await b.expectSms(/taken by Alice/);
    expect(dispatch.replyCode).toBe(final.replyCode);
  });
});
