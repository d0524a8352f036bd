// Start-up: a configuration mistake stops a role with one message naming the variable, and a
// worker names the Airtable tables or fields its base lacks.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, roleCommand } from '../support/paths';
import { Stack } from '../support/stack';

/** Runs a role to its exit and returns what it printed. */
function runRole(role: 'api' | 'worker', env: Record<string, string>): Promise<{ code: number | null; output: string }> {
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
  DISPATCH_API_KEY: 'k',
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
    ['api', { PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
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
