import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxSnapshot } from '../../../emulators/twilio/sandboxPage';
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
