// A technician's side of the conversation (spec section 4): bare YES with one open page, several
// open pages, unknown senders and codes, stale declines, and opt-out words left to Twilio.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const [alice, bob, carol] = ROSTER;
const callerPhone = '+12125550144';
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;

describe('technician replies', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ env: { DISPATCH_T1: '30s', DISPATCH_T2: '30s' } });
  });
  afterAll(async () => stack?.stop());
  afterEach(() => {
    for (const t of [...ROSTER, { phone: callerPhone }]) stack.phone(t.phone).expectNothingNew();
  });

  async function page(summary: string): Promise<{ callId: string; code: string }> {
    const callId = newCallId();
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary });
    await stack.phone(alice!.phone).expectSms(new RegExp(summary));
    await stack.phone(bob!.phone).expectSms(new RegExp(summary));
    return { callId, code: dispatch.replyCode };
  }

  /** Alice's DONE: the job is over and she is free (spec section 10) for the next scenario. */
  async function finish(callId: string): Promise<void> {
    const [done] = await stack.phone(alice!.phone).reply('DONE');
    expect(done).toMatch(/complete/i);
    await stack.waitForStatus(callId, 'COMPLETED');
  }

  async function cancel(callId: string): Promise<void> {
    await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    await stack.waitForStatus(callId, 'CANCELLED');
    await stack.phone(alice!.phone).expectSms(/cancel/i);
    await stack.phone(bob!.phone).expectSms(/cancel/i);
  }

  test('a bare YES works when the sender has exactly one open page', async () => {
    const { callId } = await page('Leaking boiler');
    const [answer] = await stack.phone(alice!.phone).reply('  y ');
    expect(answer).toContain(callerPhone);
    await stack.waitForStatus(callId, 'ACCEPTED');
    await stack.phone(callerPhone).expectSms(/Alice/);
    await stack.phone(bob!.phone).expectSms(/taken by Alice/);
    await finish(callId);
  });

  test('with several open pages a bare reply lists the codes, and a coded reply picks its job', async () => {
    const first = await page('Frozen pipe');
    const second = await page('Sparking outlet');
    expect(first.code).not.toBe(second.code);
    const [list] = await stack.phone(bob!.phone).reply('YES');
    expect(list).toContain(first.code);
    expect(list).toContain(second.code);
    expect((await stack.dispatch(first.callId)).status).toBe('PAGING');
    expect((await stack.dispatch(second.callId)).status).toBe('PAGING');

    const [declined] = await stack.phone(bob!.phone).reply(`decline ${second.code.toLowerCase()}`);
    expect(declined).toMatch(/declin/i);
    expect((await stack.dispatch(second.callId)).declined).toEqual([bob!.phone]);
    expect((await stack.dispatch(first.callId)).declined).toEqual([]);
    await cancel(first.callId);
    await cancel(second.callId);
  });

  test('unknown senders, unknown codes and gibberish get a clear answer and change nothing', async () => {
    const { callId, code } = await page('Water in the basement');
    const stranger = '+12125550188';
    // Independent replies, sent together: a reply that matches no page is answered only once the
    // router has looked for a page that visibility has not shown yet (several seconds).
    const [[toStranger], [wrongCode], [gibberish], [notPaged]] = await Promise.all([
      stack.phone(stranger).reply(`YES ${code}`),
      stack.phone(alice!.phone).reply('YES ZZZ9'),
      stack.phone(alice!.phone).reply('on my way maybe'),
      // Carol (tier 2) was not paged yet: her YES with the right code is refused.
      stack.phone(carol!.phone).reply(`YES ${code}`),
    ]);
    expect(toStranger).toMatch(/not on the on-call roster/);
    expect(wrongCode).toMatch(new RegExp(`No open job has code ZZZ9. Your open jobs: ${code}`));
    expect(gibberish).toMatch(/not understood/);
    expect(notPaged).toMatch(/not on the on-call roster|not paged/);
    const state = await stack.dispatch(callId);
    expect(state.status).toBe('PAGING');
    expect(state.assigned).toBeUndefined();
    expect(state.declined).toEqual([]);
    await cancel(callId);
  });

  test('STOP stays with Twilio: no answer from us, and ops see the opted-out technician', async () => {
    const before = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const optedOut = (text: string) => Number(/^roster_problem_total\{reason="opted_out"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    expect(await stack.phone(alice!.phone).reply('STOP')).toEqual([]);
    const after = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(optedOut(after)).toBe(optedOut(before) + 1);
    await waitFor('the ops alert in the API log', () => stack.apis[0]!.output.some((l) => l.includes('technician sent STOP')));
  });

  test('a stale NO after the dispatch was taken changes nothing', async () => {
    const { callId, code } = await page('No hot water');
    await stack.phone(alice!.phone).reply(`YES ${code}`);
    await stack.waitForStatus(callId, 'ACCEPTED');
    await stack.phone(callerPhone).expectSms(/Alice/);
    await stack.phone(bob!.phone).expectSms(/taken by Alice/);
    const [late] = await stack.phone(bob!.phone).reply(`NO ${code}`);
    expect(late).toMatch(/already taken by Alice/i);
    const state = await stack.dispatch(callId);
    expect(state.declined).toEqual([]);
    expect(state.assigned?.name).toBe(alice!.name);
    await finish(callId);
  });
});
