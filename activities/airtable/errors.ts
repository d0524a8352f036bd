// One error type for every Airtable failure, classified by what the caller should do about it.

/**
 * - rateLimited: 429; Airtable locks the base out for 30 s, so wait at least that long.
 * - transient: 5xx, timeouts, network; retry with backoff.
 * - permanent: 401/403/404/422…; retrying the same request cannot succeed until someone fixes
 *   the credentials, the base or the code.
 */
export type AirtableErrorKind = 'rateLimited' | 'transient' | 'permanent';

export class AirtableRequestError extends Error {
  override readonly name = 'AirtableRequestError';

  constructor(
    readonly kind: AirtableErrorKind,
    /** what we were doing, e.g. `upsert into "Calls"` */
    readonly action: string,
    /** HTTP status; undefined when no response came back */
    readonly status: number | undefined,
    /** Airtable's error type, e.g. UNKNOWN_FIELD_NAME */
    readonly airtableType: string | undefined,
    detail: string,
  ) {
    super(`Airtable ${action} failed (${status ?? 'no response'}${airtableType ? ` ${airtableType}` : ''}): ${detail}`);
  }
}

export function classifyStatus(status: number | undefined): AirtableErrorKind {
  if (status === 429) return 'rateLimited';
  if (status === undefined || status >= 500 || status === 408) return 'transient';
  return 'permanent';
}

/** Shape of the official client's AirtableError (it is not exported as a usable class type). */
interface ClientError {
  error: string;
  message: string;
  statusCode: number | null;
}

function isClientError(err: unknown): err is ClientError {
  return typeof err === 'object' && err !== null && 'error' in err && 'statusCode' in err && 'message' in err;
}

/** Wraps whatever the client or fetch threw; anything with no HTTP status counts as transient. */
export function toAirtableRequestError(err: unknown, action: string): AirtableRequestError {
  if (err instanceof AirtableRequestError) return err;
  if (isClientError(err)) {
    const status = err.statusCode ?? undefined;
    return new AirtableRequestError(classifyStatus(status), action, status, err.error, err.message);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AirtableRequestError('transient', action, undefined, undefined, message);
}
