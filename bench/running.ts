// What a benchmark has started and not yet stopped (servers, stacks, worker processes), so that a
// crash or a Ctrl-C still stops every one of them by its own handle.
const running = new Set<() => Promise<void>>();

/** Registers `stop`; call the function returned once it has stopped. */
export function track(stop: () => Promise<void>): () => void {
  running.add(stop);
  return () => running.delete(stop);
}

/** Stops everything still registered, newest last, ignoring failures. */
export async function stopAllTracked(): Promise<void> {
  for (const stop of [...running]) await stop().catch(() => undefined);
  running.clear();
}

/** On a crash, SIGINT or SIGTERM: runs `cleanUp` (by default: stops everything tracked), then exits 1. */
export function cleanUpOnExit(cleanUp: () => Promise<void> = stopAllTracked): void {
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.once(event, (err) => {
      console.error(err);
      void cleanUp().finally(() => process.exit(1));
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(1)));
}
