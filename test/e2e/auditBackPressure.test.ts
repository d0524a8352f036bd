// The fleet's Airtable writer given a larger backlog than it holds before it turns full: it says
// so in its Memo, a dispatch's forward then keeps its rows (no signal) and asks again later,
// and once the writer has written its backlog down it says it is open and the rows go through.
// Real dev server, the API and the worker as processes, the stand-ins in this process.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fillWriter, signalsTaken, writerIdOf, writerSaysFull } from '../support/auditWriter';
import { ROSTER, Stack } from '../support/stack';
import { freePort, waitFor } from '../support/wait';
import { snapshot, temporalClient } from './airtableAudit';

const [alice] = ROSTER;
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;

/** The dispatch's forwardAudit waiting for its next attempt, with the failure of the last one. */
async function pendingForward(client: Client, callId: string) {
  const { raw } = await client.workflow.getHandle(`dispatch-${callId}`).describe();
  return raw.pendingActivities?.find((a) => a.activityType?.name === 'forwardAudit');
}

describe('Airtable writer back-pressure', () => {
  let stack: Stack;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let workerMetrics = '';
  beforeAll(async () => {
    const metricsPort = await freePort();
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    // Long timers: the dispatch's rows are its start and first page only.
    stack = await Stack.start({ env: { DISPATCH_T1: '10m', DISPATCH_T2: '10m', WORKER_METRICS_PORT: String(metricsPort) } });
    temporal = await temporalClient(stack);
  });
  afterAll(async () => {
    stack?.airtable.state.setOutage(null);
    await temporal?.close();
    await stack?.stop();
  });

  test('full past its bound: a forward keeps its rows and goes through once the writer is open again', async () => {
    const { client } = temporal;
    const writerId = writerIdOf(stack);
    // Airtable down: the writer keeps every row it is given.
    stack.airtable.state.setOutage(503);
    await fillWriter(client, stack);
    await waitFor('the writer to say it is full', async () => (await writerSaysFull(client, writerId)) === true, 15_000, 100);
    const signalsWhenFull = await signalsTaken(client, writerId);

    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone: '+12125550171', urgency: 'emergency', summary: 'Burst pipe under the sink' });
    await stack.phone(alice!.phone).expectSms(new RegExp(dispatch.replyCode));
    const turnedAway = await waitFor('the dispatch\'s forward to be turned away', async () => {
      const forward = await pendingForward(client, callId);
      return forward?.lastFailure?.applicationFailureInfo?.type === 'AuditWriterFull' ? forward : undefined;
    }, 15_000, 100);
    expect(turnedAway.lastFailure?.message).toMatch(/writer is full/);
    expect(await signalsTaken(client, writerId)).toBe(signalsWhenFull); // the dispatch's rows stayed with it
    const deferred = await (await fetch(workerMetrics)).text();
    expect(Number(/^airtable_audit_forwards_deferred_total (\d+)$/m.exec(deferred)?.[1])).toBeGreaterThanOrEqual(1);

    // Airtable back: the writer writes its backlog down, opens, and the dispatch's rows follow.
    stack.airtable.state.setOutage(null);
    await waitFor('the writer to say it is open', async () => (await writerSaysFull(client, writerId)) === false, 90_000, 250);
    await waitFor('the dispatch\'s forward to go through', async () => (await pendingForward(client, callId)) === undefined, 90_000, 250);
    expect(await signalsTaken(client, writerId)).toBeGreaterThan(signalsWhenFull);
    await waitFor('the dispatch\'s Calls row in the base', () => snapshot(stack).callsById.has(callId), 60_000, 250);
    // Expected and retried: no warning per attempt in the worker's log.
    expect(stack.workers[0]!.output.filter((line) => line.includes('AuditWriterFull'))).toEqual([]);
  }, 240_000);
});
