// `node --import tsx scripts/bundle-workflows.ts OUT_FILE`: bundles the workflows once, at image
// build time, so each worker container loads the bundle (WORKFLOW_BUNDLE_PATH) instead of running
// webpack at every start.
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node --import tsx scripts/bundle-workflows.ts OUT_FILE');
    process.exit(2);
  }
  const workflowsPath = path.resolve(__dirname, '..', 'workflows', 'index.ts');
  const { code } = await bundleWorkflowCode({ workflowsPath });
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
