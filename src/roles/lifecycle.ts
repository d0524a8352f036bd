// Orderly shutdown on SIGINT/SIGTERM: each step runs once, last started first stopped.
import { logger } from '../observability/logger';

type Step = { name: string; stop: () => Promise<unknown> };

export function onShutdown(steps: Step[]): void {
  let stopping = false;
  const stopAll = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const step of [...steps].reverse()) {
      try {
        await step.stop();
      } catch (err) {
        logger.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stopAll('SIGINT'));
  process.once('SIGTERM', () => void stopAll('SIGTERM'));
}
