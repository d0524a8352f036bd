// Temporal admits at most 10 Updates in flight per workflow (`history.maxInFlightUpdates`, fixed on
// Temporal Cloud). Refusing the eleventh is not harmless: the server drops the workflow's in-memory
// state with it, which aborts every Update then in flight ("workflow update was aborted"); each is
// tried again, the next refusal aborts the lot once more, and under a storm the pages of one phone
// went round that loop for tens of seconds. And one Update per page makes a storm's pages to one
// phone wait in single file for that phone's workflow tasks. So each worker process sends a phone's
// workflow at most a couple of Updates at a time, and the requests that arrive meanwhile go
// together in the next one: the first page of a burst goes at once, the rest in a few tasks.
import { AsyncResource } from 'node:async_hooks';

/**
 * Updates in flight from one process to one phone's workflow: two worker processes, with pages and
 * wake-up calls, stay within the server's 10. A deployment with more processes sees an occasional
 * refusal, which is tried again at once.
 */
export const BATCHES_IN_FLIGHT_PER_PHONE = 2;
/** Requests in one Update: a storm's worth, well within Temporal's payload limits. */
export const MAX_BATCH = 50;

interface Waiting<Req, Res, Via> {
  request: Req;
  via: Via;
  resolve(result: Res): void;
  reject(err: unknown): void;
}

/** `Via` is what a batch is sent with (the worker's client, as the first activity in it had it). */
export class PhoneBatches<Req, Res, Via> {
  /**
   * Where batches run: the context this was made in, outside any activity. A batch answers several
   * activities, so it must not be cancelled with the one whose call happened to start it (the SDK
   * ties an activity's client calls to that activity's cancellation); `send` bounds it itself.
   */
  private readonly scope = new AsyncResource('PhoneBatches');
  private readonly phones = new Map<string, { waiting: Array<Waiting<Req, Res, Via>>; inFlight: number }>();

  /** `send` delivers one batch to a phone's workflow and answers each request, in order. */
  constructor(
    private readonly send: (workflowId: string, requests: Req[], via: Via) => Promise<Res[]>,
    private readonly inFlightPerPhone = BATCHES_IN_FLIGHT_PER_PHONE,
  ) {}

  /** The answer to one request, sent alone if the phone's workflow has a free slot, else with the next batch. */
  submit(workflowId: string, request: Req, via: Via): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      let phone = this.phones.get(workflowId);
      if (!phone) this.phones.set(workflowId, (phone = { waiting: [], inFlight: 0 }));
      phone.waiting.push({ request, via, resolve, reject });
      this.pump(workflowId);
    });
  }

  /** Phones with requests in flight or waiting here (for tests). */
  get size(): number {
    return this.phones.size;
  }

  private pump(workflowId: string): void {
    const phone = this.phones.get(workflowId)!;
    while (phone.inFlight < this.inFlightPerPhone && phone.waiting.length > 0) {
      const batch = phone.waiting.splice(0, MAX_BATCH);
      phone.inFlight++;
      this.scope
        .runInAsyncScope(() =>
          this.send(
            workflowId,
            batch.map((w) => w.request),
            batch[0]!.via,
          ),
        )
        .then(
          (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
          (err: unknown) => batch.forEach((w) => w.reject(err)),
        )
        .finally(() => {
          phone.inFlight--;
          // Forgotten once idle: a process pages thousands of numbers over its life.
          if (phone.inFlight === 0 && phone.waiting.length === 0) this.phones.delete(workflowId);
          else this.pump(workflowId);
        });
    }
  }
}
