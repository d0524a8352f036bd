// The worker role: runs dispatch workflows and the activities that page, plus, on the audit queue,
// the fleet's Airtable writer workflow and its write activities.
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createAuditActivities } from '../../activities/airtable/activities';
import { createAirtableGateway } from '../../activities/airtable/gateway';
import { createAuditForwardActivities } from '../../activities/airtable/forward';
import { createOnCallActivities } from '../../activities/roster/onCallActivities';
import { createRosterSource } from '../../activities/roster/rosterSource';
import { ensureOnCallSchedule } from '../client/onCallService';
import { createTwilioActivities } from '../../activities/twilio/activities';
import { createTwilioClient } from '../../activities/twilio/client';
import { createTwilioGateway } from '../../activities/twilio/gateway';
import type { AuditActivities, AuditForwardActivities, DispatchActivities, OnCallActivities } from '../contract/activities';
import { auditTaskQueueFor } from '../contract/audit';
import { logSchemaReview, reviewAirtableBase } from '../../activities/airtable/schema';
import type { AirtableConfig, Config, TwilioConfig } from '../config';
import { logger } from '../observability/logger';
import { recordOutcome } from '../observability/metrics';

export interface WorkerRoleOptions {
  config: Config;
  twilio: TwilioConfig;
  airtable: AirtableConfig;
  connection: NativeConnection;
  /** page from this file instead of the Technicians table */
  rosterFile?: string;
  /** a prebuilt workflow bundle (tests share one); else the workflows are bundled at start */
  workflowBundlePath?: string;
}

export interface RunningWorkers {
  /** resolves when both workers have stopped */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorkers(opts: WorkerRoleOptions): Promise<RunningWorkers> {
  const { config, connection } = opts;
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
  const dispatchActivities: DispatchActivities & OnCallActivities & AuditForwardActivities = {
    ...createTwilioActivities(twilioGateway),
    ...createOnCallActivities(roster, { timeZone: config.businessHours.timeZone, businessName: config.businessName }),
    loadRoster: () => roster.loadRoster(),
    reportOutcome: async (outcome) => recordOutcome(outcome),
    // Dispatches started before forwardAudit moved to the audit queue scheduled it on this one, and
    // a scheduled activity keeps its queue through every retry: without it here they never close.
    // Remove once no such dispatch can be running (docs/decisions.md, Versioning).
    ...forwardActivities,
  };
  const auditActivities: AuditActivities & AuditForwardActivities = {
    ...createAuditActivities(airtableGateway, logger),
    ...forwardActivities,
  };

  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = opts.workflowBundlePath
    ? { workflowBundle: { codePath: opts.workflowBundlePath } }
    : { workflowsPath: path.resolve(__dirname, '..', '..', 'workflows', 'index.ts') };
  const common = { connection, namespace: config.temporal.namespace, shutdownGraceTime: '20s' } as const;
  const dispatchWorker = await Worker.create({
    ...common,
    ...workflows,
    taskQueue: config.temporal.taskQueue,
    activities: dispatchActivities,
    // When a worker dies, its cached dispatches move to another worker after this long: it bounds
    // how late a follow-up can be after a crash.
    stickyQueueScheduleToStartTimeout: '3s',
  });
  const auditWorker = await Worker.create({
    ...common,
    ...workflows, // the Airtable writer workflow runs here
    taskQueue: auditTaskQueueFor(config.temporal.taskQueue),
    activities: auditActivities,
    // No server-side rate limit here: the server splits it across the queue's partitions and lets
    // each burst, so it cannot hold 5 requests/s. The one writer workflow paces every write instead.
  });
  void reportSchemaGaps(opts.airtable);
  await ensureOnCallSchedule(connection, { namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, settings: config.schedule });
  const done = Promise.all([dispatchWorker.run(), auditWorker.run()]).then(() => undefined);
  logger.info({ taskQueue: config.temporal.taskQueue }, 'workers polling');
  return {
    done,
    async shutdown() {
      for (const w of [dispatchWorker, auditWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}

/**
 * Start-up check of the base: names every table or field the product writes that the base lacks
 * (rows for them would be refused until someone adds it, or runs `npm run airtable:setup`).
 * Informative only: pages never wait on Airtable, and refused rows are retried, not lost.
 */
async function reportSchemaGaps(airtable: AirtableConfig): Promise<void> {
  try {
    logSchemaReview(await reviewAirtableBase(airtable), logger);
  } catch (err) {
    logger.warn({ err }, 'could not check the Airtable base at start-up');
  }
}
