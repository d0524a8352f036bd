// JSON control API under /_emulator, for tests and tools in other processes.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { TwilioEmulatorState } from './state';

const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be E.164');
const count = z.number().int().min(0);

/** Every field optional: one POST may arm several faults at once. */
export const faultsRequestSchema = z.object({
  failWith: z.array(z.object({ phone, code: z.number().int().positive() })).optional(),
  undeliverable: z.array(z.object({ phone, code: z.number().int().positive().optional() })).optional(),
  clearPhones: z.array(phone).optional(),
  failNext: z.object({ count, status: z.union([z.literal(500), z.literal(503), z.literal(429)]).optional() }).optional(),
  loseResponseNext: z.object({ count, mode: z.enum(['reset', 'hang']).optional() }).optional(),
  noCallbacks: z.boolean().optional(),
  duplicateCallbacks: z.boolean().optional(),
  outOfOrderCallbacks: z.boolean().optional(),
});
export type FaultsRequest = z.infer<typeof faultsRequestSchema>;

const replySchema = z.object({ body: z.string().min(1).max(1600) });
const answerSchema = z.object({ digits: z.string().regex(/^[0-9*#]{1,8}$/).optional(), machine: z.boolean().optional() });
/** A caller's script: one key press at the menu, then a short description. */
const callSchema = z.object({
  from: phone,
  digits: z.string().regex(/^[0-9*#]$/, 'digits must be one key: 0-9, * or #').optional(),
  speech: z.string().trim().min(1).max(500).optional(),
});
const appSchema = z.object({ appBaseUrl: z.url(), publicBaseUrl: z.url().optional() });

function applyFaults(state: TwilioEmulatorState, f: FaultsRequest): void {
  for (const { phone: p, code } of f.failWith ?? []) state.failWith(p, code);
  for (const { phone: p, code } of f.undeliverable ?? []) state.undeliverable(p, code);
  for (const p of f.clearPhones ?? []) state.faults.clearPhone(p);
  if (f.failNext) state.failNext(f.failNext.count, f.failNext.status);
  if (f.loseResponseNext) state.loseResponseNext(f.loseResponseNext.count, f.loseResponseNext.mode);
  if (f.noCallbacks !== undefined) state.noCallbacks(f.noCallbacks);
  if (f.duplicateCallbacks !== undefined) state.duplicateCallbacks(f.duplicateCallbacks);
  if (f.outOfOrderCallbacks !== undefined) state.outOfOrderCallbacks(f.outOfOrderCallbacks);
}

function parsed<T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined {
  const result = schema.safeParse(req.body ?? {});
  if (result.success) return result.data;
  res.status(400).json({ error: z.prettifyError(result.error) });
  return undefined;
}

function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function emulatorControlRouter(state: TwilioEmulatorState): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));

  router.get('/messages', (req, res) => {
    const to = queryText(req, 'to');
    const from = queryText(req, 'from');
    res.json(state.messages({ ...(to ? { to } : {}), ...(from ? { from } : {}) }));
  });
  router.get('/phones', (_req, res) => {
    res.json(state.phones());
  });
  router.get('/copies', (req, res) => {
    const to = queryText(req, 'to');
    const body = queryText(req, 'body');
    if (!to || !body) return void res.status(400).json({ error: 'to and body are required' });
    res.json({ to, body, copies: state.copies(to, body) });
  });
  router.get('/callbacks', (_req, res) => {
    res.json(state.callbacks());
  });
  router.get('/faults', (_req, res) => {
    res.json(state.faultSnapshot());
  });
  router.post('/faults', (req, res) => {
    const faults = parsed(faultsRequestSchema, req, res);
    if (!faults) return;
    applyFaults(state, faults);
    res.json(state.faultSnapshot());
  });
  router.post('/reset', (_req, res) => {
    state.reset();
    res.json({ ok: true });
  });
  router.post('/app', (req, res) => {
    const app = parsed(appSchema, req, res);
    if (!app) return;
    state.config.appBaseUrl = app.appBaseUrl;
    if (app.publicBaseUrl) state.config.publicBaseUrl = app.publicBaseUrl;
    res.json({ appBaseUrl: state.config.appBaseUrl, publicBaseUrl: state.config.publicBaseUrl ?? null });
  });
  router.get('/calls', (_req, res) => {
    res.json(state.calls());
  });
  router.post('/calls', async (req, res) => {
    const script = parsed(callSchema, req, res);
    if (!script) return;
    const call = await state.placeCall(script);
    // Like a reply the app did not take: the app's failure, reported with what the caller heard.
    res.status(call.status === 'failed' ? 502 : 200).json(call);
  });
  // The phone picks up the call ringing it: a person pressing `digits`, or an answering machine.
  router.post('/phones/:phone/answer', async (req, res) => {
    const answer = parsed(answerSchema, req, res);
    if (!answer) return;
    const call = await state.answerCall(String(req.params.phone), answer);
    if (!call) return void res.status(404).json({ error: `no call is ringing ${req.params.phone}` });
    res.status(call.status === 'failed' ? 502 : 200).json(call);
  });
  router.post('/phones/:phone/reply', async (req, res) => {
    const reply = parsed(replySchema, req, res);
    if (!reply) return;
    const from = String(req.params.phone);
    if (!phone.safeParse(from).success) return void res.status(400).json({ error: `not an E.164 phone number: ${from}` });
    try {
      res.json(await state.reply(from, reply.body));
    } catch (err) {
      // The app could not be reached: that is news for the caller, not an emulator fault.
      res.status(502).json({ error: err instanceof Error ? err.message : String(err) });
    }
  });
  return router;
}
