// How much a worker keeps in memory. Most of it is the workflow cache: the live state of recently
// active dispatches, kept so their next event does not replay their history. Left to the SDK, the
// cache is sized from the V8 heap limit (about 2,300 dispatches on a machine with 16 GB or more)
// and each workflow thread's heap may grow to that limit before V8 collects in earnest: a worker
// with thousands of dispatches waiting grew past 1.3 GiB. Here both are sized from the memory the
// worker may use. A dispatch evicted from the cache costs a replay of its short history when its
// timer fires, never correctness.
import os from 'node:os';
import type { Config } from '../config';

/**
 * RSS of an idle worker: node, the SDK, its workflow threads, the vendor clients (measured with two
 * threads: 247–303 MiB, ~278 on average; the phones' thread, added since, is in the rss bench's figures).
 */
export const IDLE_WORKER_MIB = 280;
/**
 * RSS above an idle worker per cached dispatch, the SDK's native side and the garbage of a burst
 * included, with 1,000 dispatches paged and waiting (`npm run bench -- --only=rss`): 1.46 MiB with
 * 262 cached (606–755 MiB over five runs), 1.86 with 150 (538–572 MiB over three). Each further
 * cached dispatch adds ~0.9 MiB, ~0.23 of it live on the workflow thread's V8 heap; the rest of
 * what is above the idle worker comes with the burst whatever the cache (the activities' garbage on
 * the main thread's heap, capped at start by ROLE_NODE_FLAGS in scripts/run.cjs, the workflow
 * threads' young generations, malloc's per-thread arenas). Measured at 0.75, the default cache of 262 held a worker at 610–640 MiB.
 */
export const CACHED_DISPATCH_MIB = 1.5;
/**
 * The share of the memory above the idle worker given to the cache (and the dispatch thread's heap);
 * the rest absorbs what comes with a burst whatever the cache: the main thread's heap (up to 160 MiB),
 * the other threads' heaps, the young generations, malloc's arenas. At three quarters of 512 MiB a
 * worker with 10,000 dispatches waiting peaked at 737 MiB; at 0.4 of 600 (85 cached, a 128 MiB
 * dispatch heap), at 594 and 685 in two runs, the spread malloc's; with fixed malloc thresholds
 * (ROLE_ENV in scripts/run.cjs), at 495 in one run with the audit thread at 64 MiB, since raised
 * (`npm run bench -- --only=rss`, docs/bench.md).
 */
const CACHE_SHARE = 0.4;
/** Without a setting or a container limit: what a worker with 10,000 dispatches waiting should hold at most. */
const DEFAULT_WORKER_MEMORY_MIB = 600;
/** Of a container's memory limit, when one applies. */
const CONTAINER_SHARE = 0.75;
const MIN_CACHED = 20;
const MIN_WORKFLOW_HEAP_MIB = 128;
/**
 * The writer's thread: at 64 MiB it ran out of heap with 10,000 dispatches waiting (the worker
 * stopped: ERR_WORKER_OUT_OF_MEMORY), so its rows in flight and their replays need more than the
 * ~1 MiB carried over a continue-as-new; 96 held through the earlier rss runs, 128 leaves room.
 */
const AUDIT_HEAP_MIB = 128;
/** A hundred cached phones' ledgers (their jobs of the last hour) stay far below this. */
const PHONES_HEAP_MIB = 96;

export interface WorkerMemory {
  /** the memory this worker may use, MiB */
  budgetMib: number;
  source: 'WORKER_MEMORY_MB' | 'container limit' | 'default';
  /** maxCachedWorkflows of the dispatch worker */
  cachedDispatches: number;
  /**
   * V8 old-space limit of the dispatch worker's workflow thread: the cache's share of the memory
   * above an idle worker, so V8 collects before the heap outgrows the budget, yet several times what
   * a full cache keeps live on it (~20 MiB of the SDK and the bundle, ~0.23 MiB per cached dispatch).
   */
  workflowHeapMib: number;
  /** V8 old-space limit of the audit worker's workflow thread: it holds a writer or two, not dispatches. */
  auditHeapMib: number;
  /** V8 old-space limit of the phones' worker's workflow thread. */
  phonesHeapMib: number;
}

/** The container's (cgroup) memory limit in MiB, when the process runs under one. */
export function containerLimitMib(): number | undefined {
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : undefined;
  // libuv reports "no limit" as 0 or as a huge number
  return limit && limit < os.totalmem() ? Math.floor(limit / 2 ** 20) : undefined;
}

export function workerMemory(config: Pick<Config, 'workerMemoryMb'>, containerMib = containerLimitMib()): WorkerMemory {
  const [budgetMib, source]: [number, WorkerMemory['source']] = config.workerMemoryMb
    ? [config.workerMemoryMb, 'WORKER_MEMORY_MB']
    : containerMib
      ? [Math.floor(containerMib * CONTAINER_SHARE), 'container limit']
      : [DEFAULT_WORKER_MEMORY_MIB, 'default'];
  const cachedDispatches = Math.max(MIN_CACHED, Math.floor(((budgetMib - IDLE_WORKER_MIB) * CACHE_SHARE) / CACHED_DISPATCH_MIB));
  // Two threads each with its own heap: together they must fit the budget with the rest of the
  // process, which a limit of half the budget each did not (940 MiB with 10,000 dispatches waiting).
  const workflowHeapMib = Math.max(MIN_WORKFLOW_HEAP_MIB, Math.floor((budgetMib - IDLE_WORKER_MIB) * CACHE_SHARE));
  return { budgetMib, source, cachedDispatches, workflowHeapMib, auditHeapMib: AUDIT_HEAP_MIB, phonesHeapMib: PHONES_HEAP_MIB };
}
