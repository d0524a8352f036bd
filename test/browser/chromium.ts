// Debian's Chromium for the browser tests, driven by playwright-core over CDP. We start the
// process ourselves (fresh profile, fixed flags) so the test owns its pid and kills it by that pid;
// Playwright never downloads a browser.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ARTIFACTS } from '../support/paths';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--window-size=1440,1000',
  '--remote-debugging-port=0',
];
const DEVTOOLS = /DevTools listening on (ws:\/\/\S+)/;

export interface TestBrowser {
  page: Page;
  pid: number;
  close(): Promise<void>;
}

/** Resolves with the DevTools endpoint Chromium prints once it listens; rejects if it exits first. */
function devToolsEndpoint(child: ChildProcess, log: fs.WriteStream, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools endpoint within ${timeoutMs} ms: ${seen.slice(-500)}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      seen += chunk.toString();
      const match = DEVTOOLS.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with ${code} before it listened: ${seen.slice(-500)}`));
    });
  });
}

/** Stops Chromium and its helper processes: it runs in a process group of its own, killed by pid. */
async function stopByPid(child: ChildProcess): Promise<void> {
  const group = -child.pid!;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(group, signal);
    } catch {
      // the group is gone already
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  signalGroup('SIGKILL'); // helpers that outlived the browser process
}

export async function openBrowser(name: string): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: run scripts/ensure-chromium.sh or set CHROMIUM_PATH`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-chromium-'));
  const log = fs.createWriteStream(path.join(ARTIFACTS, 'logs', `chromium-${name}.log`), { flags: 'a' });
  const child = spawn(CHROMIUM_PATH, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await stopByPid(child);
    log.end();
    // A helper process may still be flushing into the profile for a moment.
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    browser = await chromium.connectOverCDP(await devToolsEndpoint(child, log));
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = await context.newPage();
    return { page, pid: child.pid!, close };
  } catch (err) {
    await close();
    throw err;
  }
}
