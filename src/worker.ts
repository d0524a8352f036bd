// `npm run worker`: dispatch workflows and activities alone, against TEMPORAL_ADDRESS.
import { ConfigError, loadConfigOrExit, workerRequirements } from './config';
import http from 'node:http';
import { logger } from './observability/logger';
import { onShutdown } from './roles/lifecycle';
import { startWorkers } from './roles/worker';
import { installTemporalRuntime } from './temporal/runtime';
import { connectWorker } from './temporal/connection';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  installTemporalRuntime();
  const { address, twilio, airtable } = workerRequirements(config);
  const connection = await connectWorker(config.temporal, address);
  const workers = await startWorkers({
    config,
    connection,
    twilio,
    airtable,
    rosterFile: process.env.ROSTER_FILE ? config.rosterFile : undefined,
  });
  const metrics = process.env.WORKER_METRICS_PORT ? await serveMetrics(Number(process.env.WORKER_METRICS_PORT)) : undefined;
  onShutdown([
    ...(metrics ? [{ name: 'metrics', stop: () => new Promise((resolve) => metrics.close(resolve)) }] : []),
    { name: 'worker connection', stop: () => connection.close() },
    { name: 'workers', stop: () => workers.shutdown() },
  ]);
  await workers.done;
}

/** The worker's own /metrics (sends, failures, outcomes); `npm start` serves them on the API. */
async function serveMetrics(port: number): Promise<http.Server> {
  const { registry } = await import('./observability/metrics'); // loaded by then: the activities count into it
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  logger.info({ port }, 'worker metrics listening');
  return server;
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
