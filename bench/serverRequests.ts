// Requests the Temporal server's frontend served, by operation. `temporal server start-dev` serves
// Prometheus metrics on a port of its own choosing (its --metrics-port defaults to a free one) and
// prints the URL at start-up into the log test/support/temporal.ts gives it; its counter
// service_requests{service_name="frontend",operation=…} counts every request a client or worker
// made, long polls included.
import fs from 'node:fs';
import path from 'node:path';
import type { DevServer } from '../src/temporal/devServer';
import { ARTIFACTS } from '../test/support/paths';
import { waitFor } from '../test/support/wait';

/** Requests by operation (StartWorkflowExecution, PollWorkflowTaskQueue …). */
export type Requests = Map<string, number>;

/** The metrics URL of a dev server started by test/support/temporal.ts (read from its log). */
export function metricsUrlOf(server: DevServer): Promise<string> {
  const port = server.address.split(':').pop();
  const log = path.join(ARTIFACTS, 'logs', `temporal-${port}.log`);
  return waitFor(`the metrics URL in ${path.relative(ARTIFACTS, log)}`, () => {
    const printed = [...fs.readFileSync(log, 'utf8').matchAll(/Temporal Metrics:\s+(http\S+)/g)].at(-1)?.[1];
    return printed?.replace('//localhost:', '//127.0.0.1:');
  }, 10_000);
}

/** The frontend's request counts for `namespace` now. */
export async function frontendRequests(metricsUrl: string, namespace = 'default'): Promise<Requests> {
  const text = await (await fetch(metricsUrl)).text();
  const counts: Requests = new Map();
  for (const [, labels, value] of text.matchAll(/^service_requests\{([^}]*)\}\s+(\S+)$/gm)) {
    const label = (name: string) => new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels!)?.[1];
    if (label('service_name') !== 'frontend' || label('namespace') !== namespace) continue;
    const operation = label('operation')!;
    counts.set(operation, (counts.get(operation) ?? 0) + Number(value));
  }
  return counts;
}

/**
 * The counts once they have stopped moving: two readings `quietMs` apart that agree (the stack's
 * work has settled and the server has published what it counted), or the last one after `capMs`.
 */
export async function frontendRequestsWhenQuiet(metricsUrl: string, quietMs = 3_000, capMs = 60_000): Promise<Requests> {
  const deadline = Date.now() + capMs;
  let last = await frontendRequests(metricsUrl);
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await frontendRequests(metricsUrl);
    if (totalOf(requestsBetween(last, now)) === 0 || Date.now() > deadline) return now;
    last = now;
  }
}

/** What was counted between two readings, divided by `per` (requests per dispatch, per workflow). */
export function requestsBetween(before: Requests, after: Requests, per = 1): Requests {
  const delta: Requests = new Map();
  for (const [operation, n] of after) {
    const d = (n - (before.get(operation) ?? 0)) / per;
    if (d > 0) delta.set(operation, d);
  }
  return delta;
}

/** Subtracts what the idle stack asked for in the same time (never below zero). */
export function lessBackground(requests: Requests, background: Requests): Requests {
  const net: Requests = new Map();
  for (const [operation, n] of requests) {
    const d = n - (background.get(operation) ?? 0);
    if (d > 0.05) net.set(operation, d);
  }
  return net;
}

export const totalOf = (requests: Requests): number => [...requests.values()].reduce((a, b) => a + b, 0);

/** "total 41.0: RespondWorkflowTaskCompleted 9.0, PollWorkflowTaskQueue 9.0, … (+3 more)" */
export function describeRequests(requests: Requests, top = 6): string {
  const sorted = [...requests].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, top).map(([op, n]) => `${op} ${n.toFixed(1)}`);
  const rest = sorted.length > top ? ` (+${sorted.length - top} more)` : '';
  return `total ${totalOf(requests).toFixed(1)}: ${shown.join(', ')}${rest}`;
}
