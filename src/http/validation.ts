import { z } from 'zod';
import { toE164 } from '../domain/phone';
import { URGENCIES, type DispatchRequest } from '../domain/types';

/** Also the Temporal workflow id suffix, so it is kept short and URL/ID safe. */
export const callIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'callId may contain only letters, digits, "_" and "-"');

const phoneSchema = z.string().transform((input, ctx) => {
  const e164 = toE164(input);
  if (e164 === null) {
    ctx.addIssue({ code: 'custom', message: 'not a valid phone number' });
    return z.NEVER;
  }
  return e164;
});

export const MAX_SUMMARY = 5000;
export const MAX_ADDRESS = 1000;

export const dispatchRequestSchema = z.object({
  callId: callIdSchema,
  callerPhone: phoneSchema,
  urgency: z.enum(URGENCIES),
  // A voice agent's transcript can run to a few thousand characters, emoji and accents included; texts
  // shorten it (messages.ts), the Calls row and the dispatch's state keep it whole.
  summary: z.string().trim().min(1).max(MAX_SUMMARY),
  // A blank address is no address.
  address: z
    .string()
    .trim()
    .max(MAX_ADDRESS)
    .optional()
    .transform((address) => (address === '' ? undefined : address)),
  feeAccepted: z.boolean().optional(),
});

/** The body of POST /api/dispatches, with the caller's phone in E.164. Throws ZodError. */
export function parseDispatchRequest(body: unknown): DispatchRequest {
  const { address, feeAccepted, ...request } = dispatchRequestSchema.parse(body);
  return { ...request, ...(address === undefined ? {} : { address }), ...(feeAccepted === undefined ? {} : { feeAccepted }) };
}

