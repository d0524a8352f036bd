// `node --import tsx test/replay/recordAuditQueueMove.ts <checkout of the release before the move>`
//
// Records the histories behind the decision on moving `forwardAudit` from the dispatch queue to
// the `<queue>-audit` queue (docs/decisions.md, Versioning), with the code of the release before
// the move running for real:
//
//   legacy-accepted    a dispatch that paged and was accepted entirely under the old release;
//   legacy-in-flight   a dispatch paged under the old release, then declined by one technician
//                      while the old release's workers no longer ran activities (a rolling deploy
//                      halfway): its forwardAudit sits scheduled on the dispatch queue, and the
//                      history is taken in that state;
//   legacy-handover    that same dispatch after the current release took over: the forwardAudit
//                      scheduled on the dispatch queue ran (or the dispatch would never close),
//                      the other technician accepted, and it closed.
//
// The old checkout needs a node_modules (a symlink to this one's will do):
//   git worktree add --detach /tmp/before-move 9374ad5^ && ln -s "$PWD/node_modules" /tmp/before-move/
// The old code runs from there: its worker and API as processes, and a workflow-only worker of its
// bundle in this process (the old fleet with its activity side gone). The current release runs
// from this checkout.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { workflowIdFor } from '../../src/contract/dispatch';
import type { DispatchState } from '../../src/domain/types';
import setup from '../support/globalSetup';
import { ARTIFACTS, BUNDLE_PATH, ROOT } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';
import { FIXTURES, writeManifest, type ManifestEntry } from './fixtures';
import { exportHistory, runRecorder, shortCommit } from './recording';

const [alice, bob] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number]];
const callerPhone = '+12125550143';
const log = (msg: string) => console.log(`[audit-queue-move] ${msg}`);
const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

/** forwardAudit activities of a history, with the queue each was scheduled on and whether it completed. */
function forwards(events: Array<Record<string, any>>): Array<{ id: string; queue: string; completed: boolean }> {
  const done = new Set(events.filter((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED').map((e) => e.activityTaskCompletedEventAttributes.scheduledEventId));
  return events
    .filter((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' && e.activityTaskScheduledEventAttributes.activityType.name === 'forwardAudit')
    .map((e) => ({ id: e.eventId, queue: e.activityTaskScheduledEventAttributes.taskQueue.name, completed: done.has(e.eventId) }));
}

async function main(): Promise<void> {
  const oldRoot = path.resolve(process.argv[2] ?? '');
  if (!fs.existsSync(path.join(oldRoot, 'workflows', 'dispatch.ts')) || !fs.existsSync(path.join(oldRoot, 'node_modules'))) {
    throw new Error('usage: recordAuditQueueMove.ts <checkout of 9374ad5^ with a node_modules>');
  }
  const oldCommit = shortCommit(oldRoot);
  const newCommit = shortCommit(ROOT);
  log(`old release ${oldCommit} from ${path.basename(oldRoot)}, current ${newCommit}`);

  await setup(); // the CLI, and the current bundle for the current worker
  const legacyBundle = path.join(ARTIFACTS, 'workflow-bundle-before-audit-queue-move.js');
  fs.writeFileSync(legacyBundle, (await bundleWorkflowCode({ workflowsPath: path.join(oldRoot, 'workflows', 'index.ts'), logger: quiet })).code);

  const stack = await Stack.start({
    roleRoot: oldRoot,
    workflowBundlePath: legacyBundle,
    env: { DISPATCH_T1: '60s', DISPATCH_T2: '60s', DISPATCH_MAX_ROUNDS: '1', DISPATCH_STATUS_CHECK: '2s', DISPATCH_GRACE: '60s' },
  });
  const queue = stack.env.TEMPORAL_TASK_QUEUE!;
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection });
  const entries: ManifestEntry[] = [];
  const save = (name: string, workflowId: string, recordedFrom: string) => {
    const events = exportHistory(stack.temporal.address, workflowId, name, log);
    const count = events.length;
    const spec = FIXTURES.find((f) => f.name === name)!;
    entries.push({ name, workflowId, workflowType: spec.workflowType, path: spec.path, closed: spec.closed, recordedFrom, events: count });
    return events;
  };
  const state = (callId: string, what: string, ready: (s: DispatchState) => boolean, timeoutMs = 30_000) =>
    waitFor(`${callId}: ${what}`, async () => {
      const s = await stack.dispatch(callId);
      return ready(s) ? s : undefined;
    }, timeoutMs, 100);
  const delivered = (s: DispatchState, phones: string[]) => phones.every((p) => s.messages.some((m) => m.to === p && m.kind === 'PAGE' && m.status === 'delivered'));
  const reply = async (phone: string, body: string) => {
    const r = await stack.twilio.state.reply(phone, body);
    if (r.status !== 200) throw new Error(`reply from ${phone}: HTTP ${r.status}`);
  };
  const closed = (workflowId: string, timeoutMs: number) =>
    waitFor(`${workflowId} to close`, async () => {
      const d = await client.workflow.getHandle(workflowId).describe();
      if (d.status.name === 'RUNNING') return undefined;
      if (d.status.name !== 'COMPLETED') throw new Error(`${workflowId} ended ${d.status.name}`);
      return true;
    }, timeoutMs, 250);
  const pendingForwards = async (workflowId: string) =>
    ((await client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'forwardAudit');

  let legacyWorker: Worker | undefined;
  let legacyRun: Promise<void> | undefined;
  try {
    // 1. Entirely under the old release.
    const a = `CA${randomUUID().replace(/-/g, '')}`;
    const started = await stack.startDispatch({ callId: a, callerPhone, urgency: 'emergency', summary: 'Burst pipe in the basement', address: '12 Elm St' });
    await state(a, 'tier 1 paged', (s) => delivered(s, [alice.phone, bob.phone]));
    await reply(alice.phone, `YES ${started.dispatch.replyCode}`);
    await closed(workflowIdFor(a), 60_000);
    const oldEvents = save('legacy-accepted', workflowIdFor(a), oldCommit);
    log(`legacy-accepted forwards: ${JSON.stringify(forwards(oldEvents).map((f) => f.queue))}`);

    // 2. Paged under the old release; its workers stop running activities; a decline arrives.
    const b = `CA${randomUUID().replace(/-/g, '')}`;
    const bWorkflow = workflowIdFor(b);
    const { dispatch } = await stack.startDispatch({ callId: b, callerPhone, urgency: 'emergency', summary: 'No heat, infant at home' });
    await state(b, 'tier 1 paged', (s) => delivered(s, [alice.phone, bob.phone]));
    await waitFor('the old worker to finish its activities', async () => ((await client.workflow.getHandle(bWorkflow).describe()).raw.pendingActivities ?? []).length === 0);
    await stack.workers[0]!.stop();
    const nativeConnection = await NativeConnection.connect({ address: stack.temporal.address });
    legacyWorker = await Worker.create({ connection: nativeConnection, taskQueue: queue, workflowBundle: { codePath: legacyBundle } });
    legacyRun = legacyWorker.run().finally(() => nativeConnection.close());
    await reply(alice.phone, `NO ${dispatch.replyCode}`);
    await waitFor('a forwardAudit scheduled by the old release', async () => (await pendingForwards(bWorkflow)).length > 0);
    const inFlight = forwards(save('legacy-in-flight', bWorkflow, oldCommit)).filter((f) => !f.completed);
    log(`legacy-in-flight: forwardAudit waiting on ${JSON.stringify(inFlight.map((f) => f.queue))}`);
    if (!inFlight.some((f) => f.queue === queue)) throw new Error(`expected a forwardAudit scheduled on ${queue}`);

    // 3. The current release takes over: its worker and API from this checkout.
    legacyWorker.shutdown();
    await legacyRun;
    legacyWorker = undefined;
    await stack.apis[0]!.stop();
    stack.roleRoot = ROOT;
    stack.env.WORKFLOW_BUNDLE_PATH = BUNDLE_PATH;
    await stack.startWorker();
    await stack.startApi(Number(new URL(stack.apiUrl).port));
    try {
      await waitFor('the forwardAudit scheduled on the dispatch queue to run', async () => (await pendingForwards(bWorkflow)).length === 0, 40_000, 500);
    } catch (err) {
      const [stuck] = await pendingForwards(bWorkflow);
      log(`STUCK: forwardAudit attempt ${stuck?.attempt} on ${queue}: ${stuck?.lastFailure?.message ?? 'no failure yet'}`);
      throw err;
    }
    await reply(bob.phone, `YES ${dispatch.replyCode}`);
    await closed(bWorkflow, 60_000);
    const handover = forwards(save('legacy-handover', bWorkflow, `${oldCommit}→${newCommit}`));
    log(`legacy-handover forwards: ${JSON.stringify(handover.map((f) => `${f.queue}${f.completed ? '' : ' (open)'}`))}`);
    writeManifest(entries);
  } finally {
    if (legacyWorker) {
      legacyWorker.shutdown();
      await legacyRun?.catch(() => undefined);
    }
    await connection.close();
    await stack.stop();
  }
}

runRecorder(main);
