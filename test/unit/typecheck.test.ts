// The type check, as a test: it runs beside the other test files instead of before all of them.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { ROOT } from '../support/paths';

test('the whole project type-checks (tsc -p .)', async () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', '.'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).then(
    () => ({ ok: true, output: '' }),
    (err: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
  );
  expect(result.output).toBe('');
  expect(result.ok).toBe(true);
}, 180_000);
