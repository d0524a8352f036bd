// The Temporal Web UI as the ops console: a list filtered on the dispatch search attributes finds
// a live emergency (and not an urgent call), and its page opens. Needs a dev server WITH the UI,
// so this file starts its own and stops it itself (the Stack only stops servers it started).
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { workflowIdFor } from '../../src/contract/dispatch';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { ARTIFACTS } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { freePort, waitFor } from '../support/wait';
import { openBrowser, type TestBrowser } from './chromium';

const [alice] = ROSTER;
const LIST_QUERY = `DispatchStatus="PAGING" AND DispatchUrgency="emergency"`;
const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;

describe('Temporal Web UI', () => {
  let temporal: DevServer;
  let stack: Stack;
  let connection: Connection;
  let browser: TestBrowser;

  beforeAll(async () => {
    const cli = ensureTemporalCli(() => undefined);
    if (!cli) throw new Error('no Temporal CLI');
    const port = await freePort();
    temporal = await startDevServer({
      cliPath: cli.path,
      port,
      uiPort: await freePort(),
      logFile: path.join(ARTIFACTS, 'logs', `temporal-ui-${port}.log`),
    });
    // The UI server may answer a moment after the frontend does.
    await waitFor('the Web UI to answer', async () => (await fetch(temporal.uiUrl!)).ok, 60_000, 250);
    stack = await Stack.start({ temporal, env: { DISPATCH_T1: '5m', DISPATCH_T2: '5m' } });
    connection = await Connection.connect({ address: temporal.address });
    browser = await openBrowser('webui');
    browser.page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    try {
      await browser?.close();
      await connection?.close();
    } finally {
      await stack?.stop();
      await temporal?.stop();
    }
  });

  test('a list filtered on DispatchStatus and DispatchUrgency shows the paging emergency; its page runs the state query', async () => {
    const urgent = newCallId();
    const emergency = newCallId();
    await stack.startDispatch({ callId: urgent, callerPhone: '+12125550177', urgency: 'urgent', summary: 'Water heater leaking' });
    await stack.startDispatch({ callId: emergency, callerPhone: '+12125550178', urgency: 'emergency', summary: 'Gas smell in the kitchen' });
    // The list reads the visibility store: wait until it has both, so the page shows what it filters.
    const client = new Client({ connection });
    await waitFor('both dispatches to be visible as PAGING', async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `DispatchStatus="PAGING"` })) ids.push(wf.workflowId);
      return ids.includes(workflowIdFor(urgent)) && ids.includes(workflowIdFor(emergency));
    }, 20_000, 200);

    const { page } = browser;
    await page.goto(`${temporal.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(LIST_QUERY)}`);
    const row = page.getByRole('link', { name: workflowIdFor(emergency) });
    await row.waitFor();
    expect(await page.getByRole('link', { name: workflowIdFor(urgent) }).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webui-list.png') });

    await row.click();
    await page.waitForURL(new RegExp(`/workflows/${workflowIdFor(emergency)}/`));
    await page.getByText('dispatchWorkflow').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'webui.png'), fullPage: true });

    // The ops view of the dispatch: the `state` query, offered by the worker's query list.
    await page.getByText('Queries', { exact: true }).click();
    await page.getByRole('button', { name: 'Run Query' }).click();
    await page.getByText(`"callId": "${emergency}"`).waitFor();
    await page.getByText(`"status": "PAGING"`).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'webui-state.png') });
  });

  test('ops accepts on behalf of a technician by sending the reply Update from the workflow page', async () => {
    const callId = newCallId();
    const callerPhone = '+12125550179';
    await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'No heat, infant at home' });
    // The Update's validator only takes phones the dispatch has paged.
    await waitFor('Alice to be paged', () => stack.phone(alice!.phone).texts().some((t) => t.body.includes('No heat')));

    const { page } = browser;
    await page.goto(`${temporal.uiUrl}/namespaces/default/workflows/${workflowIdFor(callId)}`);
    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send an Update' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Send an Update' });
    await dialog.getByRole('button', { name: 'Select an Update' }).click();
    await page.getByRole('option', { name: 'reply', exact: true }).click();
    await dialog.locator('.cm-content').click();
    // Already formatted as the editor formats it when it loses focus, so Submit does not move under the click.
    await page.keyboard.insertText(JSON.stringify({ phone: alice!.phone, decision: 'accept', via: 'ops' }, null, 2));
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Update successful').first().waitFor(); // a toast: gone after a few seconds
    await page.screenshot({ path: path.join(ARTIFACTS, 'webui-update.png') });

    await stack.phone(callerPhone).expectSms(/Alice/);
    const accepted = await stack.waitForStatus(callId, 'ACCEPTED');
    expect(accepted.assigned?.name).toBe(alice!.name);
    // She did not text YES, so the job details come to her by SMS.
    await waitFor('Alice to get the job details', () => stack.phone(alice!.phone).texts().some((t) => t.body.includes(callerPhone)));
  });
});
