// Once per test run: make the Temporal CLI available and bundle the workflows a single time, so
// every worker process the tests start loads the same bundle instead of rebuilding it.
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { ARTIFACTS, BUNDLE_PATH, ROOT } from './paths';

export default async function setup(): Promise<void> {
  fs.mkdirSync(path.join(ARTIFACTS, 'logs'), { recursive: true });
  const cli = ensureTemporalCli();
  if (!cli) throw new Error('no Temporal CLI: the end-to-end tests need a real Temporal server');
  process.env.TEMPORAL_CLI_PATH = cli.path;
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows', 'index.ts'), logger: quiet });
  fs.writeFileSync(BUNDLE_PATH, code);
}

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;
