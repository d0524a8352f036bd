// The floor of worker start-up, for `npm run bench`: node, the Temporal SDK, one connection and one
// worker on the product's prebuilt workflow bundle — nothing of the product. Plain JavaScript, so
// no loader stands between node and the SDK.
//   node bench/sdkWorker.cjs <temporal address> <task queue> <bundle path>
'use strict';
const { DefaultLogger, NativeConnection, Runtime, Worker } = require('@temporalio/worker');

async function main() {
  const [address, taskQueue, codePath] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: { codePath } });
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
