// The simulated moment an activity acts at, for the fakes behind the simulated-time worker.
import { Context } from '@temporalio/activity';

/** When Temporal scheduled the running activity attempt: the server's skipped clock (not for a local activity). */
export const scheduledAt = (): number => Context.current().info.currentAttemptScheduledTimestampMs;

/**
 * scheduledAt, or for a local activity, which the worker schedules on its own wall clock, the test
 * server's clock: held still while the workflow task that runs it is open.
 */
export const simulatedClock =
  (server: { currentTimeMs(): Promise<number> }) =>
  async (): Promise<number> =>
    Context.current().info.isLocal ? server.currentTimeMs() : scheduledAt();
