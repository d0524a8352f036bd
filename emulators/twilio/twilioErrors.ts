// Twilio's REST error bodies.
import type { Response } from 'express';

const MESSAGES: Readonly<Record<number, string>> = {
  20003: 'Authenticate',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'An internal server error has occurred',
  20503: 'Service unavailable',
  21211: "Invalid 'To' Phone Number",
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21609: 'Invalid StatusCallback url',
  21610: 'Attempt to send to unsubscribed recipient',
  21612: "The 'To' phone number is not currently reachable via SMS",
  21614: "'To' number is not a valid mobile number",
  21617: 'The concatenated message body exceeds the 1600 character limit.',
  21624: 'Validity period can only be set to integers between 1 and 36,000 seconds.',
};

/** Twilio answers these HTTP statuses with these generic codes. */
const CODE_FOR_HTTP_STATUS: Readonly<Record<number, number>> = { 429: 20429, 500: 20500, 503: 20503 };

export function twilioErrorBody(code: number, status: number, message?: string) {
  return {
    code,
    message: message ?? MESSAGES[code] ?? `Error ${code}`,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  };
}

export function sendTwilioError(res: Response, status: number, code: number, message?: string): void {
  res.status(status).json(twilioErrorBody(code, status, message));
}

export function sendHttpFault(res: Response, status: number): void {
  sendTwilioError(res, status, CODE_FOR_HTTP_STATUS[status] ?? 20500);
}
