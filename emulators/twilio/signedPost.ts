// A webhook request the way Twilio makes one: form-encoded, signed with the account's auth token.
import { randomUUID } from 'node:crypto';
// The signature functions alone: the whole twilio package takes a fifth of a second to load.
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

export interface SignedPost {
  /** where the request goes */
  url: string;
  /** the URL the receiver believes it was called at; the signature covers this one */
  signedUrl: string;
  params: Record<string, string>;
  authToken: string;
  /** Twilio repeats the token when it redelivers the same webhook */
  idempotencyToken?: string;
}

export interface SignedPostAnswer {
  status: number;
  contentType: string;
  text: string;
}

const WEBHOOK_TIMEOUT_MS = 15_000; // Twilio's own webhook timeout

export async function postSigned(post: SignedPost): Promise<SignedPostAnswer> {
  const response = await fetch(post.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'X-Twilio-Signature': getExpectedTwilioSignature(post.authToken, post.signedUrl, post.params),
      'I-Twilio-Idempotency-Token': post.idempotencyToken ?? randomUUID(),
      'User-Agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(post.params).toString(),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}
