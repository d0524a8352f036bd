// A worker process may be the replacement of one killed a moment ago. The phones' workflows that
// process had cached still send their next task to its sticky queue, where it waits out the phone
// worker's schedule-to-start timeout (1 s) before a live worker may take it, until the server
// notices the dead poller (10 s without a poll). After a crash that wait came on top of the
// dispatch's own and made a follow-up due meanwhile about a second later. So in its first seconds
// a process moves each phone it reaches off any sticky queue before its first Update there. The
// price is one replay of that phone's history if a live worker had it cached.
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { logger } from '../../src/observability/logger';

/** gRPC's NOT_FOUND: no such workflow yet, so its first task goes to the shared queue anyway. */
const NOT_FOUND = 5;

/** The server's own window for noticing a dead sticky poller (`matching.stickyPollerUnavailableWindow`). */
export const HAND_OVER_WINDOW_MS = 10_000;

export class StickyHandOver {
  private readonly handedOver = new Map<string, Promise<void>>();

  /** `startedAt`: when this process started, on `now`'s clock. */
  constructor(
    private readonly startedAt: number,
    private readonly now: () => number = Date.now,
    private readonly windowMs = HAND_OVER_WINDOW_MS,
  ) {}

  /**
   * Resolves once the workflow's next task goes to a live poller: at once after the window or
   * when this process has reached it before; else after resetting its stickiness (best effort: a
   * failure only leaves the wait this avoids).
   */
  before(workflowId: string, via: Client): Promise<void> {
    if (this.now() - this.startedAt >= this.windowMs) {
      this.handedOver.clear();
      return Promise.resolve();
    }
    let done = this.handedOver.get(workflowId);
    if (!done) {
      done = via.workflowService
        .resetStickyTaskQueue({ namespace: via.options.namespace, execution: { workflowId } })
        .then(
          () => undefined,
          (err: unknown) => {
            if (isGrpcServiceError(err) && err.code === NOT_FOUND) return;
            logger.warn({ workflowId, err: String(err) }, 'could not move a phone off its sticky queue; its next task may wait for the dead worker');
          },
        );
      this.handedOver.set(workflowId, done);
    }
    return done;
  }
}
