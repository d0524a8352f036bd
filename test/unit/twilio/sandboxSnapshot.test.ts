import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { quickReplies, sandboxSnapshot, type SandboxMessage } from '../../../emulators/twilio/sandboxPage';
import { TwilioEmulatorState } from '../../../emulators/twilio/state';

const OUR_NUMBER = '+15005550006';
const TECH = '+12125550101';
const CALLER = '+12125550199';

// No app and slow deliveries: nothing leaves this test, statuses stay where they are.
const state = new TwilioEmulatorState(
  { accountSid: 'AC' + '0'.repeat(32), authToken: 't', ourNumber: OUR_NUMBER, callbackDelayMs: 60_000 },
  pino({ level: 'silent' }),
);
afterEach(() => state.reset());

const page = (to: string, body: string, callId: string) =>
  state.acceptOutbound(
    { direction: 'outbound-api', from: OUR_NUMBER, to, body, statusCallback: `https://dispatch.example/webhooks/twilio/sms-status?callId=${callId}&key=k1` },
    undefined,
  );

describe('sandboxSnapshot', () => {
  it('shows each phone once, in the order it first appeared, with its messages in both directions', async () => {
    page(TECH, 'EMERGENCY job AB12. Reply YES AB12 to accept, NO AB12 to decline', 'CA1');
    const call = await state.placeCall({ from: CALLER, digits: '1' }); // no app: the call fails, and is still shown
    await state.reply(TECH, 'YES AB12').catch(() => undefined); // no app to take it: the text is still on the phone

    const snapshot = sandboxSnapshot(state, 'http://localhost:8233');
    expect(snapshot).toMatchObject({ ourNumber: OUR_NUMBER, webUiUrl: 'http://localhost:8233' });
    expect(snapshot.phones.map((p) => p.phone)).toEqual([TECH, CALLER]);

    const [tech, caller] = snapshot.phones;
    expect(tech).toMatchObject({ placedCall: false, callIds: ['CA1'] });
    expect(tech!.timeline).toMatchObject([
      { kind: 'message', fromPhone: false, status: 'queued', callId: 'CA1' },
      { kind: 'message', fromPhone: true, body: 'YES AB12', status: 'received' },
    ]);
    expect(caller).toMatchObject({ placedCall: true, callIds: [call.callSid] });
    expect(caller!.timeline).toEqual([
      expect.objectContaining({ kind: 'call', callSid: call.callSid, digits: '1', status: 'failed', error: expect.stringMatching(/no app base URL/) }),
    ]);
  });

  it('is empty after a reset', () => {
    page(TECH, 'x', 'CA2');
    state.reset();
    expect(sandboxSnapshot(state, 'http://ui').phones).toEqual([]);
  });
});

describe('quickReplies: one-click answers from what the phone was told', () => {
  const received = (body: string): SandboxMessage => ({ kind: 'message', sid: 'SM1', at: '2026-01-01T00:00:00Z', fromPhone: false, body, status: 'delivered', errorCode: null });
  const sent = (body: string): SandboxMessage => ({ ...received(body), fromPhone: true });
  const paged = (code: string) => received(`EMERGENCY job ${code} for Acme: No heat. Reply YES ${code} to accept, NO ${code} to decline`);
  const JOB = ['ETA AB12 15', 'ETA AB12 30', 'ETA AB12 60', 'ARRIVED AB12', 'DONE AB12'];

  it.each([
    ['nothing yet', [], []],
    ['a page', [paged('AB12')], ['YES AB12', 'NO AB12']],
    ['two pages: the newest', [paged('AB12'), paged('CD34')], ['YES CD34', 'NO CD34']],
    ['only texts it sent', [sent('YES AB12')], []],
    ['its accept confirmed: ETA, ARRIVED, DONE', [paged('AB12'), sent('YES AB12'), received('Job AB12 is yours. Call the customer now: +12125550199. Problem: No heat. Reply ETA AB12 <minutes> with your arrival time.')], JOB],
    ['the job details by text after a key press', [paged('AB12'), received('Job AB12 is yours. Call the customer now: +12125550199. Problem: No heat.')], JOB],
    ['an ETA given: still ETA, ARRIVED, DONE', [paged('AB12'), received('Job AB12 is yours.'), received('ETA for job AB12: 10:40 PM (40 min). The customer has been told.')], JOB],
    ['on site: DONE only', [paged('AB12'), received('Job AB12 is yours.'), received('Arrival at job AB12 recorded. Reply DONE AB12 when the job is finished.')], ['DONE AB12']],
    ['done: nothing', [paged('AB12'), received('Job AB12 is yours.'), received('Job AB12 marked complete. Thank you!')], []],
    ['cancelled after the accept', [paged('AB12'), received('Job AB12 is yours.'), received('STAND DOWN: job AB12 was cancelled. No action needed, thank you.')], []],
    ['taken by someone else', [paged('AB12'), received('STAND DOWN: job AB12 has been taken by Bob. No action needed, thank you.')], []],
    ['a job in progress and a new page', [paged('AB12'), received('Job AB12 is yours.'), paged('CD34')], ['YES CD34', 'NO CD34', ...JOB]],
  ] as Array<[string, SandboxMessage[], string[]]>)('%s', (_what, timeline, expected) => {
    expect(quickReplies(timeline)).toEqual(expected);
  });

  it("a caller's phone gets none, and reads as the caller", () => {
    state.acceptOutbound({ direction: 'outbound-api', from: OUR_NUMBER, to: CALLER, body: 'Acme: Alice expects to arrive at 10:40 PM, in about 40 min (ref AB12) (update 2).' }, undefined);
    expect(sandboxSnapshot(state, 'http://ui').phones[0]).toMatchObject({ phone: CALLER, caller: true, quickReplies: [] });
  });
});
