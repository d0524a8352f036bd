// API-to-first-page latency: from POST /api/dispatches to the first tier-1 page stored by the
// Twilio stand-in, over N dispatches, on a real dev server with the API and worker as processes.
// Prints p50/p99; no thresholds. Usage: npm run bench -- [dispatches=100] [concurrency=5]
import { randomUUID } from 'node:crypto';
import { ROSTER, Stack } from '../test/support/stack';
import { waitFor } from '../test/support/wait';
import { percentile } from './stats';
import setup from '../test/support/globalSetup';

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100);
  const concurrency = Number(process.argv[3] ?? 5);
  await setup();
  const stack = await Stack.start({ env: { DISPATCH_T1: '10m', DISPATCH_T2: '10m' } });
  const tier1 = ROSTER[0]!.phone;
  const latencies: number[] = [];
  try {
    let next = 0;
    const runOne = async () => {
      const callId = `CAbench${randomUUID().replace(/-/g, '')}`;
      const started = performance.now();
      const { dispatch } = await stack.startDispatch({ callId, callerPhone: '+12125550190', urgency: 'emergency', summary: 'Bench call' });
      await waitFor('first page', () => stack.twilio.state.messages({ to: tier1 }).some((m) => m.body.includes(dispatch.replyCode)), 30_000, 2);
      latencies.push(performance.now() - started);
      await stack.request('POST', `/api/dispatches/${callId}/cancel`);
    };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < total) await runOne();
      }),
    );
  } finally {
    await stack.stop();
  }
  const sorted = latencies.sort((a, b) => a - b);
  console.log(`API-to-first-page latency over ${sorted.length} dispatches (${concurrency} at a time):`);
  console.log(`  p50 ${percentile(sorted, 50).toFixed(0)} ms   p99 ${percentile(sorted, 99).toFixed(0)} ms   max ${sorted.at(-1)!.toFixed(0)} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
