// Temporal admits at most 10 Updates in flight per workflow (`history.maxInFlightUpdates`, fixed on
// Temporal Cloud). Refusing the eleventh is not harmless: the server drops the workflow's in-memory
// state with it, which aborts every Update then in flight ("workflow update was aborted"); each is
// tried again, the next refusal aborts the lot once more, and under a storm's load the pages of one
// phone went round that loop for tens of seconds. So each worker process keeps its own Updates to
// one phone's workflow below the limit, and the server never has to refuse one.
import { Semaphore } from 'async-mutex';

/**
 * Updates in flight from one process to one phone's workflow: two worker processes stay within
 * the server's 10. A deployment with more sees an occasional refusal, which is tried again at once.
 */
export const UPDATES_PER_PHONE_PER_PROCESS = 4;

export class UpdateSlots {
  private readonly byKey = new Map<string, { slots: Semaphore; users: number }>();

  constructor(private readonly perKey = UPDATES_PER_PHONE_PER_PROCESS) {}

  /** Runs `update` once fewer than `perKey` others for the same workflow are in flight here. */
  async run<T>(workflowId: string, update: () => Promise<T>): Promise<T> {
    let entry = this.byKey.get(workflowId);
    if (!entry) this.byKey.set(workflowId, (entry = { slots: new Semaphore(this.perKey), users: 0 }));
    entry.users++;
    try {
      return await entry.slots.runExclusive(update);
    } finally {
      // Forgotten once idle: a process pages thousands of numbers over its life.
      if (--entry.users === 0) this.byKey.delete(workflowId);
    }
  }

  /** Workflows with Updates in flight or waiting here (for tests). */
  get size(): number {
    return this.byKey.size;
  }
}
