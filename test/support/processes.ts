// The product's own entry points (`npm run api`, `npm run worker`) as child processes, so tests can
// kill -9 them, restart them and run several at once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, ROLE_ENV, ROOT, roleCommand } from './paths';
import { waitFor } from './wait';

export class RoleProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly role: 'main' | 'api' | 'worker',
    readonly name: string,
    env: Record<string, string>,
    /** the checkout whose code runs; another one only to reproduce an older release */
    cwd: string = ROOT,
  ) {
    const log = fs.createWriteStream(path.join(ARTIFACTS, 'logs', `${name}.log`), { flags: 'a' });
    // An older checkout (only to reproduce an older release) runs its sources as it did then.
    this.child = spawn(process.execPath, cwd === ROOT ? roleCommand(role) : ['--import', 'tsx', path.join('src', `${role}.ts`)], {
      cwd,
      env: { ...process.env, ...ROLE_ENV, ...env, DISPATCH_ROLE: role },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        log.write(chunk);
        this.output.push(...chunk.toString().split('\n').filter(Boolean));
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        log.end();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    return waitFor(`${this.name} to print ${pattern}`, () => {
      if (!this.running) throw new Error(`${this.name} exited: ${this.output.slice(-5).join(' | ')}`);
      return this.output.find((line) => pattern.test(line));
    }, timeoutMs, 100);
  }

  /** Signals the process by pid and waits until it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    process.kill(this.pid, signal);
    await this.exited;
  }
}
