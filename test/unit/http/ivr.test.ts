import { describe, expect, it } from 'vitest';
import {
  DEFAULT_URGENCY,
  confirmationTwiml,
  describeTwiml,
  forwardToOfficeTwiml,
  greetingTwiml,
  resolveUrgency,
  urgencyFromGather,
  withQuery,
} from '../../../src/http/twilio/ivr';

const URGENCY_URL = '/webhooks/twilio/voice/urgency';

describe('greetingTwiml', () => {
  const xml = greetingTwiml({ businessName: 'Acme Heating', actionUrl: URGENCY_URL });

  it('gathers one key or speech and posts it to the urgency action, attempt 1', () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Gather /);
    expect(xml).toContain('input="dtmf speech"');
    expect(xml).toContain('numDigits="1"');
    expect(xml).toContain(`action="${URGENCY_URL}?attempt=1"`);
    expect(xml).toContain('method="POST"');
  });

  it('names the business and the three choices inside the Gather', () => {
    const gather = /<Gather[^>]*>(.*)<\/Gather>/.exec(xml)?.[1] ?? '';
    expect(gather).toContain('Thank you for calling Acme Heating');
    expect(gather).toMatch(/press 1 or say emergency.*press 2 or say urgent.*press 3 or say routine/);
  });

  it('falls through to the same action when the caller says nothing', () => {
    expect(xml).toMatch(new RegExp(`</Gather><Redirect method="POST">${URGENCY_URL}\\?attempt=1</Redirect></Response>$`));
  });

  it('re-prompts without the welcome at attempt 2 and keeps existing query parameters', () => {
    const again = greetingTwiml({ businessName: 'Acme Heating', actionUrl: `${URGENCY_URL}?lang=en`, attempt: 2 });
    expect(again).toContain('Sorry, we did not catch that.');
    expect(again).not.toContain('Thank you for calling');
    expect(again).toContain(`action="${URGENCY_URL}?lang=en&amp;attempt=2"`);
  });

  it('escapes the business name', () => {
    expect(greetingTwiml({ businessName: 'Smith & <Sons>', actionUrl: URGENCY_URL })).toContain('Smith &amp; &lt;Sons&gt;');
  });
});

describe('urgencyFromGather', () => {
  it.each([
    [{ Digits: '1' }, 'emergency'],
    [{ Digits: '2' }, 'urgent'],
    [{ Digits: '3' }, 'routine'],
    [{ Digits: '9' }, null],
    [{ Digits: '1', SpeechResult: 'routine' }, 'emergency'], // a key press wins
    [{ SpeechResult: 'Emergency.' }, 'emergency'],
    [{ SpeechResult: 'I can smell gas in the kitchen' }, 'emergency'],
    [{ SpeechResult: 'the basement is flooding' }, 'emergency'],
    [{ SpeechResult: 'a pipe burst' }, 'emergency'],
    [{ SpeechResult: 'not an emergency but I smell gas' }, 'emergency'],
    [{ SpeechResult: "It's urgent" }, 'urgent'],
    [{ SpeechResult: 'someone needs to come today' }, 'urgent'],
    [{ SpeechResult: 'Routine' }, 'routine'],
    [{ SpeechResult: "it's not urgent" }, 'routine'],
    [{ SpeechResult: 'I would like a quote' }, 'routine'],
    [{ SpeechResult: 'One.' }, 'emergency'],
    [{ SpeechResult: 'two' }, 'urgent'],
    [{ SpeechResult: '3' }, 'routine'],
    [{ SpeechResult: 'I have two radiators' }, null],
    [{ SpeechResult: 'hello?' }, null],
    [{ SpeechResult: '' }, null],
    [{}, null],
  ])('%j -> %s', (gathered, urgency) => {
    expect(urgencyFromGather(gathered)).toBe(urgency);
  });
});

describe('resolveUrgency', () => {
  it.each([
    [{ Digits: '3' }, 1, 'routine'],
    [{}, 1, 'reprompt'],
    [{ SpeechResult: 'what?' }, 1, 'reprompt'],
    [{}, 2, DEFAULT_URGENCY],
    [{ Digits: '1' }, 2, 'emergency'],
  ] as const)('%j at attempt %i -> %s', (gathered, attempt, expected) => {
    expect(resolveUrgency(gathered, attempt)).toBe(expected);
  });

  it('defaults to urgent', () => {
    expect(DEFAULT_URGENCY).toBe('urgent');
  });
});

describe('describeTwiml', () => {
  const xml = describeTwiml({ actionUrl: '/webhooks/twilio/voice/describe?urgency=emergency' });

  it('gathers speech only and posts it to the action', () => {
    expect(xml).toContain('<Gather input="speech"');
    expect(xml).not.toContain('dtmf');
    expect(xml).toContain('action="/webhooks/twilio/voice/describe?urgency=emergency"');
    expect(xml).toMatch(/<Say>[^<]*what is wrong[^<]*address[^<]*<\/Say><\/Gather>/);
  });

  it('continues to the action without a description', () => {
    expect(xml).toMatch(/<\/Gather><Redirect method="POST">\/webhooks\/twilio\/voice\/describe\?urgency=emergency<\/Redirect><\/Response>$/);
  });
});

describe('confirmationTwiml', () => {
  it.each(['emergency', 'urgent'] as const)('%s: paging now, text follows, 911 advice, hang up', (urgency) => {
    const xml = confirmationTwiml({ urgency, businessName: 'Acme', callbackNumber: '+12125550100' });
    expect(xml).toContain('contacting the on-call technician now');
    expect(xml).toContain('phone you back at 1 2 1 2 5 5 5 0 1 0 0');
    expect(xml).toContain('call 9 1 1');
    expect(xml).toMatch(/<Hangup\/><\/Response>$/);
  });

  it('routine: the office calls back after opening', () => {
    const xml = confirmationTwiml({ urgency: 'routine', businessName: 'Acme', opensAt: 'Mon Mar 9, 8:00 AM' });
    expect(xml).toContain('Acme will call you back after we open, Mon Mar 9, 8:00 AM.');
    expect(xml).not.toContain('technician');
    expect(xml).toMatch(/<Hangup\/><\/Response>$/);
  });

  it('routine without an opening time', () => {
    expect(confirmationTwiml({ urgency: 'routine', businessName: 'Acme' })).toContain('Acme will call you back when the office opens.');
  });
});

describe('forwardToOfficeTwiml', () => {
  it('dials the office number', () => {
    expect(forwardToOfficeTwiml('+12125550199')).toMatch(/<Say>[^<]+<\/Say><Dial>\+12125550199<\/Dial><\/Response>$/);
  });
});

describe('withQuery', () => {
  it.each([
    ['/a', { attempt: 2 }, '/a?attempt=2'],
    ['/a?x=1', { attempt: 2 }, '/a?x=1&attempt=2'],
    ['/a', { q: 'a b&c' }, '/a?q=a+b%26c'],
  ])('%s + %j -> %s', (url, params, expected) => {
    expect(withQuery(url, params)).toBe(expected);
  });
});
