// The Temporal SDK's process-wide runtime: its logs go through our JSON logger, its own metrics
// (task latencies, poller counts, cache size) are served for Prometheus when asked for, and
// shutdown on signals is left to our lifecycle so the API drains before the workers stop.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { logger } from '../observability/logger';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export function installTemporalRuntime(): void {
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  const metricsBind = process.env.TEMPORAL_METRICS_BIND; // e.g. 0.0.0.0:9464
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => sdkLogger[LEVELS[level]]({ ...meta }, message)),
    shutdownSignals: [],
    telemetryOptions: metricsBind ? { metrics: { prometheus: { bindAddress: metricsBind } } } : undefined,
  });
}
