// The worker's activities, assembled from their vendor gateways (Twilio, Airtable, the roster) and
// metrics. Kept apart from the Temporal side of the role (./worker.ts) because loading these
// libraries is a good part of a worker's start-up: the role loads this module while the SDK starts
// its workflow thread, not before.
import { createAuditActivities } from '../../activities/airtable/activities';
import { createAuditForwardActivities } from '../../activities/airtable/forward';
import { createAirtableGateway } from '../../activities/airtable/gateway';
import { logSchemaReview, reviewAirtableBase } from '../../activities/airtable/schema';
import { createPhoneActivities } from '../../activities/phone/phoneActivities';
import { createOnCallActivities } from '../../activities/roster/onCallActivities';
import { createRosterSource } from '../../activities/roster/rosterSource';
import { createTwilioActivities } from '../../activities/twilio/activities';
import { createTwilioClient } from '../../activities/twilio/client';
import { createTwilioGateway } from '../../activities/twilio/gateway';
import type { AirtableConfig, Config, TwilioConfig } from '../config';
import type { AuditActivities, AuditForwardActivities, PagingActivities } from '../contract/activities';
import { logger } from '../observability/logger';
import { recordOutcome } from '../observability/metrics';

export interface WorkerActivities {
  /** the paging path and the on-call schedule, on the dispatch queue */
  dispatch: PagingActivities;
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
  const airtableGateway = createAirtableGateway({
    ...opts.airtable,
    logger,
    requestsPerSecond: config.airtableRequestsPerSecond,
    timeZone: config.businessHours.timeZone,
  });
  const roster = createRosterSource({
    ...(opts.rosterFile ? { rosterFile: opts.rosterFile } : { gateway: airtableGateway }),
    logger,
    cacheTtlMs: config.schedule.refreshMs,
    timeZone: config.businessHours.timeZone,
  });
  const forwardActivities = createAuditForwardActivities({
    taskQueue: config.temporal.taskQueue,
    baseId: opts.airtable.baseId,
    requestsPerSecond: config.airtableRequestsPerSecond,
  });
  const twilio = createTwilioActivities(twilioGateway);
  const onCall = createOnCallActivities(roster, { timeZone: config.businessHours.timeZone, businessName: config.businessName });
  return {
    dispatch: {
      ...twilio,
      ...onCall,
      ...createPhoneActivities({ taskQueue: config.temporal.taskQueue, loadOnCall: onCall.loadOnCall, twilio }),
      loadRoster: () => roster.loadRoster(),
      reportOutcome: async (outcome) => recordOutcome(outcome),
      // Dispatches started before forwardAudit moved to the audit queue scheduled it on this one, and
      // a scheduled activity keeps its queue through every retry: without it here they never close.
      // Remove once no such dispatch can be running (docs/decisions.md, Versioning).
      ...forwardActivities,
    },
    audit: { ...createAuditActivities(airtableGateway, logger), ...forwardActivities },
  };
}

/**
 * Start-up check of the base: names every table or field the product writes that the base lacks
 * (rows for them would be refused until someone adds it, or runs `npm run airtable:setup`).
 * Informative only: pages never wait on Airtable, and refused rows are retried, not lost.
 */
export async function reportSchemaGaps(airtable: AirtableConfig): Promise<void> {
  try {
    logSchemaReview(await reviewAirtableBase(airtable), logger);
  } catch (err) {
    logger.warn({ err }, 'could not check the Airtable base at start-up');
  }
}
