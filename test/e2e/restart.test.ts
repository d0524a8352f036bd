// The promise the in-memory dispatcher broke: a follow-up fires once, on time, through a worker
// crash (kill -9) and through a restart of the Temporal server itself.
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phoneWorkflowIdFor } from '../../src/contract/phone';
import { ARTIFACTS } from '../support/paths';
import { watchPollers, workerIdentity, type PollerWatcher } from '../support/pollers';
import { ROSTER, Stack } from '../support/stack';
import { startTemporal } from '../support/temporal';
import { freePort, waitFor } from '../support/wait';

const [alice, bob] = ROSTER;
const T1_MS = 5_000;
const callerPhone = '+12125550198';

describe('restart survival', () => {
  let stack: Stack | undefined;
  let dbFile = '';
  afterAll(async () => {
    await stack?.stop();
    await stack?.temporal.stop();
  });

  // A kill -9 of the worker mid-wait is the crash test below (the follow-up due while no worker
  // runs) and exactly-once's kill in the middle of a send.
  beforeAll(async () => {
    dbFile = path.join(ARTIFACTS, `restart-${randomUUID()}.db`);
    const temporal = await startTemporal({ dbFile, port: await freePort() });
    stack = await Stack.start({ temporal, env: { DISPATCH_T1: `${T1_MS / 1000}s`, DISPATCH_T2: '60s' } });
  });

  test('the Temporal server stops and restarts on the same database mid-wait: the follow-up still arrives once', async () => {
    const callId = `CA${randomUUID().replace(/-/g, '')}`;
    const { dispatch } = await stack!.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Boiler out, freezing' });
    const a = stack!.phone(alice!.phone);
    const b = stack!.phone(bob!.phone);
    await a.expectSms(/Boiler/);
    await b.expectSms(/Boiler/);

    const { address } = stack!.temporal;
    const port = Number(address.split(':')[1]);
    await stack!.temporal.stop();
    // Down for longer than T1: the timer comes due while no server runs.
    await new Promise((r) => setTimeout(r, T1_MS + 1_000));
    stack!.temporal = await startTemporal({ dbFile, port });

    await a.expectSms(new RegExp(`FOLLOW-UP 2: .*Boiler.*${dispatch.replyCode}`), 40_000);
    await b.expectSms(/FOLLOW-UP 2: .*Boiler/);
    const state = await stack!.dispatch(callId);
    expect(state.status).toBe('PAGING');
    expect(state.messages.filter((m) => m.to === alice!.phone).map((m) => m.kind)).toEqual(['PAGE', 'FOLLOW_UP']);
    const copies = stack!.twilio.state.inbox(alice!.phone).filter((m) => m.body.includes(dispatch.replyCode));
    expect(copies).toHaveLength(2);
    await stack!.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack!.waitForStatus(callId, 'CANCELLED');
    await a.expectSms(/cancel/i);
    await b.expectSms(/cancel/i);
  });
});

describe('a crash between two pages, with one worker', () => {
  let stack: Stack | undefined;
  let watcher: PollerWatcher | undefined;
  let client: Client | undefined;
  afterAll(async () => {
    await client?.connection.close();
    await watcher?.close();
    await stack?.stop();
  });

  // The promise: a follow-up due while the only worker is down goes out within 3 s of its due time
  // when a new worker is started 2 s after the crash. Of those 3 s, 2 are the operator's; the rest
  // is the product's: the hand-over off the dead worker's sticky queue (1 s), the new worker's
  // start-up (about 1.5 s on an idle machine: `npm run bench -- --only=crash` measures it) and the
  // replay and send. Start-up is a matter of CPU, which a shared test machine does not promise, so
  // this test holds the parts the product decides: the hand-over, the pick-up at the first poll,
  // the technician's phone workflow reached without a second wait on a dead sticky queue (its page
  // went out 4 s before, well within the server's 10 s), one follow-up.
  test('kill -9, a new worker 2 s later, the follow-up due in between: it leaves the dead worker within a second and goes out at the first poll', async () => {
    stack = await Stack.start({ env: { DISPATCH_T1: '4s', DISPATCH_T2: '60s', DISPATCH_VOICE: 'false' } });
    watcher = await watchPollers(stack.temporal.address);
    client = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
    const callId = `CA${randomUUID().replace(/-/g, '')}`;
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Water heater leaking' });
    const a = stack.phone(alice!.phone);
    await a.expectSms(/Water heater/);
    await stack.phone(bob!.phone).expectSms(/Water heater/);
    const dueAt = Date.parse(await waitFor('the follow-up time', async () => (await stack!.dispatch(callId)).nextEscalationAt, 10_000));

    await sleepUntil(dueAt - 1_000);
    const killedAt = Date.now();
    await stack.workers[0]!.stop('SIGKILL');
    await sleepUntil(killedAt + 2_000);
    const restarting = stack.startWorker();
    const restarted = stack.workers[stack.workers.length - 1]!;
    const firstPollAt = await watcher.firstPoll(stack.env.TEMPORAL_TASK_QUEUE!, workerIdentity(restarted.pid));
    await restarting;

    await a.expectSms(new RegExp(`FOLLOW-UP 2: .*Water heater.*${dispatch.replyCode}`), 30_000);
    await stack.phone(bob!.phone).expectSms(/FOLLOW-UP 2/);
    const copies = stack.twilio.state.inbox(alice!.phone).filter((m) => m.body.includes(dispatch.replyCode));
    expect(copies.map((m) => (m.body.startsWith('FOLLOW-UP') ? 'follow-up' : 'page'))).toEqual(['page', 'follow-up']);

    // The workflow task the timer raised waited on the dead worker's sticky queue for 1 s, then
    // went to the shared queue, where the new worker took it as soon as it polled.
    const { events } = await client.workflow.getHandle(`dispatch-${callId}`).fetchHistory();
    const at = (e: temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime!.seconds) * 1000 + Math.round((e.eventTime!.nanos ?? 0) / 1e6);
    const { EventType, TimeoutType } = temporal.api.enums.v1;
    const fired = events!.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED && at(e) >= dueAt - 100);
    expect(fired).toBeGreaterThan(0);
    const after = events!.slice(fired);
    const handedOver = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
    expect(handedOver?.workflowTaskTimedOutEventAttributes?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
    expect(at(handedOver!) - at(events![fired]!)).toBeLessThan(2_000);
    const taken = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)!;
    expect(at(taken)).toBeGreaterThan(killedAt);
    expect(at(taken) - firstPollAt).toBeLessThan(1_000);

    // The follow-up's Update to Alice's phone workflow went straight to the shared queue: the new
    // worker moved her phone off the dead worker's sticky queue before it, so no task of it timed out.
    const phone = await client.workflow.getHandle(phoneWorkflowIdFor(stack.env.TEMPORAL_TASK_QUEUE!, alice!.phone)).fetchHistory();
    const phoneAfterKill = phone.events!.filter((e) => at(e) > killedAt);
    const answered = phoneAfterKill.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    expect(answered?.workflowTaskScheduledEventAttributes?.taskQueue?.kind).toBe(temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL);
    expect(phoneAfterKill.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)).toEqual([]);
  });
});

function sleepUntil(time: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, time - Date.now())));
}
