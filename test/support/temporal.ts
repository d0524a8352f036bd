// A real Temporal dev server for a test file: headless, on a free port, optionally on disk.
import path from 'node:path';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { ARTIFACTS } from './paths';
import { freePort } from './wait';

export async function startTemporal(opts: { dbFile?: string; port?: number } = {}): Promise<DevServer> {
  const cli = ensureTemporalCli(() => undefined);
  if (!cli) throw new Error('no Temporal CLI');
  const port = opts.port ?? (await freePort());
  return startDevServer({
    cliPath: cli.path,
    port,
    uiPort: null,
    dbFile: opts.dbFile,
    logFile: path.join(ARTIFACTS, 'logs', `temporal-${port}.log`),
  });
}
