// Audit activities: the Calls and Dispatch Events rows of spec section 6. They run on the audit
// task queue, so an Airtable outage only delays these and never a page.
import { ApplicationFailure } from '@temporalio/common';
import type { CallRow, DispatchEventRow } from '../../src/domain/types';
import { logger as rootLogger, type Logger } from '../../src/observability/logger';
import type { AuditActivities, Pace } from '../../src/contract/activities';
import { AirtableRequestError } from './errors';
import type { AirtableGateway } from './gateway';

/** Airtable locks a base out for 30 s after a 429; an earlier retry only extends the lock-out. */
export const RATE_LIMIT_RETRY_DELAY = '30s';
/** A rejected write waits for a person to fix the base, the key or the code: retry slowly so the
 *  rejected rows do not eat the base's 5 requests/s that the healthy rows need. */
export const REJECTED_RETRY_DELAY = '5m';

async function held(pace: Pace | undefined, write: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await write();
  } finally {
    const rest = started + (pace?.holdMs ?? 0) - Date.now();
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
}

export function createAuditActivities(gateway: AirtableGateway, logger: Logger = rootLogger): AuditActivities {
  async function audit(what: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      throw toActivityFailure(err, what, logger);
    }
  }

  return {
    upsertCall: (row: CallRow) => audit(`Calls row ${row.callId}`, () => gateway.upsertCalls([row])),
    upsertCalls: (rows: CallRow[], pace?: Pace) => held(pace, () => audit(`${rows.length} Calls row(s)`, () => gateway.upsertCalls(rows))),
    upsertDispatchEvents: (rows: DispatchEventRow[], pace?: Pace) =>
      held(pace, () =>
        audit(`${rows.length} Dispatch Events row(s) of ${[...new Set(rows.map((row) => row.callId))].join(', ')}`, () =>
          gateway.upsertEvents(rows),
        ),
      ),
  };
}

/**
 * Every Airtable failure stays retryable, permanent ones included: the audit trail must not be
 * lost, and a 401/404/422 is fixed by a person (new token, missing field added with the setup
 * command, a deploy) after which the next retry — running the new code — lands the row. Such
 * failures are logged at error level each attempt so the alert fires while they wait. The
 * workflow's retry policy for audit activities must therefore not cap the attempts.
 */
function toActivityFailure(err: unknown, what: string, logger: Logger): Error {
  if (!(err instanceof AirtableRequestError)) return err instanceof Error ? err : new Error(String(err));
  const message = `${what}: ${err.message}`;
  switch (err.kind) {
    case 'rateLimited':
      logger.warn({ status: err.status }, `Airtable rate limit reached; retrying in ${RATE_LIMIT_RETRY_DELAY}`);
      return ApplicationFailure.create({ message, type: 'AirtableRateLimited', nextRetryDelay: RATE_LIMIT_RETRY_DELAY, cause: err });
    case 'transient':
      return ApplicationFailure.create({ message, type: 'AirtableUnavailable', cause: err });
    case 'permanent':
      logger.error(
        { status: err.status, airtableType: err.airtableType, alert: 'airtable-audit-rejected' },
        `Airtable rejected the audit write; it is kept and retried every ${REJECTED_RETRY_DELAY} until the base is fixed. ${message}`,
      );
      return ApplicationFailure.create({ message, type: 'AirtableRejected', nextRetryDelay: REJECTED_RETRY_DELAY, cause: err });
  }
}
