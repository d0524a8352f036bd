import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createAuditActivities } from '../../../activities/airtable/activities';
import { AirtableRequestError, type AirtableErrorKind } from '../../../activities/airtable/errors';
import type { AirtableGateway } from '../../../activities/airtable/gateway';
import { captureLogger, LEVEL } from './logCapture';

function failingGateway(error: Error): AirtableGateway {
  return {
    upsertCalls: () => Promise.reject(error),
    upsertEvents: () => Promise.reject(error),
    listTechnicians: () => Promise.reject(error),
    listSchedule: () => Promise.reject(error),
  };
}

async function failureOf(kind: AirtableErrorKind, status: number | undefined) {
  const { logger, lines } = captureLogger();
  const error = new AirtableRequestError(kind, 'upsert into "Calls"', status, status === 422 ? 'UNKNOWN_FIELD_NAME' : undefined, 'x');
  const failure = await createAuditActivities(failingGateway(error), logger)
    .upsertCall({ callId: 'CA1', status: 'PAGING' })
    .catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return { failure: failure as ApplicationFailure, lines };
}

describe('audit activities error mapping', () => {
  it('429 → AirtableRateLimited, retried after 30 s', async () => {
    const { failure } = await failureOf('rateLimited', 429);
    expect(failure).toMatchObject({ type: 'AirtableRateLimited', nextRetryDelay: '30s', nonRetryable: false });
  });

  it('5xx / network → AirtableUnavailable, retried on the retry policy', async () => {
    const { failure, lines } = await failureOf('transient', 503);
    expect(failure).toMatchObject({ type: 'AirtableUnavailable', nonRetryable: false });
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(lines.filter((l) => l.level >= LEVEL.error)).toEqual([]);
  });

  it('422 → retried slowly and logged at error level naming the row', async () => {
    const { failure, lines } = await failureOf('permanent', 422);
    expect(failure).toMatchObject({ type: 'AirtableRejected', nextRetryDelay: '5m', nonRetryable: false });
    expect(failure.message).toMatch(/Calls row CA1.*UNKNOWN_FIELD_NAME/);
    const errors = lines.filter((l) => l.level === LEVEL.error);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ alert: 'airtable-audit-rejected', status: 422 });
  });

  it('passes rows through to the gateway and resolves', async () => {
    const seen: unknown[] = [];
    const gateway: AirtableGateway = {
      upsertCalls: async (rows) => {
        seen.push(rows);
        return { created: 1, updated: 0 };
      },
      upsertEvents: async (rows) => {
        seen.push(rows);
        return { created: rows.length, updated: 0 };
      },
      listTechnicians: async () => [],
      listSchedule: async () => ({ rotations: [], overrides: [] }),
    };
    const activities = createAuditActivities(gateway, captureLogger().logger);
    await activities.upsertCall({ callId: 'CA1' });
    await activities.upsertDispatchEvents([{ eventKey: 'k', callId: 'CA1' }]);
    expect(seen).toEqual([[{ callId: 'CA1' }], [{ eventKey: 'k', callId: 'CA1' }]]);
  });
});
