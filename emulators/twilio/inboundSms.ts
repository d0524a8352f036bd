// A phone texting our number: Twilio's inbound webhook to the app, and the app's TwiML answer.
import { deliveryUrl, trimSlash, type EmulatorConfig } from './config';
import { API_VERSION } from './messageResource';
import type { EmulatedMessage } from './messageStore';
import { postSigned } from './signedPost';
import { parseTwimlMessages, type TwimlMessage } from './twiml';

export const INBOUND_SMS_PATH = '/webhooks/twilio/sms';

export interface InboundReplyResult {
  /** HTTP status the app answered */
  status: number;
  /** bodies of the TwiML <Message> replies, now in the phone's inbox */
  replies: string[];
}

export function inboundParams(m: EmulatedMessage, accountSid: string): Record<string, string> {
  return {
    AccountSid: accountSid,
    ApiVersion: API_VERSION,
    MessageSid: m.sid,
    SmsSid: m.sid,
    SmsMessageSid: m.sid,
    SmsStatus: 'received',
    From: m.from,
    To: m.to,
    Body: m.body,
    NumMedia: '0',
    NumSegments: String(m.numSegments),
  };
}

/** Posts the inbound webhook; returns the app's status and the TwiML messages it asked to send. */
export async function postInboundSms(
  config: EmulatorConfig,
  message: EmulatedMessage,
): Promise<{ status: number; messages: TwimlMessage[] }> {
  if (!config.appBaseUrl) throw new Error('the emulator has no app base URL to deliver inbound SMS to');
  const signedBase = trimSlash(config.publicBaseUrl ?? config.appBaseUrl);
  const signedUrl = signedBase + INBOUND_SMS_PATH;
  const answer = await postSigned({
    url: deliveryUrl({ ...config, publicBaseUrl: signedBase }, signedUrl),
    signedUrl,
    params: inboundParams(message, config.accountSid),
    authToken: config.authToken,
  });
  const isTwiml = answer.status < 300 && /xml/i.test(answer.contentType);
  return { status: answer.status, messages: isTwiml ? parseTwimlMessages(answer.text) : [] };
}
