// `npm run bench -- --only=cost`: what one dispatch costs the Temporal stack, against a bare
// workflow with one activity (bench/bare.ts) on the same dev server in the same run:
//   - the ceiling: bare workflows completed per second, and the product's sustained dispatches
//     (first pages per second through POST /api/dispatches) as a share of it;
//   - latency at 10/s: API to first page, against the bare workflow's start to activity start;
//   - history events of a happy-path dispatch (paged, YES by SMS, every text delivered and every
//     delivery check fired; then DONE to its close), and what other workflows gained meanwhile;
//   - frontend requests per happy-path dispatch, by operation, from the dev server's own metrics.
import { ROSTER, type Stack } from '../test/support/stack';
import { waitFor } from '../test/support/wait';
import type { BareWorkers } from './bare';
import { withBareWorkers } from './bare';
import { addCounts, countEvents, describeEvents, eventsGained, historyLengths, historyOf, splitAt, type EventCounts } from './historyEvents';
import { firstPageAtRate, newCallId, pageWatcher, sustainedDispatches } from './pages';
import { describeRequests, frontendRequests, frontendRequestsWhenQuiet, lessBackground, metricsUrlOf, requestsBetween, totalOf, type Requests } from './serverRequests';
import { withStack } from './servers';
import { percentile } from './stats';

type Rows = Array<[string, string]>;

const STATUS_CHECK_MS = 2_000;
/**
 * T1 and T2 long enough that nothing escalates; the delivery check short enough to fire within a
 * run; every page an SMS of its own (no bundles): ten calls a second to the same two technicians
 * is a storm, whose later pages a bundle rightly holds for seconds, and the rows measure the paging
 * path, not the bundling window.
 */
export const COST_ENV = { DISPATCH_T1: '30m', DISPATCH_T2: '30m', DISPATCH_STATUS_CHECK: `${STATUS_CHECK_MS / 1000}s`, ROSTER_REFRESH: '1h', PAGE_BUNDLE_WINDOW: '0s' };
const [alice, bob] = ROSTER;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (v: number) => `${v.toFixed(0)} ms`;

export async function costFigures(quick: boolean): Promise<Rows> {
  const counts = quick
    ? { happy: 3, bareOneByOne: 5, atRate: 50, bare: 200, dispatches: 80, capMs: 45_000 }
    : { happy: 6, bareOneByOne: 10, atRate: 100, bare: 500, dispatches: 200, capMs: 90_000 };
  return withStack(COST_ENV, (stack) =>
    withBareWorkers(stack.temporal.address, 1, async (bare) => {
      const timers = Object.entries(COST_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
      const conditions: Rows = [[`cost: conditions`, `one dev server (in memory), 1 API, 1 worker, 1 bare worker; ${timers}, no wake-up calls`]];
      // measured in this order, the run with the most left open last; printed in the order
      const perDispatch = await perDispatchCost(stack, bare, counts.happy, counts.bareOneByOne);
      const latency: Rows = [];
      const throughput: Rows = [];
      const watcher = pageWatcher(stack, counts.capMs);
      try {
        const bareAt10 = await bare.startToActivityAtRate(10, counts.atRate);
        const productAt10 = await firstPageAtRate(stack, watcher, 10, counts.atRate);
        const floor = percentile(bareAt10, 50);
        const p50 = percentile(productAt10.latencies, 50);
        latency.push([`bare workflow start → activity start at 10/s (floor), ${counts.atRate} workflows`, `p50 ${ms(floor)}, p99 ${ms(percentile(bareAt10, 99))}`]);
        latency.push([
          `API → first page at 10/s, ${counts.atRate} dispatches (achieved ${productAt10.achieved.toFixed(1)}/s)`,
          `p50 ${ms(p50)}, p99 ${ms(percentile(productAt10.latencies, 99))}; p50 ${(p50 / floor).toFixed(2)}× the floor (target ≤ 1.5×)`,
        ]);

        await bare.runMany('warm-up', 30, 30_000);
        const ceiling = await bare.runMany('ceiling', counts.bare, counts.capMs);
        const capped = (done: number, of: number) => (done < of ? `, ${done} of ${of} in the ${counts.capMs / 1000} s cap` : '');
        throughput.push([`ceiling: bare workflow + 1 activity, 1 bare worker, ${counts.bare} with 64 starts in flight`, `${ceiling.rate.toFixed(1)}/s completed${capped(ceiling.done, ceiling.count)}`]);
        const sustained = await sustainedDispatches(stack, watcher, { count: counts.dispatches, concurrency: 16, capMs: counts.capMs });
        throughput.push([
          `dispatches sustained through the API (first pages/s), 16 in flight${capped(sustained.latencies.length, counts.dispatches)}`,
          `${sustained.rate.toFixed(1)}/s = ${((100 * sustained.rate) / ceiling.rate).toFixed(0)} % of the ceiling (target ≥ 85 %)`,
        ]);
      } finally {
        watcher.stop();
      }
      return [...conditions, ...throughput, ...latency, ...perDispatch];
    }),
  );
}

/** Frontend requests and history events per happy-path dispatch, and per bare workflow as the floor. */
async function perDispatchCost(stack: Stack, bare: BareWorkers, happy: number, bareOneByOne: number): Promise<Rows> {
  const metrics = await metricsUrlOf(stack.temporal);
  const client = bare.client;
  await happyPath(stack); // warm-up: connections, caches, the Airtable writer's first run
  await bare.runMany('warm-up-1', 2, 30_000, 1);

  // what the idle stack asks for anyway (its workers' polls timing out, heartbeats), subtracted below
  const idleMs = 10_000;
  const idle0 = await frontendRequestsWhenQuiet(metrics);
  await sleep(idleMs);
  const idlePerMs = requestsBetween(idle0, await frontendRequests(metrics), idleMs);
  const counted = async (per: number, work: () => Promise<void>): Promise<Requests> => {
    const before = await frontendRequestsWhenQuiet(metrics); // nothing of what came before in flight
    const t0 = Date.now();
    await work();
    const after = await frontendRequestsWhenQuiet(metrics); // the last callbacks, the Airtable writer's rows
    const background = new Map([...idlePerMs].map(([op, n]) => [op, (n * (Date.now() - t0)) / per]));
    return lessBackground(requestsBetween(before, after, per), background);
  };

  const measured = new Set<string>();
  const isOther = (id: string, type: string) => type !== 'bare' && !measured.has(id);
  const lengthsBefore = await historyLengths(client, isOther);
  const runs: Array<{ callId: string; doneAt: number }> = [];
  const product = await counted(happy, async () => {
    for (let i = 0; i < happy; i++) {
      const run = await happyPath(stack);
      measured.add(`dispatch-${run.callId}`);
      runs.push(run);
    }
  });
  const lengthsAfter = await historyLengths(client, isOther);
  const floor = await counted(bareOneByOne, async () => void (await bare.runMany('cost', bareOneByOne, 60_000, 1)));

  // Histories are read outside the counting: these reads are not the product's requests.
  const others = await eventsGained(client, lengthsBefore, lengthsAfter);
  const toAccept: EventCounts = new Map();
  const toClose: EventCounts = new Map();
  for (const { callId, doneAt } of runs) {
    const [settled, closing] = splitAt(await historyOf(client, `dispatch-${callId}`), doneAt);
    addCounts(toAccept, countEvents(settled));
    addCounts(toClose, countEvents(closing));
  }
  const bareEvents = countEvents(await historyOf(client, `${bare.taskQueue}-cost-0`));
  const per = `per happy-path dispatch (mean of ${happy})`;
  const rows: Rows = [
    [`history events ${per}: page → YES → texts delivered, checks fired`, describeEvents(toAccept, happy)],
    [`history events ${per}: DONE → closed`, describeEvents(toClose, happy)],
    [`history events ${per}: in total`, describeEvents(addCounts(new Map(toAccept), toClose), happy)],
  ];
  for (const [type, counts] of others) rows.push([`history events ${per}, added to other workflows: ${type}`, describeEvents(counts, happy)]);
  rows.push([`history events of a bare workflow (floor)`, describeEvents(bareEvents)]);
  rows.push([`frontend requests ${per}`, `${describeRequests(product)}; ${(totalOf(product) / totalOf(floor)).toFixed(1)}× the floor`]);
  rows.push([`frontend requests per bare workflow, one at a time (floor, mean of ${bareOneByOne})`, describeRequests(floor)]);
  rows.push([`frontend requests of the idle stack (subtracted above)`, `${(totalOf(idlePerMs) * 1000).toFixed(2)}/s`]);
  return rows;
}

/**
 * One happy-path dispatch: started through the API, paged, accepted by Alice's YES (an inbound SMS
 * through the Twilio stand-in) a second after her page, every text delivered and every delivery
 * check fired; then DONE, and its Calls row written COMPLETED. Returns when DONE was sent.
 */
export async function happyPath(stack: Stack): Promise<{ callId: string; doneAt: number }> {
  const callId = newCallId('CAcost');
  const { dispatch } = await stack.startDispatch({ callId, callerPhone: '+12125550193', urgency: 'emergency', summary: 'Bench cost' });
  const code = dispatch.replyCode;
  const texts = () => stack.twilio.state.messages().filter((m) => m.direction === 'outbound-api' && m.body.includes(code));
  await waitFor(`the pages of ${code}`, () => texts().filter((m) => m.to === alice!.phone || m.to === bob!.phone).length >= 2, 30_000, 20);
  await sleep(1_000);
  const [answer] = (await stack.twilio.state.reply(alice!.phone, `YES ${code}`)).replies;
  if (!answer?.includes(`${code} is yours`)) throw new Error(`YES ${code} was answered: ${answer}`);
  // the pages, the caller's text and Bob's stand-down
  await waitFor(`every text of ${code} delivered`, () => texts().length >= 4 && texts().every((m) => m.status === 'delivered'), 30_000, 20);
  await sleep(STATUS_CHECK_MS + 1_500);
  const doneAt = Date.now();
  await stack.twilio.state.reply(alice!.phone, `DONE ${code}`);
  const completed = () => stack.airtable.state.records('Calls').some((r) => r.fields['Call ID'] === callId && r.fields.Status === 'COMPLETED');
  await waitFor(`${callId} recorded COMPLETED`, completed, 60_000, 50);
  return { callId, doneAt };
}
