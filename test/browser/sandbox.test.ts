// The sandbox page in a real browser, as a person rehearsing uses it: place a call through the
// IVR, watch the page reach tier 1, accept from a technician's reply box, see the caller told;
// then run a job with the one-click replies (YES, ETA, ARRIVED, DONE) and see the caller's ETA text.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createOnCallService } from '../../src/client/onCallService';
import { ARTIFACTS } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { openBrowser, type TestBrowser } from './chromium';

const [alice, bob, carol] = ROSTER;
const callerPhone = '+12125550142';
const secondCaller = '+12125550143';
const UI_TIMEOUT = 20_000;

describe('sandbox page', () => {
  let stack: Stack;
  let browser: TestBrowser;
  let connection: Connection;
  beforeAll(async () => {
    stack = await Stack.start();
    connection = await Connection.connect({ address: stack.temporal.address });
    const onCall = createOnCallService(new Client({ connection }), stack.env.TEMPORAL_TASK_QUEUE!);
    stack.twilio.setDirectory(() => onCall.directory()); // as npm start wires it
    browser = await openBrowser('sandbox');
    browser.page.setDefaultTimeout(UI_TIMEOUT);
  });
  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await connection?.close();
      await stack?.stop();
    }
  });

  test('a call placed on the page pages tier 1; YES typed in a technician’s reply box reaches the caller', async () => {
    const { page } = browser;
    await page.goto(stack.twilio.url);
    await page.getByText('live', { exact: true }).waitFor();

    await page.getByLabel("Caller's phone").fill(callerPhone);
    await page.getByLabel('Emergency').check();
    await page.getByLabel('What the caller says').fill('burst pipe');
    await page.getByRole('button', { name: 'Place call' }).click();
    await page.locator('#call-status', { hasText: 'Call ended' }).waitFor();

    const [call] = stack.twilio.state.calls();
    expect(call).toMatchObject({ from: callerPhone, digits: '1', speech: 'burst pipe', status: 'completed' });
    const caller = page.locator(`[data-phone="${callerPhone}"]`);
    await caller.locator('.call', { hasText: 'contacting the on-call technician' }).waitFor();
    // The call's dispatch links to the Temporal Web UI by its workflow id.
    expect(await caller.locator('.links a').first().getAttribute('href')).toBe(
      `http://localhost:8233/namespaces/default/workflows/dispatch-${call!.callSid}`,
    );

    // Who is on call, and each technician's card named with their tier (spec section 9).
    await page.locator('#oncall-list li', { hasText: `Tier 1: ${alice!.name}, ${bob!.name}` }).waitFor();
    await page.locator('#oncall-list li', { hasText: `Tier 2: ${carol!.name}` }).waitFor();
    const aliceCard = page.locator(`[data-phone="${alice!.phone}"]`);
    await aliceCard.locator('h3', { hasText: alice!.name }).waitFor();
    expect(await aliceCard.locator('.role').textContent()).toBe('tier 1 technician');
    const pageText = await aliceCard.locator('.msg.received', { hasText: /Reply YES \w+ to accept/ }).innerText();
    const code = /Reply YES (\w+) to accept/.exec(pageText)![1];
    await page.locator(`[data-phone="${bob!.phone}"] .msg.received`, { hasText: `YES ${code}` }).waitFor();

    await aliceCard.getByRole('textbox').fill(`YES ${code}`);
    await aliceCard.getByRole('button', { name: 'Send' }).click();
    await aliceCard.locator('.msg.sent', { hasText: `YES ${code}` }).waitFor();
    // The service's answer to Alice: the caller's number and what the caller said on the phone.
    await aliceCard.locator('.msg.received', { hasText: callerPhone }).filter({ hasText: 'burst pipe' }).waitFor();
    await caller.locator('.msg.received', { hasText: /Alice/ }).waitFor();
    await page.locator(`[data-phone="${bob!.phone}"] .msg.received`, { hasText: /Alice/ }).waitFor();

    const accepted = await stack.waitForStatus(call!.callSid, 'ACCEPTED');
    expect(accepted.assigned?.name).toBe(alice!.name);
    expect(await page.locator(`[data-phone="${carol!.phone}"]`).count()).toBe(0);
    // Delivery statuses arrive by callback; the screenshot should show them settled.
    await caller.locator('.msg.received .status-delivered').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox.png'), fullPage: true });
  });

  test('quick replies send at once: YES, an ETA, ARRIVED and DONE from a technician’s card; the caller’s phone shows the ETA', async () => {
    const { page } = browser;
    await page.goto(stack.twilio.url);
    await page.getByText('live', { exact: true }).waitFor();
    const callId = `CA${randomUUID().replace(/-/g, '')}`;
    const { dispatch } = await stack.startDispatch({ callId, callerPhone: secondCaller, urgency: 'emergency', summary: 'Frozen pipe in the loft' });
    const code = dispatch.replyCode;
    const bobCard = page.locator(`[data-phone="${bob!.phone}"]`);
    const callerCard = page.locator(`[data-phone="${secondCaller}"]`);
    const chip = (text: string) => bobCard.getByRole('button', { name: text, exact: true });
    /** One click on a chip texts it at once: it shows as sent, and the service's answer comes back. */
    async function press(text: string, answer: string | RegExp): Promise<void> {
      await chip(text).click();
      await bobCard.locator('.msg.sent', { hasText: text }).waitFor();
      await bobCard.locator('.msg.received', { hasText: answer }).waitFor();
    }

    await press(`YES ${code}`, `Job ${code} is yours`);
    await stack.waitForStatus(callId, 'ACCEPTED');
    await callerCard.locator('.msg.received', { hasText: `${bob!.name} has your call` }).waitFor();
    expect(await callerCard.locator('.role').textContent()).toBe('caller');
    expect(await callerCard.locator('.chip').count()).toBe(0);

    await press(`ETA ${code} 30`, `ETA for job ${code}`);
    const etaText = await callerCard.locator('.msg.received', { hasText: 'in about 30 min' }).innerText();
    expect(etaText).toMatch(new RegExp(`${bob!.name} expects to arrive at \\d{1,2}:\\d{2} [AP]M, in about 30 min`));
    expect((await stack.dispatch(callId)).eta?.minutes).toBe(30);

    await press(`ARRIVED ${code}`, `Arrival at job ${code} recorded`);
    await stack.waitForStatus(callId, 'ON_SITE');
    await chip(`ETA ${code} 30`).waitFor({ state: 'detached' }); // on site: DONE is all that is left

    await press(`DONE ${code}`, `Job ${code} marked complete`);
    const done = await stack.waitForStatus(callId, 'COMPLETED');
    expect(Date.parse(done.completedAt!)).toBeGreaterThanOrEqual(Date.parse(done.arrivedAt!));
    await chip(`DONE ${code}`).waitFor({ state: 'detached' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox-job.png'), fullPage: true });
  });

  test('the Web UI links follow the page’s ?webUi= and ?namespace=', async () => {
    const { page } = browser;
    await page.goto(`${stack.twilio.url}/?webUi=${encodeURIComponent('https://temporal.acme.example')}&namespace=acme`);
    await page.getByText('live', { exact: true }).waitFor();
    expect(await page.locator('#web-ui-link').getAttribute('href')).toBe('https://temporal.acme.example/namespaces/acme/workflows');
  });
});
