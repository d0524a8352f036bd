// The client side of the on-call schedule: the workers keep its one workflow running with their
// settings, and the API asks it who is on call (GET /api/oncall, /health, ONCALL replies).
import { Client, WorkflowNotFoundError, type ConnectionLike } from '@temporalio/client';
import { onCallQuery, onCallSettingsSignal, onCallWorkflowIdFor, type OnCallSettings } from '../contract/onCall';
import type { OnCallPlan } from '../domain/roster/onCallPlan';
import { TIERS } from '../domain/roster/schedule';
import type { Tier } from '../domain/types';

const QUERY_DEADLINE_MS = 3_000;

/** Who is who and who is on call, for a person watching the phones (the sandbox page). */
export interface OnCallDirectory {
  onCall: Array<{ tier: Tier; names: string[] }>;
  nextHandOff?: { tier: Tier; technician: string; start: string };
  people: Array<{ phone: string; name: string; tier: Tier }>;
}

export interface OnCallService {
  /** the schedule as its workflow last read it; undefined before its first read */
  current(): Promise<OnCallPlan | undefined>;
  directory(): Promise<OnCallDirectory | undefined>;
}

export function createOnCallService(client: Client, taskQueue: string): OnCallService {
  const service: OnCallService = {
    async directory() {
      const plan = await service.current();
      if (!plan) return undefined;
      return {
        onCall: TIERS.map((tier) => ({ tier, names: plan.onCall[tier].map((t) => t.name) })),
        nextHandOff: plan.nextHandOff,
        people: plan.roster,
      };
    },
    async current() {
      try {
        // A query waits for a worker: bounded so /health and an SMS answer never hang on it.
        return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
          client.workflow.getHandle(onCallWorkflowIdFor(taskQueue)).query(onCallQuery),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },
  };
  return service;
}

/**
 * Starts the schedule's workflow if it is not running, and hands it this worker's settings either
 * way: every worker does this at start-up, and the one workflow id keeps it single.
 */
export async function ensureOnCallSchedule(connection: ConnectionLike, opts: { namespace: string; taskQueue: string; settings: OnCallSettings }): Promise<void> {
  const client = new Client({ connection, namespace: opts.namespace });
  await client.workflow.signalWithStart('onCallWorkflow', {
    workflowId: onCallWorkflowIdFor(opts.taskQueue),
    taskQueue: opts.taskQueue,
    args: [{ settings: opts.settings }],
    signal: onCallSettingsSignal,
    signalArgs: [opts.settings],
  });
}
