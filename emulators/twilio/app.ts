// The emulator's express app: Twilio's REST API plus the /_emulator control API.
// A human-facing page can be mounted on the returned app (e.g. app.get('/')).
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { emulatorControlRouter } from './controlRoutes';
import { API_VERSION } from './messageResource';
import { twilioRestRouter } from './restRoutes';
import type { TwilioEmulatorState } from './state';
import { sendTwilioError } from './twilioErrors';

export function createTwilioEmulatorApp(state: TwilioEmulatorState, logger: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(`/${API_VERSION}/Accounts/:accountSid`, twilioRestRouter(state));
  app.use('/_emulator', emulatorControlRouter(state));
  app.use(`/${API_VERSION}`, (req, res) => sendTwilioError(res, 404, 20404, `The requested resource ${req.originalUrl} was not found`));
  // Express signature with four arguments marks the error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) logger.error({ err, path: req.path }, 'emulator request failed');
    res.status(status).json({ error: err instanceof Error ? err.message : String(err) });
  });
  return app;
}
