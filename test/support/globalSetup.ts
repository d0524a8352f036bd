// Once per test run: make the Temporal CLI (the end-to-end tests' dev server) and the time-skipping
// test server (the workflow tests' simulated clock) available, and bundle the workflows a single
// time, so every worker the tests start loads the same bundle instead of rebuilding it.
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { ensureTestServer } from '../../src/temporal/testServer';
import { ARTIFACTS, BUNDLE_PATH, ROOT } from './paths';

export default async function setup(): Promise<void> {
  fs.mkdirSync(path.join(ARTIFACTS, 'logs'), { recursive: true });
  const cli = ensureTemporalCli();
  if (!cli) throw new Error('no Temporal CLI: the end-to-end tests need a real Temporal server');
  process.env.TEMPORAL_CLI_PATH = cli.path;
  const testServer = ensureTestServer();
  if (!testServer) throw new Error('no Temporal test server: the workflow tests run on its simulated clock');
  process.env.TEMPORAL_TEST_SERVER_PATH = testServer.path;
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows', 'index.ts'), logger: quiet });
  fs.writeFileSync(BUNDLE_PATH, code);
}

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;
