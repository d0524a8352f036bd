// The simulated moment an activity acts at, for the fakes behind the simulated-time worker.
import { Context } from '@temporalio/activity';

/**
 * When Temporal scheduled the running attempt (the server's skipped clock). A local activity is
 * scheduled by the worker on its own wall clock, so it reads the test server's clock instead: held
 * still while the workflow task that runs it is open.
 */
export const simulatedClock =
  (server: { currentTimeMs(): Promise<number> }) =>
  async (): Promise<number> => {
    const info = Context.current().info;
    return info.isLocal ? server.currentTimeMs() : info.currentAttemptScheduledTimestampMs;
  };
