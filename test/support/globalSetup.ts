// Once per test run: make the Temporal CLI (the end-to-end tests' dev server) and the time-skipping
// test server (the workflow tests' simulated clock) available, and bring dist/ up to date (the
// compiled roles and the workflow bundle), so every api and worker process the tests start loads
// the same build the way `npm run api` / `npm run worker` do, and none of them rebuilds on its own.
import fs from 'node:fs';
import path from 'node:path';
import { build } from '../../scripts/build';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { ensureTestServer } from '../../src/temporal/testServer';
import { ARTIFACTS } from './paths';

export default async function setup(): Promise<void> {
  fs.mkdirSync(path.join(ARTIFACTS, 'logs'), { recursive: true });
  const cli = ensureTemporalCli();
  if (!cli) throw new Error('no Temporal CLI: the end-to-end tests need a real Temporal server');
  process.env.TEMPORAL_CLI_PATH = cli.path;
  const testServer = ensureTestServer();
  if (!testServer) throw new Error('no Temporal test server: the workflow tests run on its simulated clock');
  process.env.TEMPORAL_TEST_SERVER_PATH = testServer.path;
  await build({ ifStale: true });
}
