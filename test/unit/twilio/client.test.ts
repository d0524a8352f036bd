import { afterEach, describe, expect, it } from 'vitest';
import { createTwilioClient, rewriteTwilioUrl } from '../../../activities/twilio/client';

describe('rewriteTwilioUrl', () => {
  it.each([
    ['https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=%2B1', 'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Messages.json?To=%2B1'],
    ['https://api.sydney.au1.twilio.com/2010-04-01/Accounts/AC1/Messages.json', 'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Messages.json'],
    ['https://api.ie1.twilio.com/x', 'http://127.0.0.1:4010/x'],
    ['https://example.com/x', 'https://example.com/x'],
    ['https://nottwilio.com/x', 'https://nottwilio.com/x'],
  ])('%s', (from, to) => {
    expect(rewriteTwilioUrl(from, 'http://127.0.0.1:4010/')).toBe(to);
  });
});

describe('createTwilioClient', () => {
  afterEach(() => {
    delete process.env.TWILIO_REGION;
    delete process.env.TWILIO_EDGE;
  });

  it('sends every request to the base URL, whatever region and edge say', async () => {
    process.env.TWILIO_REGION = 'au1';
    process.env.TWILIO_EDGE = 'sydney';
    const seen: string[] = [];
    const client = createTwilioClient({ accountSid: 'AC' + '0'.repeat(32), authToken: 't', apiBaseUrl: 'http://127.0.0.1:9' });
    // The request is refused (nothing listens on port 9); the URL it went to is what matters.
    client.httpClient.axios.interceptors.request.use((config) => {
      seen.push(String(config.url));
      return config;
    });
    await expect(client.messages.list({ limit: 1 })).rejects.toThrow();
    expect(seen).toEqual([`http://127.0.0.1:9/2010-04-01/Accounts/AC${'0'.repeat(32)}/Messages.json`]);
  });
});
