// A worker process for the bare workflow of bench/clusterBareWorkflow.ts, with the SDK's default
// worker options. Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, BARE_TASK_QUEUE, BARE_BUNDLE_PATH.
import { NativeConnection, Worker } from '@temporalio/worker';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`Configuration error: ${name} must be set`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: required('BARE_TASK_QUEUE'),
    workflowBundle: { codePath: required('BARE_BUNDLE_PATH') },
    // when the activity started: the floor of start-to-activity latency is measured to it
    activities: { touch: async () => Date.now() },
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log('bare worker polling');
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
