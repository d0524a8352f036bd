// The sandbox page in a real browser, as a person rehearsing uses it: place a call through the
// IVR, watch the page reach tier 1, accept from a technician's reply box, see the caller told.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createOnCallService } from '../../src/client/onCallService';
import { ARTIFACTS } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { openBrowser, type TestBrowser } from './chromium';

const [alice, bob, carol] = ROSTER;
const callerPhone = '+12125550142';
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

  test('the Web UI links follow the page’s ?webUi= and ?namespace=', async () => {
    const { page } = browser;
    await page.goto(`${stack.twilio.url}/?webUi=${encodeURIComponent('https://temporal.acme.example')}&namespace=acme`);
    await page.getByText('live', { exact: true }).waitFor();
    expect(await page.locator('#web-ui-link').getAttribute('href')).toBe('https://temporal.acme.example/namespaces/acme/workflows');
  });
});
