// `npm run worker`: dispatch workflows and activities alone, against TEMPORAL_ADDRESS.
import { ConfigError, loadConfigOrExit, workerRequirements } from './config';
import { logger } from './logger';
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
    workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH || undefined,
  });
  onShutdown([
    { name: 'worker connection', stop: () => connection.close() },
    { name: 'workers', stop: () => workers.shutdown() },
  ]);
  await workers.done;
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
