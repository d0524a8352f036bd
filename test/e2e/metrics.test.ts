// Ops see the dispatches in the metrics, each figure counted where it happens: starts and webhook
// latency on the API, sends and outcomes on the worker that ran them. (The escalation ladder itself
// is tested in simulated time: test/workflow/.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROSTER, Stack } from '../support/stack';
import { freePort, waitFor } from '../support/wait';

const [alice, bob] = ROSTER;
const callerPhone = '+12125550199';
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;

describe('metrics', () => {
  let stack: Stack;
  let workerMetrics = '';
  beforeAll(async () => {
    const metricsPort = await freePort();
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    // Long timers: nothing escalates while the test runs.
    stack = await Stack.start({ env: { DISPATCH_T1: '60s', DISPATCH_T2: '60s', WORKER_METRICS_PORT: String(metricsPort) } });
  });
  afterAll(async () => stack?.stop());

  test('starts on the API, sends and outcomes on the worker', async () => {
    // An emergency Alice accepts by text, and an urgent call ops cancel.
    const accepted = newCallId();
    const { dispatch } = await stack.startDispatch({ callId: accepted, callerPhone, urgency: 'emergency', summary: 'Burst pipe' });
    await stack.phone(alice!.phone).expectSms(/Burst pipe/);
    await stack.phone(bob!.phone).expectSms(/Burst pipe/);
    const [answer] = await stack.phone(alice!.phone).reply(`YES ${dispatch.replyCode}`);
    expect(answer).toContain(callerPhone);
    await stack.waitForStatus(accepted, 'ACCEPTED');

    const cancelled = newCallId();
    await stack.startDispatch({ callId: cancelled, callerPhone, urgency: 'urgent', summary: 'Radiator leaking' });
    await stack.phone(bob!.phone).expectSms(/taken by Alice/);
    // Alice is busy with the first job (spec section 10): Bob alone is paged.
    await stack.phone(bob!.phone).expectSms(/Radiator/);
    expect((await stack.request('POST', `/api/dispatches/${cancelled}/cancel`)).status).toBe(202);
    await stack.waitForStatus(cancelled, 'CANCELLED');

    const api = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(api).toMatch(/^dispatch_started_total\{urgency="emergency"\} 1$/m);
    expect(api).toMatch(/^dispatch_started_total\{urgency="urgent"\} 1$/m);
    expect(api).toMatch(/^webhook_duration_seconds_count\{route="sms",status="200"\} 1$/m);
    expect(api).toMatch(/^airtable_audit_backlog \d+$/m);
    // The worker counts an outcome beside its texts: read once both are in.
    const worker = await waitFor('the worker to count both outcomes', async () => {
      const text = await (await fetch(workerMetrics)).text();
      return /^dispatch_cancelled_total\{urgency="urgent"\} 1$/m.test(text) && /^dispatch_accepted_total\{urgency="emergency"\} 1$/m.test(text) ? text : undefined;
    });
    expect(worker).toMatch(/^sms_sent_total\{kind="PAGE"\} 3$/m);
    expect(worker).toMatch(/^api_to_first_page_seconds_count 2$/m);
    expect(worker).toMatch(/^dispatch_time_to_accept_seconds_count\{urgency="emergency"\} 1$/m);
    expect(worker).toMatch(/^dispatch_unanswered_total\{urgency="emergency"\} 0$/m);
  });
});
