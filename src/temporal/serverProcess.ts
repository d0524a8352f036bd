// A Temporal server we run as a child process (the dev server, or the cluster's server): waiting
// until it serves, and stopping it.
import { Connection } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';

/**
 * Resolves once `namespace` answers at `address` (the frontend and the history shards behind it
 * serve requests); fails early when the process exits, or after `timeoutMs`.
 */
export async function waitUntilServing(
  address: string,
  namespace: string,
  exited: Promise<number | null>,
  timeoutMs: number,
  what: { name: string; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seeLog = what.logFile ? `; see ${what.logFile}` : '';
  let early: number | null | undefined;
  void exited.then((code) => (early = code));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (early !== undefined) throw new Error(`${what.name} exited with code ${early} before it was ready${seeLog}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${what.name} at ${address} not ready after ${timeoutMs} ms (${String(lastError)})${seeLog}`);
}

/** Signals the process and waits for it to exit; SIGKILL after 15 s. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(timer);
}
