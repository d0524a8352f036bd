// `node scripts/run.cjs main|api|worker` — what `npm start`, `npm run api` and `npm run worker` run.
//
// The roles run as JavaScript compiled ahead of time into dist/app/ (`npm run build`, also run by
// `npm ci` and the image build): a TypeScript loader in the process costs about a second of CPU at
// every start, and a worker should poll within a second of starting. The compiled copy is used only
// while every source it was compiled from hashes as recorded in dist/app/build.json; after a change
// it is rebuilt first (a few seconds, once). Where it cannot be built (a production-only install
// has no TypeScript), the role runs from its sources through tsx, as before, only slower to start.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const APP_DIR = path.join(ROOT, 'dist', 'app');
const APP_MANIFEST = path.join(APP_DIR, 'build.json');
const ROLES = { main: 'src/main', api: 'src/api', worker: 'src/worker' };

/**
 * What every role process is started with, by whoever starts it: the image (its ENV), the npm
 * scripts, the tests and `npm run cluster` (test/deploy/image.test.ts checks they agree). Read by
 * glibc at process start only, so the launcher cannot set it for itself. Two malloc arenas instead
 * of glibc's eight per core: a worker's native threads (the SDK's core, libuv, V8's helpers) each
 * otherwise keep an arena of their own, and freed memory stays spread over them. Fixed malloc
 * thresholds: left to glibc, the threshold above which a block gets its own mapping rises with the
 * largest block freed (up to 32 MiB), so a storm's large buffers (histories, gRPC messages) end up
 * inside the arenas and the memory stays held after they are freed; at 64 KiB they are mapped and
 * unmapped on their own, and an arena's free top is returned past 128 KiB (docs/decisions.md,
 * Operations).
 */
const ROLE_ENV = { MALLOC_ARENA_MAX: '2', GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072' };

/**
 * Node's own flags for a role, given before the launcher on every command that starts one: the npm
 * scripts, the compose file, the tests and `npm run cluster` (test/deploy checks they agree). V8
 * fixes a heap's limit when the thread starts, so the launcher cannot set it for itself. A worker's
 * main thread runs the activities and the SDK's plumbing: what it keeps alive is bounded by the
 * activities in flight (55–110 MiB after a collection while 10,000 calls paged), not by the workflow cache,
 * but left to V8 its limit is sized from the machine and garbage grew it to 250 MiB in a burst of
 * 1,000 calls (docs/decisions.md, Operations). `main` (the sandbox) keeps the stand-ins' data on
 * that thread too, so it is left to V8.
 */
const ROLE_NODE_FLAGS = { main: [], api: [], worker: ['--max-old-space-size=160'] };

const sha256 = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Whether dist/app was compiled from the sources as they are now: `{ fresh }` or `{ fresh: false, reason }`. */
function appStatus() {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(APP_MANIFEST, 'utf8'));
  } catch {
    return { fresh: false, reason: 'not compiled yet' };
  }
  if (manifest.format !== 1) return { fresh: false, reason: 'compiled by an older build' };
  for (const [rel, hash] of Object.entries(manifest.inputs)) {
    let now;
    try {
      now = sha256(path.join(ROOT, rel));
    } catch {
      return { fresh: false, reason: `${rel} is gone` };
    }
    if (now !== hash) return { fresh: false, reason: `${rel} changed` };
  }
  return { fresh: true };
}

function run(role) {
  const entry = ROLES[role];
  if (!entry) {
    console.error(`usage: node scripts/run.cjs ${Object.keys(ROLES).join('|')}`);
    process.exit(2);
  }
  let status = appStatus();
  const buildScript = path.join(__dirname, 'build.ts');
  if (!status.fresh && fs.existsSync(buildScript)) {
    // stdout carries the role's JSON logs: the build talks on stderr
    console.error(`compiling the product to dist/app (${status.reason})`);
    const build = spawnSync(process.execPath, ['--import', 'tsx', buildScript, '--app'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    status = build.status === 0 ? appStatus() : { fresh: false, reason: 'the build failed' };
  }
  if (status.fresh) {
    require(path.join(APP_DIR, `${entry}.js`));
  } else {
    console.error(`running ${entry}.ts through tsx (${status.reason}): start-up takes a second longer`);
    require('tsx/cjs');
    require(path.join(ROOT, `${entry}.ts`));
  }
}

module.exports = { appStatus, APP_DIR, APP_MANIFEST, ROLE_ENV, ROLE_NODE_FLAGS, ROOT };

if (require.main === module) run(process.argv[2]);
