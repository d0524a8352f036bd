// Runs `temporal server start-dev` as a child process: the embedded server of `npm start` and the
// real server every end-to-end test runs against. The SDK's own launcher allows a server only a few
// seconds to come up, too short on a small machine, so we start and await it ourselves.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../contract/searchAttributes';
import { stopChild, waitUntilServing } from './serverProcess';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  /** null: no Web UI */
  uiPort: number | null;
  /** SQLite file; state survives restarts. Omitted: in memory. */
  dbFile?: string;
  namespace?: string;
  /** where the server's own output goes; omitted: discarded */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
  /** SIGKILL, for crash tests */
  kill(): Promise<void>;
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  args.push(...(opts.uiPort === null ? ['--headless'] : ['--ui-port', String(opts.uiPort), '--ui-disable-news-fetch']));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);

  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', out, out], detached: false });
  if (typeof out === 'number') fs.closeSync(out);
  const address = `127.0.0.1:${opts.port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  try {
    await waitUntilServing(address, opts.namespace ?? 'default', exited, opts.readyTimeoutMs ?? 90_000, { name: 'Temporal dev server' });
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw err;
  }
  return {
    address,
    uiUrl: opts.uiPort === null ? undefined : `http://localhost:${opts.uiPort}`,
    pid: child.pid!,
    stop: () => stopChild(child, 'SIGTERM'),
    kill: () => stopChild(child, 'SIGKILL'),
  };
}

