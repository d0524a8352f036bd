// Start-up: a configuration mistake stops a role with one message naming the variable, a worker
// names the Airtable tables or fields its base lacks, and `npm start` keeps the documented local
// API key to the sandbox, on loopback.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LOCAL_DISPATCH_API_KEY } from '../../src/config';
import type { DevServer } from '../../src/temporal/devServer';
import { ARTIFACTS, ROOT, roleCommand } from '../support/paths';
import { RoleProcess } from '../support/processes';
import { Stack } from '../support/stack';
import { startTemporal } from '../support/temporal';
import { freePort } from '../support/wait';

/** Runs a role to its exit and returns what it printed. */
function runRole(role: 'main' | 'api' | 'worker', env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, roleCommand(role), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const complete = {
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  TWILIO_ACCOUNT_SID: 'ACx',
  TWILIO_AUTH_TOKEN: 'super-secret-token-value',
  TWILIO_FROM_NUMBER: '+15005550006',
  AIRTABLE_API_KEY: 'patx',
  AIRTABLE_BASE_ID: 'appx',
  DISPATCH_API_KEY: 'startup-test-dispatch-key-0123456789',
};

describe('configuration errors stop start-up with one message naming the variable', () => {
  test.each([
    ['worker', { DISPATCH_T1: 'soon' }, 'DISPATCH_T1'],
    ['worker', { DISPATCH_MAX_ROUNDS: '0' }, 'DISPATCH_MAX_ROUNDS'],
    ['worker', { BUSINESS_TIMEZONE: 'Mars/Olympus' }, 'BUSINESS_TIMEZONE'],
    ['worker', { BUSINESS_HOURS: 'weekdays' }, 'BUSINESS_HOURS'],
    ['worker', { TWILIO_FROM_NUMBER: '' }, 'TWILIO_FROM_NUMBER'],
    ['worker', { AIRTABLE_BASE_ID: '' }, 'AIRTABLE_BASE_ID'],
    ['worker', { TEMPORAL_ADDRESS: '' }, 'TEMPORAL_ADDRESS'],
    ['api', { DISPATCH_API_KEY: '' }, 'DISPATCH_API_KEY'],
    ['api', { DISPATCH_API_KEY: 'only-23-characters-long' }, 'DISPATCH_API_KEY'],
    ['api', { DISPATCH_API_KEY: LOCAL_DISPATCH_API_KEY }, 'DISPATCH_API_KEY'],
    ['api', { PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    ['worker', { WORKER_MEMORY_MB: 'plenty' }, 'WORKER_MEMORY_MB'],
    // npm start with real Twilio credentials: the documented local key is for the sandbox only
    ['main', { DISPATCH_API_KEY: '' }, 'DISPATCH_API_KEY'],
    ['main', { DISPATCH_API_KEY: 'only-23-characters-long' }, 'DISPATCH_API_KEY'],
    ['main', { DISPATCH_API_KEY: LOCAL_DISPATCH_API_KEY }, 'DISPATCH_API_KEY'],
  ] as const)('%s with %o names %s', async (role, change, variable) => {
    const { code, output } = await runRole(role, { ...complete, ...change });
    expect(code).not.toBe(0);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable} `));
    expect(output).not.toContain(complete.TWILIO_AUTH_TOKEN);
  });
});

describe('Airtable base check at start-up', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => stack?.stop());

  test('a complete base raises nothing; a base without a field is named when a worker starts', async () => {
    await stack.workers[0]!.waitForLine(/workers polling/);
    expect(stack.workers[0]!.output.some((l) => l.includes('airtable-schema'))).toBe(false);
    stack.airtable.state.removeField('Dispatch Events', 'Detail');
    const worker = await stack.startWorker();
    const line = await worker.waitForLine(/airtable-schema/, 20_000);
    expect(line).toContain('field \\"Detail\\" in table \\"Dispatch Events\\"');
  });
});

/** An address of this machine other than loopback, if it has one. */
const externalIp = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('npm start: where the API listens and which key it takes', () => {
  let temporal: DevServer;
  beforeAll(async () => {
    temporal = await startTemporal();
  });
  afterAll(async () => temporal?.stop());

  /** `npm start` against the test server, with the stand-ins it needs on free ports. */
  async function startMain(env: Record<string, string>): Promise<{ main: RoleProcess; port: number }> {
    const id = randomUUID().slice(0, 8);
    const port = await freePort();
    const main = new RoleProcess('main', `main-${id}`, {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `dispatch-${id}`,
      PORT: String(port),
      TWILIO_EMULATOR_PORT: String(await freePort()),
      AIRTABLE_EMULATOR_PORT: String(await freePort()),
      DATA_DIR: path.join(ARTIFACTS, `main-${id}`),
      ...env,
    });
    try {
      await main.waitForLine(/after-hours dispatch is running/);
    } catch (err) {
      await main.stop('SIGKILL');
      throw err;
    }
    return { main, port };
  }

  const status = async (url: string, key?: string) =>
    (await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: AbortSignal.timeout(5_000) })).status;

  test('the sandbox (no Twilio credentials): the documented local key, on loopback only', async () => {
    const { main, port } = await startMain({});
    try {
      expect(await status(`http://127.0.0.1:${port}/api/dispatches/CA-none`)).toBe(401);
      expect(await status(`http://127.0.0.1:${port}/api/dispatches/CA-none`, LOCAL_DISPATCH_API_KEY)).toBe(404);
      if (externalIp) await expect(status(`http://${externalIp}:${port}/health/live`)).rejects.toThrow();
    } finally {
      await main.stop();
    }
  });

  test('real Twilio credentials and a strong key: that key only, on every interface', async () => {
    const key = `main-test-${randomUUID()}`;
    const { main, port } = await startMain({
      TWILIO_ACCOUNT_SID: 'ACmain0000000000000000000000000000',
      TWILIO_AUTH_TOKEN: 'main-test-auth-token',
      TWILIO_FROM_NUMBER: '+15005550006',
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9', // nothing is sent
      DISPATCH_API_KEY: key,
    });
    try {
      const host = externalIp ?? '127.0.0.1';
      expect(await status(`http://${host}:${port}/api/dispatches/CA-none`, LOCAL_DISPATCH_API_KEY)).toBe(401);
      expect(await status(`http://${host}:${port}/api/dispatches/CA-none`, key)).toBe(404);
      expect(main.output.join('\n')).not.toContain(key);
      expect(main.output.join('\n')).not.toContain('main-test-auth-token');
    } finally {
      await main.stop();
    }
  });
});
