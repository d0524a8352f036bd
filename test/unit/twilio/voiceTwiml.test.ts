import { describe, expect, it } from 'vitest';
import { parseVoiceTwiml } from '../../../emulators/twilio/voiceTwiml';
import { confirmationTwiml, describeTwiml, forwardToOfficeTwiml, greetingTwiml } from '../../../src/http/twilio/ivr';

describe('parseVoiceTwiml', () => {
  it('reads a Gather with its Says, its input and its unescaped action, then the Redirect after it', () => {
    const xml = greetingTwiml({ businessName: 'Smith & Sons', actionUrl: '/voice/urgency?lang=en' });
    const [gather, redirect, ...rest] = parseVoiceTwiml(xml);
    expect(gather).toMatchObject({ verb: 'Gather', action: '/voice/urgency?lang=en&attempt=1', input: ['dtmf', 'speech'] });
    expect(gather?.verb === 'Gather' && gather.says[0]).toBe('Thank you for calling Smith & Sons. You have reached our after-hours line.');
    expect(redirect).toEqual({ verb: 'Redirect', url: '/voice/urgency?lang=en&attempt=1' });
    expect(rest).toEqual([]);
  });

  it('reads a speech-only Gather', () => {
    expect(parseVoiceTwiml(describeTwiml({ actionUrl: '/describe' }))[0]).toMatchObject({ verb: 'Gather', input: ['speech'] });
  });

  it('takes dtmf when a Gather names no input, as Twilio does', () => {
    expect(parseVoiceTwiml('<Response><Gather action="/a"><Say>Hi</Say></Gather></Response>')).toEqual([
      { verb: 'Gather', action: '/a', input: ['dtmf'], says: ['Hi'] },
    ]);
  });

  it('reads Says, Hangup and Dial, and skips verbs a call simulation does not act on', () => {
    expect(parseVoiceTwiml(confirmationTwiml({ urgency: 'emergency', businessName: 'Acme' })).map((v) => v.verb)).toEqual(['Say', 'Say', 'Say', 'Hangup']);
    expect(parseVoiceTwiml(forwardToOfficeTwiml('+12125550100'))).toEqual([
      { verb: 'Say', text: 'Please hold while we connect you to the office.' },
      { verb: 'Dial', number: '+12125550100' },
    ]);
    expect(parseVoiceTwiml('<Response><Pause length="1"/><Reject/></Response>')).toEqual([{ verb: 'Hangup' }]);
  });
});
