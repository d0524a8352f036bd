// The promise the in-memory dispatcher broke: a follow-up fires once, on time, through a worker
// crash (kill -9) and through a restart of the Temporal server itself.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ARTIFACTS } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { startTemporal } from '../support/temporal';
import { freePort } from '../support/wait';

const [alice, bob] = ROSTER;
const T1_MS = 8_000;
const callerPhone = '+12125550198';

describe('restart survival', () => {
  let stack: Stack | undefined;
  let dbFile = '';
  afterAll(async () => {
    await stack?.stop();
    await stack?.temporal.stop();
  });

  test('kill -9 of the worker while a dispatch waits on T1: the follow-up arrives once, on time', async () => {
    dbFile = path.join(ARTIFACTS, `restart-${randomUUID()}.db`);
    const temporal = await startTemporal({ dbFile, port: await freePort() });
    stack = await Stack.start({ temporal, env: { DISPATCH_T1: `${T1_MS / 1000}s`, DISPATCH_T2: '60s' } });
    const callId = `CA${randomUUID().replace(/-/g, '')}`;
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Sewage backing up' });
    const a = stack.phone(alice!.phone);
    await a.expectSms(/Sewage/);
    await stack.phone(bob!.phone).expectSms(/Sewage/);
    const pagedAt = Date.now();

    const [crashed] = stack.workers;
    await crashed!.stop('SIGKILL');
    expect(crashed!.running).toBe(false);
    await stack.startWorker();

    await a.expectSms(new RegExp(`FOLLOW-UP 2: .*Sewage.*${dispatch.replyCode}`), T1_MS + 15_000);
    const late = Date.now() - pagedAt;
    expect(late).toBeGreaterThanOrEqual(T1_MS - 500);
    // at most the sticky-queue hand-over (3 s) plus scheduling slack after T1
    expect(late).toBeLessThan(T1_MS + 6_000);
    await stack.phone(bob!.phone).expectSms(/FOLLOW-UP 2/);
    const copies = stack.twilio.state.inbox(alice!.phone).filter((m) => m.body.includes(dispatch.replyCode));
    expect(copies.map((m) => m.body.startsWith('FOLLOW-UP') ? 'follow-up' : 'page')).toEqual(['page', 'follow-up']);
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack.waitForStatus(callId, 'CANCELLED');
    await a.expectSms(/cancel/i);
    await stack.phone(bob!.phone).expectSms(/cancel/i);
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
