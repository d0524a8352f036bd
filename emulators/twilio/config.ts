// Settings of one emulator instance; app URLs may change after start (setAppBaseUrl).

export interface EmulatorConfig {
  accountSid: string;
  authToken: string;
  /** the account's number: where inbound SMS go when the app never texted that phone */
  ourNumber: string;
  callbackDelayMs: number;
  /** where our service really listens */
  appBaseUrl?: string;
  /** where our service believes it is reachable (PUBLIC_BASE_URL); webhook signatures cover it */
  publicBaseUrl?: string;
}

/**
 * Where a request Twilio would make to `url` actually goes. URLs under the public base are sent
 * to the app's real address, as a tunnel or reverse proxy in front of the app would do; the
 * signature still covers the public URL.
 */
export function deliveryUrl(config: EmulatorConfig, url: string): string {
  const { appBaseUrl, publicBaseUrl } = config;
  if (!appBaseUrl || !publicBaseUrl || !url.startsWith(publicBaseUrl)) return url;
  return trimSlash(appBaseUrl) + url.slice(publicBaseUrl.length);
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
