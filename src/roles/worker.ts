// The worker role: runs dispatch workflows and the activities that page, plus, on the audit queue,
// the fleet's Airtable writer workflow and its write activities.
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createAuditActivities } from '../../activities/airtable/activities';
import { createAirtableGateway } from '../../activities/airtable/gateway';
import { createAuditForwardActivities } from '../../activities/airtable/forward';
import { createRosterSource } from '../../activities/roster/rosterSource';
import { createTwilioActivities } from '../../activities/twilio/activities';
import { createTwilioClient } from '../../activities/twilio/client';
import { createTwilioGateway } from '../../activities/twilio/gateway';
import type { AuditActivities, AuditForwardActivities, DispatchActivities } from '../contract/activities';
import { auditTaskQueueFor } from '../contract/audit';
import { checkAirtableBase, describeGaps } from '../../activities/airtable/schema';
import type { AirtableConfig, Config, TwilioConfig } from '../config';
import { logger } from '../observability/logger';
import { recordOutcome } from '../observability/metrics';
import { ensureWorkflowBundle } from '../temporal/workflowBundle';

export interface WorkerRoleOptions {
  config: Config;
  twilio: TwilioConfig;
  airtable: AirtableConfig;
  connection: NativeConnection;
  /** page from this file instead of the Technicians table */
  rosterFile?: string;
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
  const airtableGateway = createAirtableGateway({ ...opts.airtable, logger, requestsPerSecond: config.airtableRequestsPerSecond });
  const roster = createRosterSource(opts.rosterFile ? { rosterFile: opts.rosterFile, logger } : { gateway: airtableGateway, logger });
  const dispatchActivities: DispatchActivities = {
    ...createTwilioActivities(twilioGateway),
    loadRoster: () => roster.loadRoster(),
    reportOutcome: async (outcome) => recordOutcome(outcome),
  };
  const auditActivities: AuditActivities & AuditForwardActivities = {
    ...createAuditActivities(airtableGateway, logger),
    ...createAuditForwardActivities({
      taskQueue: config.temporal.taskQueue,
      baseId: opts.airtable.baseId,
      requestsPerSecond: config.airtableRequestsPerSecond,
    }),
  };

  // Built ahead of time (dist/workflows): loading it takes milliseconds, bundling takes seconds.
  const workflowBundle = await ensureWorkflowBundle(logger);
  const common = { connection, namespace: config.temporal.namespace, shutdownGraceTime: '20s', workflowBundle } as const;
  const dispatchWorker = await Worker.create({
    ...common,
    taskQueue: config.temporal.taskQueue,
    activities: dispatchActivities,
    // A dispatch's next task goes to the worker that has it cached (its sticky queue) and moves to
    // the shared queue when that worker has not taken it within this long. A live worker takes it
    // within milliseconds; a dead one never will, and until the server notices (10 s without a
    // poll) every dispatch it held waits this long after a crash: this bounds how late a follow-up
    // can be. The price of a short value is a replay of the dispatch's short history elsewhere
    // when a busy worker is slower than this — never a lost or doubled page (docs/decisions.md).
    stickyQueueScheduleToStartTimeout: '1s',
  });
  // The paging queue first: the audit worker (Airtable writes, off the paging path) is created
  // while the dispatch worker already polls, so a restarted worker takes due follow-ups at once.
  const dispatchRun = dispatchWorker.run();
  logger.info({ taskQueue: config.temporal.taskQueue }, 'dispatch queue polling');
  let auditWorker: Worker;
  try {
    auditWorker = await Worker.create({
      ...common, // the Airtable writer workflow runs here
      taskQueue: auditTaskQueueFor(config.temporal.taskQueue),
      activities: auditActivities,
      // No server-side rate limit here: the server splits it across the queue's partitions and lets
      // each burst, so it cannot hold 5 requests/s. The one writer workflow paces every write instead.
    });
  } catch (err) {
    dispatchWorker.shutdown();
    await dispatchRun.catch(() => undefined);
    throw err;
  }
  void reportSchemaGaps(opts.airtable);
  const done = Promise.all([dispatchRun, auditWorker.run()]).then(() => undefined);
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
    const gaps = await checkAirtableBase(airtable);
    if (gaps.length) logger.error({ alert: 'airtable-schema', missing: describeGaps(gaps) }, `Airtable base lacks ${describeGaps(gaps).join(', ')}: run npm run airtable:setup`);
  } catch (err) {
    logger.warn({ err }, 'could not check the Airtable base at start-up');
  }
}
