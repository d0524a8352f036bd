// A dispatch started before forwardAudit moved from the dispatch queue to the audit queue: its
// forwardAudit was scheduled on the dispatch queue, and a scheduled activity keeps its queue
// through every retry. Here the older release's workflow commands (this checkout's workflows with
// forwardAudit routed to the dispatch queue, see helpers/forwardOnDispatchQueue.ts) start the
// dispatch on a workflow-only worker — the old fleet with its activity side already gone in a
// rolling deploy, running only the local activities of its own workflow tasks — so the
// forwardAudit is left scheduled on the dispatch queue. Then the current
// worker role takes over: the dispatch must run that forwardAudit, page, take an accept and close.
// (The same story with the older release's own code: test/replay/recordAuditQueueMove.ts and the
// legacy-* replay fixtures.)
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditTaskQueueFor } from '../../src/contract/audit';
import { workflowIdFor } from '../../src/contract/dispatch';
import { ROOT } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';
import type { Tier } from '../../src/domain/types';
import type { FirstRead } from '../../workflows/dispatch/activities';

const [alice, bob] = ROSTER;
const onCall = (tier: Tier) => ROSTER.filter((t) => t.tier === tier);
/**
 * The older fleet's workflow-only worker still runs a dispatch's local activity (the first step's
 * read) in its own process; it polls no activity tasks, its activity side is gone. Here: the roster
 * as it stands, every phone free.
 */
const olderLocalActivities: FirstRead = {
  onCallNow: async () => ({ 1: onCall(1), 2: onCall(2), 3: onCall(3) }),
};
const callerPhone = '+12125550144';
try {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the in-process worker's state changes are noise here
} catch {
  // a runtime already installed in this process keeps its logger
}
const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

describe('a dispatch started before forwardAudit moved to the audit queue', () => {
  let stack: Stack;
  let connection: Connection | undefined;
  let client: Client;
  let olderCommands: string;

  beforeAll(async () => {
    const bundled = bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
      workflowInterceptorModules: [path.join(__dirname, 'helpers', 'forwardOnDispatchQueue.ts')],
      logger: quiet,
    });
    stack = await Stack.start({ workers: 0, env: { DISPATCH_T1: '30s', DISPATCH_T2: '30s', DISPATCH_STATUS_CHECK: '2s', BUSY_FOR: '3s' } });
    olderCommands = (await bundled).code;
    connection = await Connection.connect({ address: stack.temporal.address });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
  });

  /** forwardAudit activities in the history: the queue each was scheduled on and whether it completed */
  async function forwards(workflowId: string) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const completed = new Set(events.filter((e) => e.activityTaskCompletedEventAttributes).map((e) => String(e.activityTaskCompletedEventAttributes!.scheduledEventId)));
    return events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'forwardAudit')
      .map((e) => ({ queue: e.activityTaskScheduledEventAttributes!.taskQueue!.name!, completed: completed.has(String(e.eventId)) }));
  }

  test('the current worker runs the forwardAudit left on the dispatch queue; the dispatch pages, is accepted and closes with its whole record', async () => {
    const queue = stack.env.TEMPORAL_TASK_QUEUE!;
    const callId = `CA${randomUUID().replace(/-/g, '')}`;
    const workflowId = workflowIdFor(callId);

    // The older release takes the call and schedules its first forwardAudit, then stops.
    const nativeConnection = await NativeConnection.connect({ address: stack.temporal.address });
    const older = await Worker.create({
      connection: nativeConnection,
      taskQueue: queue,
      workflowBundle: { code: olderCommands },
      activities: olderLocalActivities,
      enableNonLocalActivities: false,
    });
    const olderRun = older.run();
    try {
      const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Burst pipe in the basement' });
      expect(dispatch.status).toBe('PAGING');
      await waitFor('a forwardAudit scheduled on the dispatch queue', async () => (await forwards(workflowId)).some((f) => f.queue === queue));
    } finally {
      older.shutdown();
      await olderRun;
      await nativeConnection.close();
    }
    expect(await forwards(workflowId)).toEqual([{ queue, completed: false }]);

    // The current release takes over.
    await stack.startWorker();
    const state = await stack.waitForStatus(callId, 'PAGING');
    await stack.phone(alice!.phone).expectSms(/Burst pipe/);
    await stack.phone(bob!.phone).expectSms(/Burst pipe/);
    await stack.phone(alice!.phone).reply(`YES ${state.replyCode}`);
    await stack.waitForStatus(callId, 'ACCEPTED');
    await waitFor(`${workflowId} to close`, async () => {
      const { status } = await client.workflow.getHandle(workflowId).describe();
      if (status.name !== 'RUNNING' && status.name !== 'COMPLETED') throw new Error(`${workflowId} ended ${status.name}`);
      return status.name === 'COMPLETED';
    }, 30_000, 250);

    const all = await forwards(workflowId);
    expect(all[0]).toEqual({ queue, completed: true }); // the stranded one ran, on the dispatch queue
    expect(all.slice(1).length).toBeGreaterThan(0);
    expect(all.slice(1).every((f) => f.queue === auditTaskQueueFor(queue) && f.completed)).toBe(true);
    // Its rows (the call's first row carries the caller and the creation time) reached Airtable.
    const row = await waitFor('the Calls row, complete', () =>
      stack.airtable.state.records('Calls').find((r) => r.fields['Call ID'] === callId && r.fields.Status === 'ACCEPTED' && r.fields['Created At']),
    20_000, 200);
    expect(row.fields['Caller Phone']).toBe(callerPhone);
  });
});
