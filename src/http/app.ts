// The HTTP application: JSON API, Twilio webhooks, health and metrics.
import type { Client } from '@temporalio/client';
import express from 'express';
import type { Config } from '../config';
import type { DispatchService } from '../client/dispatchService';
import { logger } from '../observability/logger';
import { metricsHandler, rosterProblem } from '../observability/metrics';
import { ReplyRouter } from '../client/replyRouter';
import { createOnCallService } from '../client/onCallService';
import { registerAuditBacklog } from '../client/auditBacklog';
import { apiRoutes } from './apiRoutes';
import { errorHandler } from './errors';
import { healthRoutes } from './health';
import { twilioRoutes } from './twilio/webhooks';

export interface AppOptions {
  config: Config;
  client: Client;
  dispatches: DispatchService;
  twilioAuthToken: string;
  dispatchApiKey: string;
}

export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Opt-out words stay with Twilio; a technician who opts out can no longer be paged: tell ops.
  const onCall = createOnCallService(opts.client, opts.config.temporal.taskQueue);
  const replies = new ReplyRouter(opts.dispatches, onCall, (phone, word) => {
    if (word === 'optout') {
      rosterProblem.inc({ reason: 'opted_out' });
      logger.error({ phone }, 'technician sent STOP: Twilio will block pages to this number until they send START');
    }
  });
  registerAuditBacklog(opts.client, opts.config.temporal.namespace, opts.config.temporal.taskQueue);
  app.use(healthRoutes(opts.client, opts.config, onCall));
  app.get('/metrics', metricsHandler);
  app.use('/api', apiRoutes(opts.dispatches, onCall, opts.dispatchApiKey));
  app.use('/webhooks/twilio', twilioRoutes({ config: opts.config, authToken: opts.twilioAuthToken, dispatches: opts.dispatches, replies }));
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  app.use(errorHandler);
  return app;
}
