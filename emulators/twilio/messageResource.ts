// Twilio's JSON representation of a Message resource.
import type { EmulatedMessage } from './messageStore';

export const API_VERSION = '2010-04-01';

/** Twilio writes dates as RFC 2822 with a numeric zone, e.g. "Mon, 24 Nov 2025 17:01:00 +0000". */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function messagesUri(accountSid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages`;
}

export function toMessageResource(m: EmulatedMessage, accountSid: string) {
  const uri = `${messagesUri(accountSid)}/${m.sid}`;
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: m.dateSent && rfc2822(m.dateSent),
    date_updated: rfc2822(m.dateUpdated),
    direction: m.direction,
    error_code: m.errorCode,
    error_message: m.errorCode === null ? null : `Error ${m.errorCode}`,
    from: m.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(m.numSegments),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    to: m.to,
    uri: `${uri}.json`,
  };
}
