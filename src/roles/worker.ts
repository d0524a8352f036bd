// The worker role: runs dispatch workflows and the activities that page, plus, on the audit queue,
// the fleet's Airtable writer workflow and the dispatches' forwards to it, and on a queue of their
// own the writer's Airtable writes.
//
// Start-up is on the recovery path: when a worker dies, its dispatches wait for another to poll,
// and a follow-up goes out only once the phones' queue polls too (its page is registered with the
// technician's phone workflow first). So the dispatch and phone workers start their workflow
// threads together, from a prebuilt workflow bundle; the vendor libraries load once both poll (on
// two cores, loading them meanwhile held the threads back); the audit worker (Airtable, off the
// paging path) is created once the dispatch worker polls with nothing in hand.
import { Worker, type NativeConnection } from '@temporalio/worker';
import v8 from 'node:v8';
import type { Worker as NodeWorkerThread } from 'node:worker_threads';
import type { AirtableConfig, Config, TwilioConfig } from '../config';
import type { PagingActivities } from '../contract/activities';
import { airtableWritesQueueFor, auditTaskQueueFor } from '../contract/audit';
import { phoneTaskQueueFor } from '../contract/phone';
import { logger } from '../observability/logger';
import { ensureWorkflowBundle } from '../temporal/workflowBundle';
import type { WorkerActivities } from './workerActivities';
import { workerMemory } from './workerMemory';

export interface WorkerRoleOptions {
  config: Config;
  twilio: TwilioConfig;
  airtable: AirtableConfig;
  connection: NativeConnection;
  /** page from this file instead of the Technicians table */
  rosterFile?: string;
}

export interface RunningWorkers {
  /** resolves when both workers have stopped */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Every activity of the dispatch queue, by name: the dispatch worker registers them before they load. */
const DISPATCH_ACTIVITIES = [
  'sendSms',
  'fetchMessageStatus',
  'ringTechnician',
  'loadRoster',
  'loadOnCall',
  'reportOutcome',
  'onCallNow',
  'pageTechnician',
  'tellPhones',
  'wakeTechnician',
  'tellDispatches',
  'planOnCall',
  'forwardAudit',
] as const satisfies readonly (keyof PagingActivities)[];
type Unlisted = Exclude<keyof PagingActivities, (typeof DISPATCH_ACTIVITIES)[number]>;
// fails to compile when the contract gains an activity this list lacks
const everyActivityListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyActivityListed;

/** Activities registered by name now, each call waiting for the implementations (milliseconds, once). */
function registeredBeforeLoaded(ready: Promise<PagingActivities>): PagingActivities {
  ready.catch(() => undefined); // a failure to load is reported by startWorkers, not per call
  const byName = (name: (typeof DISPATCH_ACTIVITIES)[number]) => async (...args: unknown[]) => {
    const activity = (await ready)[name] as (...a: unknown[]) => Promise<unknown>;
    return activity(...args);
  };
  return Object.fromEntries(DISPATCH_ACTIVITIES.map((name) => [name, byName(name)])) as unknown as PagingActivities;
}

/**
 * Resolves once the dispatch worker polls with nothing in hand for `quietMs`, or after `capMs`.
 * A worker restarted after a crash finds the follow-ups that came due meanwhile waiting: it
 * replays and sends them before a second workflow thread (the audit worker's) competes for the CPU.
 */
async function pagingSideSettled(worker: Worker, quietMs = 500, capMs = 10_000): Promise<void> {
  const deadline = Date.now() + capMs;
  let quietSince: number | undefined;
  while (Date.now() < deadline && worker.getState() === 'RUNNING') {
    const s = worker.getStatus();
    const quiet = s.hasOutstandingWorkflowPoll && s.numInFlightWorkflowActivations === 0 && s.numInFlightActivities === 0;
    quietSince = quiet ? (quietSince ?? Date.now()) : undefined;
    if (quietSince !== undefined && Date.now() - quietSince >= quietMs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts creating an SDK worker whose workflow thread gets a heap of `heapMib`, and resolves once
 * that thread runs (or the creation failed before starting one). The SDK offers no heap limit for
 * its workflow threads; V8 takes this flag for every isolate created from then on and has sized the
 * thread's heap by the time it runs, so the next thread may then be started with another.
 */
async function startedWithHeap(heapMib: number, create: () => Promise<Worker>): Promise<{ created: Promise<Worker> }> {
  v8.setFlagsFromString(`--max-old-space-size=${heapMib}`);
  let threadRuns!: () => void;
  const running = new Promise<void>((resolve) => (threadRuns = resolve));
  const onThread = (thread: NodeWorkerThread) => thread.once('online', threadRuns);
  process.once('worker', onThread);
  const created = create();
  try {
    await Promise.race([running, created]);
  } catch {
    // reported by whoever awaits the creation
  } finally {
    process.removeListener('worker', onThread);
  }
  return { created };
}

/** A created worker polling, or why it could not be created. */
async function polling(creating: Promise<Worker>): Promise<{ worker: Worker; run: Promise<void> }> {
  const worker = await creating;
  const run = worker.run();
  run.catch(() => undefined); // observed through `done`
  return { worker, run };
}

/**
 * Phones' workflows kept in memory: a business's technicians and the callers of its open
 * dispatches; one evicted replays its history (at most 2,000 events) when next reached.
 */
const PHONES_CACHED = 100;

export async function startWorkers(opts: WorkerRoleOptions): Promise<RunningWorkers> {
  const { config, connection } = opts;
  // Built ahead of time (dist/workflows): loading it takes milliseconds, bundling takes seconds.
  const workflowBundle = await ensureWorkflowBundle(logger);
  const common = {
    connection,
    namespace: config.temporal.namespace,
    shutdownGraceTime: '20s',
    workflowBundle,
    // The SDK cuts a workflow activation off after 5 s to catch runaway workflow code. On a starved
    // CPU a replay of a dispatch's history can take that long, and a script terminated mid-activation
    // can take the whole worker down with it (Node: "async hook stack has become corrupted", seen
    // under the 10,000-dispatch bench); our workflows have no unbounded loops to catch.
    isolateExecutionTimeout: '60s',
    // A workflow's next task goes to the worker that has it cached (its sticky queue) and moves to
    // the shared queue when that worker has not taken it within this long. A live worker takes it
    // within milliseconds; a dead one never will, and until the server notices (10 s without a
    // poll) every dispatch it held waits this long after a crash (the phones a new process reaches
    // are moved off at once: activities/phone/stickyHandOver.ts): this bounds how late a
    // follow-up or a bundle can be. The price of a short value is a replay of the workflow's
    // history elsewhere when a busy worker is slower than this, never a lost or doubled page
    // (docs/decisions.md).
    stickyQueueScheduleToStartTimeout: '1s',
  } as const;
  const memory = workerMemory(config);
  // this thread's heap limit comes from how the process was started (ROLE_NODE_FLAGS in scripts/run.cjs)
  const mainHeapMib = Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
  logger.info({ ...memory, mainHeapMib }, `workflow cache: up to ${memory.cachedDispatches} dispatches for ${memory.budgetMib} MiB (${memory.source})`);

  // The SDK starts a thread for each worker that loads its modules and the bundle. The vendor
  // libraries (about 0.2 s of this thread's CPU) load once both workers poll: loaded while the two
  // threads load theirs, three threads shared two cores and the queues polled about 0.25 s later
  // (docs/bench.md). An activity that comes first waits for them (registeredBeforeLoaded).
  let loadVendors!: () => void;
  const polled = new Promise<void>((resolve) => (loadVendors = resolve));
  const vendors: Promise<WorkerActivities> = polled
    .then(() => import('./workerActivities'))
    .then((m) => m.createWorkerActivities(opts));
  const pagingVendors = vendors.then((v) => v.dispatch);
  const { created: creatingDispatch } = await startedWithHeap(memory.workflowHeapMib, () =>
    Worker.create({
      ...common,
      taskQueue: config.temporal.taskQueue,
      activities: registeredBeforeLoaded(pagingVendors),
      maxCachedWorkflows: memory.cachedDispatches,
      maxConcurrentWorkflowTaskExecutions: Math.min(40, memory.cachedDispatches), // the SDK's default, within the cache
    }),
  );
  const { created: creatingPhone } = await startedWithHeap(memory.phonesHeapMib, () =>
    Worker.create({
      ...common, // the phones' workflows run here; their sends and their news to dispatches too
      taskQueue: phoneTaskQueueFor(config.temporal.taskQueue),
      activities: registeredBeforeLoaded(pagingVendors),
      maxCachedWorkflows: PHONES_CACHED,
      maxConcurrentWorkflowTaskExecutions: 10,
    }),
  );
  // Each polls as soon as it is created; if either cannot be, the other stops again.
  const [dispatchCreated, phoneCreated] = await Promise.allSettled([polling(creatingDispatch), polling(creatingPhone)]);
  if (dispatchCreated.status === 'rejected' || phoneCreated.status === 'rejected') {
    for (const created of [dispatchCreated, phoneCreated]) {
      if (created.status === 'fulfilled') {
        created.value.worker.shutdown();
        await created.value.run.catch(() => undefined);
      }
    }
    throw dispatchCreated.status === 'rejected' ? dispatchCreated.reason : (phoneCreated as PromiseRejectedResult).reason;
  }
  loadVendors();
  const { worker: dispatchWorker, run: dispatchRun } = dispatchCreated.value;
  const { worker: phoneWorker, run: phoneRun } = phoneCreated.value;
  logger.info({ taskQueue: config.temporal.taskQueue }, 'dispatch and phone queues polling');
  // The on-call schedule's one workflow runs on this queue: started if need be, with this worker's
  // settings. (Its client loads only now, off the way to the first poll.)
  const { ensureOnCallSchedule } = await import('../client/onCallService');
  await ensureOnCallSchedule(connection, { namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, settings: config.schedule });

  let auditWorker: Worker;
  let writesWorker: Worker;
  try {
    const { audit } = await vendors;
    await pagingSideSettled(dispatchWorker);
    const audited = await startedWithHeap(memory.auditHeapMib, () =>
      Worker.create({
        ...common, // the Airtable writer workflow runs here
        taskQueue: auditTaskQueueFor(config.temporal.taskQueue),
        activities: audit,
        // one Airtable writer per queue and base lives here: a handful of workflows at most
        maxCachedWorkflows: 10,
        maxConcurrentWorkflowTaskExecutions: 10,
      }),
    );
    auditWorker = await audited.created;
    // Activities only, no workflow thread: the writer's Airtable writes, apart from the forwards that
    // wait on the audit queue while the writer is full. (The audit worker still serves the writes
    // scheduled there before they moved, and those of dispatches older than the writer.)
    writesWorker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      shutdownGraceTime: common.shutdownGraceTime,
      taskQueue: airtableWritesQueueFor(auditTaskQueueFor(config.temporal.taskQueue)),
      activities: { upsertCalls: audit.upsertCalls, upsertDispatchEvents: audit.upsertDispatchEvents },
      // The writer sends one request at a time. No server-side rate limit: the server splits it
      // across the queue's partitions and lets each burst, so it cannot hold 5 requests/s; the one
      // writer workflow paces every write instead.
      maxConcurrentActivityTaskExecutions: 2,
    });
  } catch (err) {
    for (const w of [dispatchWorker, phoneWorker]) w.shutdown();
    await Promise.all([dispatchRun, phoneRun].map((r) => r.catch(() => undefined)));
    throw err;
  }
  void import('./workerActivities').then((m) => m.reportSchemaGaps(opts.airtable));
  const done = Promise.all([dispatchRun, phoneRun, auditWorker.run(), writesWorker.run()]).then(() => undefined);
  logger.info({ taskQueue: config.temporal.taskQueue }, 'workers polling');
  return {
    done,
    async shutdown() {
      for (const w of [dispatchWorker, phoneWorker, auditWorker, writesWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
