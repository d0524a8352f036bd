// The official twilio client, optionally pointed at another base URL (regional proxy, local emulator).
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';

export type TwilioClient = twilio.Twilio;

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** e.g. http://127.0.0.1:4010; unset means Twilio itself */
  apiBaseUrl?: string;
  /** a lost response must surface as an error well inside the activity's timeout */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Replaces the scheme and host of a Twilio URL (api.twilio.com, or any regional/edge host the
 * client derives from TWILIO_REGION / TWILIO_EDGE such as api.sydney.au1.twilio.com) with baseUrl,
 * keeping path and query. Other URLs pass unchanged.
 */
export function rewriteTwilioUrl(uri: string, baseUrl: string): string {
  const url = new URL(uri);
  if (url.hostname !== 'twilio.com' && !url.hostname.endsWith('.twilio.com')) return uri;
  return baseUrl.replace(/\/+$/, '') + url.pathname + url.search;
}

class BaseUrlRequestClient extends RequestClient {
  constructor(
    private readonly baseUrl: string,
    opts: RequestClient.RequestClientOptions,
  ) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: rewriteTwilioUrl(opts.uri, this.baseUrl) });
  }
}

export function createTwilioClient(opts: TwilioClientOptions): TwilioClient {
  // Retries belong to Temporal (with the exactly-once reconcile), not to the HTTP client.
  const httpOptions = { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, autoRetry: false };
  const httpClient = opts.apiBaseUrl
    ? new BaseUrlRequestClient(opts.apiBaseUrl, httpOptions)
    : new RequestClient(httpOptions);
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}
