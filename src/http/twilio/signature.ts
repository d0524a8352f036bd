import type { RequestHandler } from 'express';
// The signature functions alone: the whole twilio package takes a fifth of a second to load.
import { validateRequest } from 'twilio/lib/webhooks/webhooks';

export interface TwilioSignatureOptions {
  authToken: string;
  /** The URL Twilio is configured with, e.g. https://dispatch.example.com (no trailing path). */
  publicBaseUrl: string;
}

/**
 * Rejects any request whose X-Twilio-Signature does not match `publicBaseUrl` + path + query and
 * its form parameters. Behind a proxy the URL Express sees differs from the one Twilio signed,
 * so the configured public base URL is used instead. Mount after `express.urlencoded()`.
 */
export function requireTwilioSignature({ authToken, publicBaseUrl }: TwilioSignatureOptions): RequestHandler {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return (req, res, next) => {
    const signature = req.header('X-Twilio-Signature');
    const params: Record<string, unknown> = isFormBody(req.body) ? req.body : {};
    if (signature && validateRequest(authToken, signature, base + req.originalUrl, params)) {
      next();
      return;
    }
    res.status(403).json({ error: 'invalid Twilio signature' });
  };
}

function isFormBody(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
