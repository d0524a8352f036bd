// The JSON API of spec section 5 for integrations and ops, behind a bearer key.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { DispatchService } from '../client/dispatchService';
import type { OnCallService } from '../client/onCallService';
import { dispatchStarted } from '../observability/metrics';
import { callIdSchema, parseDispatchRequest } from './validation';
import { requireJson } from './errors';

function requireBearer(apiKey: string) {
  const expected = Buffer.from(apiKey);
  return (req: Request, res: Response, next: NextFunction) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or invalid bearer token' });
  };
}

const isCallId = (value: string) => callIdSchema.safeParse(value).success;

export function apiRoutes(dispatches: DispatchService, onCall: OnCallService, apiKey: string): Router {
  const router = express.Router();
  router.use(requireBearer(apiKey));

  router.post('/dispatches', requireJson, express.json({ limit: '64kb' }), async (req, res) => {
    const request = parseDispatchRequest(req.body);
    const { created, dispatch } = await dispatches.start(request);
    if (created) dispatchStarted.inc({ urgency: request.urgency });
    res.status(created ? 201 : 200).json({ created, dispatch });
  });

  router.get('/dispatches/:callId', async (req, res) => {
    const callId = String(req.params.callId);
    const dispatch = isCallId(callId) ? await dispatches.get(callId) : undefined;
    if (!dispatch) return void res.status(404).json({ error: `no dispatch for call ${callId}` });
    res.json({ dispatch });
  });

  router.post('/dispatches/:callId/cancel', async (req, res) => {
    const callId = String(req.params.callId);
    const dispatch = isCallId(callId) ? await dispatches.cancel(callId) : undefined;
    if (!dispatch) return void res.status(404).json({ error: `no dispatch for call ${callId}` });
    res.status(202).json({ dispatch });
  });
  // Who is on call now per tier, the shifts of the next 7 days and the coverage gaps (spec section 9).
  router.get('/oncall', async (_req, res) => {
    const plan = await onCall.current();
    if (!plan) return void res.status(503).json({ error: 'the on-call schedule has not been read yet: is a worker running?' });
    const { roster: _roster, reminders: _reminders, managers: _managers, ...view } = plan;
    res.json({ ...view, gaps: view.gaps.map(({ alert: _alert, ...gap }) => gap) });
  });
  return router;
}
