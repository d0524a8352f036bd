// `node --import tsx test/replay/recordOlderRelease.ts <checkout of an older release> <fixture name>`
//
// Records one dispatch made entirely by an older release, for the patches' old paths: a history
// from before a patch has no marker, so replaying it takes the branch that patch kept for it. The
// path goes through everything the patches touch: tier 1 is paged, Alice's page comes back
// undelivered, nobody answers before T1, the follow-up goes out (and rings, in releases that
// ring), Bob accepts it, and the dispatch closes (waiting for final statuses, in releases that wait).
//
// The checkout needs a node_modules (a symlink to this one's will do):
//   git worktree add --detach /tmp/older <commit> && ln -s "$PWD/node_modules" /tmp/older/
// Only the roles (worker and API) and the workflow bundle come from the older release; the
// stand-ins and the dev server are this checkout's.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { workflowIdFor } from '../../src/contract/dispatch';
import setup from '../support/globalSetup';
import { ARTIFACTS } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';
import { FIXTURES, writeManifest } from './fixtures';
import { exportHistory, runRecorder, shortCommit } from './recording';

const [alice, bob] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number]];
const callerPhone = '+12125550145';
const log = (msg: string) => console.log(`[older-release] ${msg}`);
const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

async function main(): Promise<void> {
  const [checkout, name] = process.argv.slice(2);
  const oldRoot = path.resolve(checkout ?? '');
  const spec = FIXTURES.find((f) => f.name === name);
  if (!spec || !fs.existsSync(path.join(oldRoot, 'workflows', 'index.ts')) || !fs.existsSync(path.join(oldRoot, 'node_modules'))) {
    throw new Error('usage: recordOlderRelease.ts <checkout with a node_modules> <fixture name from test/replay/fixtures.ts>');
  }
  const commit = shortCommit(oldRoot);
  log(`${name} from ${commit}`);

  await setup(); // the Temporal CLI
  const bundlePath = path.join(ARTIFACTS, `workflow-bundle-${commit}.js`);
  fs.writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: path.join(oldRoot, 'workflows', 'index.ts'), logger: quiet })).code);
  const stack = await Stack.start({
    roleRoot: oldRoot,
    workflowBundlePath: bundlePath,
    env: { DISPATCH_T1: '4s', DISPATCH_T2: '30s', DISPATCH_MAX_ROUNDS: '1', DISPATCH_STATUS_CHECK: '2s', DISPATCH_VOICE_REPEAT: '20s', DISPATCH_GRACE: '60s' },
  });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection });
  try {
    stack.twilio.state.undeliverable(alice.phone, 30003);
    const callId = `CA${randomUUID().replace(/-/g, '')}`;
    const workflowId = workflowIdFor(callId);
    const { dispatch } = await stack.startDispatch({ callId, callerPhone, urgency: 'emergency', summary: 'Burst pipe in the basement', address: '12 Elm St' });
    const code = dispatch.replyCode;
    // What the phones see, not the API's state: its shape changed over the releases.
    const texts = (phone: string) => stack.twilio.state.inbox(phone).filter((m) => m.direction === 'outbound-api' && m.body.includes(code));
    await waitFor("Bob's follow-up", () => texts(bob.phone).some((m) => /FOLLOW-UP/.test(m.body)), 30_000, 100);
    const [answer] = (await stack.twilio.state.reply(bob.phone, `YES ${code}`)).replies;
    if (!answer?.includes(callerPhone)) throw new Error(`Bob's YES was answered: ${answer}`);
    await waitFor(`${workflowId} to close`, async () => {
      const { status } = await client.workflow.getHandle(workflowId).describe();
      if (status.name !== 'RUNNING' && status.name !== 'COMPLETED') throw new Error(`${workflowId} ended ${status.name}`);
      return status.name === 'COMPLETED';
    }, 90_000, 250);

    const { length: count } = exportHistory(stack.temporal.address, workflowId, name!, log);
    writeManifest([{ name: name!, workflowId, workflowType: spec.workflowType, path: spec.path, closed: spec.closed, recordedFrom: commit, events: count }]);
    log(`Alice: ${texts(alice.phone).length} text(s), Bob: ${texts(bob.phone).length}, rings: ${stack.twilio.state.calls().length}`);
  } finally {
    await connection.close();
    await stack.stop();
  }
}

runRecorder(main);
