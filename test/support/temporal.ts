// A real Temporal dev server for a test file: headless, on a free port, optionally on disk.
import fs from 'node:fs';
import path from 'node:path';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { ARTIFACTS } from './paths';
import { freePort } from './wait';

/** Tries on fresh ports when the chosen one was taken between choosing and binding it. */
const PORT_TRIES = 3;

export async function startTemporal(opts: { dbFile?: string; port?: number } = {}): Promise<DevServer> {
  const cli = ensureTemporalCli(() => undefined);
  if (!cli) throw new Error('no Temporal CLI');
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const logFile = path.join(ARTIFACTS, 'logs', `temporal-${port}.log`);
    try {
      return await startDevServer({ cliPath: cli.path, port, uiPort: null, dbFile: opts.dbFile, logFile });
    } catch (err) {
      // A free port is free only when chosen: with files starting servers side by side, another
      // process can bind it first, and the server then exits at once ("address already in use").
      const taken = /address already in use/.test(fs.readFileSync(logFile, 'utf8'));
      if (opts.port !== undefined || !taken || attempt === PORT_TRIES) throw err;
    }
  }
}
