// The worker's activities, assembled from their vendor gateways (Twilio, Airtable, the roster) and
// metrics. Kept apart from the Temporal side of the role (./worker.ts) because loading these
// libraries is a good part of a worker's start-up: the role loads this module while the SDK starts
// its workflow thread, not before.
import { createAuditActivities } from '../../activities/airtable/activities';
import { createAuditForwardActivities } from '../../activities/airtable/forward';
import { createAirtableGateway } from '../../activities/airtable/gateway';
import { checkAirtableBase, describeGaps } from '../../activities/airtable/schema';
import { createRosterSource } from '../../activities/roster/rosterSource';
import { createTwilioActivities } from '../../activities/twilio/activities';
import { createTwilioClient } from '../../activities/twilio/client';
import { createTwilioGateway } from '../../activities/twilio/gateway';
import type { AirtableConfig, Config, TwilioConfig } from '../config';
import type { AuditActivities, AuditForwardActivities, DispatchActivities } from '../contract/activities';
import { logger } from '../observability/logger';
import { recordOutcome } from '../observability/metrics';

export interface WorkerActivities {
  /** the paging path, on the dispatch queue */
  dispatch: DispatchActivities;
  /** Airtable writes and their forwarding, on the audit queue */
  audit: AuditActivities & AuditForwardActivities;
}

export function createWorkerActivities(opts: { config: Config; twilio: TwilioConfig; airtable: AirtableConfig; rosterFile?: string }): WorkerActivities {
  const { config } = opts;
  const twilioGateway = createTwilioGateway({
    client: createTwilioClient(opts.twilio),
    fromNumber: opts.twilio.fromNumber,
    publicBaseUrl: config.publicBaseUrl,
    logger,
  });
  const airtableGateway = createAirtableGateway({ ...opts.airtable, logger, requestsPerSecond: config.airtableRequestsPerSecond });
  const roster = createRosterSource(opts.rosterFile ? { rosterFile: opts.rosterFile, logger } : { gateway: airtableGateway, logger });
  return {
    dispatch: {
      ...createTwilioActivities(twilioGateway),
      loadRoster: () => roster.loadRoster(),
      reportOutcome: async (outcome) => recordOutcome(outcome),
    },
    audit: {
      ...createAuditActivities(airtableGateway, logger),
      ...createAuditForwardActivities({
        taskQueue: config.temporal.taskQueue,
        baseId: opts.airtable.baseId,
        requestsPerSecond: config.airtableRequestsPerSecond,
      }),
    },
  };
}

/**
 * Start-up check of the base: names every table or field the product writes that the base lacks
 * (rows for them would be refused until someone adds it, or runs `npm run airtable:setup`).
 * Informative only: pages never wait on Airtable, and refused rows are retried, not lost.
 */
export async function reportSchemaGaps(airtable: AirtableConfig): Promise<void> {
  try {
    const gaps = await checkAirtableBase(airtable);
    if (gaps.length) logger.error({ alert: 'airtable-schema', missing: describeGaps(gaps) }, `Airtable base lacks ${describeGaps(gaps).join(', ')}: run npm run airtable:setup`);
  } catch (err) {
    logger.warn({ err }, 'could not check the Airtable base at start-up');
  }
}
