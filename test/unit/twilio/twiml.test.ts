import { describe, expect, it } from 'vitest';
import { parseTwimlMessages } from '../../../emulators/twilio/twiml';

describe('parseTwimlMessages', () => {
  it('reads plain, <Body> and addressed messages and unescapes XML', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
      '<Message>You have job &quot;A&amp;B&quot; &lt;now&gt;</Message>' +
      '<Message to="+15551234567"><Body>Second</Body></Message>' +
      '<Message/>' +
      '</Response>';
    expect(parseTwimlMessages(xml)).toEqual([
      { body: 'You have job "A&B" <now>' },
      { body: 'Second', to: '+15551234567' },
    ]);
  });

  it('finds nothing in an empty response', () => {
    expect(parseTwimlMessages('<Response></Response>')).toEqual([]);
  });
});
