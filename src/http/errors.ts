import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { logger } from '../observability/logger';

export interface ErrorBody {
  error: string;
  details?: Array<{ path: string; message: string }>;
}

/** An error a handler throws to answer with a specific 4xx status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: ErrorBody['details'],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

// body-parser (used by express.json/urlencoded) marks its errors with a `type`.
const BODY_PARSER_ERRORS: Record<string, { status: number; error: string }> = {
  'entity.parse.failed': { status: 400, error: 'malformed JSON body' },
  'entity.too.large': { status: 413, error: 'request body too large' },
  'entity.verify.failed': { status: 400, error: 'request body rejected' },
  'request.aborted': { status: 400, error: 'request aborted' },
  'request.size.invalid': { status: 400, error: 'request size did not match Content-Length' },
  'encoding.unsupported': { status: 415, error: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, error: 'unsupported charset' },
  'parameters.too.many': { status: 413, error: 'too many parameters' },
};

function toErrorResponse(err: unknown): { status: number; body: ErrorBody } | null {
  if (err instanceof HttpError) {
    return { status: err.status, body: { error: err.message, ...(err.details ? { details: err.details } : {}) } };
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    return { status: 400, body: { error: 'invalid request', details } };
  }
  if (typeof err === 'object' && err !== null) {
    const { type, status } = err as { type?: unknown; status?: unknown };
    const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
    if (known) return { status: known.status, body: { error: known.error } };
    // Other client errors from express middleware (http-errors with a 4xx status).
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { status, body: { error: err instanceof Error ? err.message : 'bad request' } };
    }
  }
  return null;
}

/** Last middleware: bad input becomes a JSON 4xx; anything else is logged and answered 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const response = toErrorResponse(err);
  if (response) {
    res.status(response.status).json(response.body);
    return;
  }
  logger.error({ err, method: req.method, path: req.path }, 'request failed');
  res.status(500).json({ error: 'internal error' } satisfies ErrorBody);
};

/** 415 unless the request declares a JSON body; mount before express.json() on JSON routes. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json')) next();
  else next(new HttpError(415, 'Content-Type must be application/json'));
};
