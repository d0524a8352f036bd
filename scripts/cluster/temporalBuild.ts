// The Temporal server and its SQL schema tool at the version deploy/topology.json pins, built from
// the Go module proxy into the git-ignored tools folder once and reused after that. The schema
// files the tool applies come from the same module version (the admin-tools image ships the same
// ones under /etc/temporal/schema).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadTopology, TOOLS_DIR, type Topology } from './topology';

export interface TemporalServerBuild {
  version: string;
  /** `temporal-server`, what the temporalio/server image runs */
  server: string;
  /** `temporal-sql-tool`, what the temporalio/admin-tools image runs */
  sqlTool: string;
  /** holds postgresql/v12/{temporal,visibility}/versioned, like /etc/temporal/schema in admin-tools */
  schemaRoot: string;
  /** true when this call built it */
  built: boolean;
  buildSeconds?: number;
}

const MODULE = 'go.temporal.io/server';
const PACKAGES = { server: `${MODULE}/cmd/server`, sqlTool: `${MODULE}/cmd/tools/sql` };

function paths(version: string) {
  const dir = path.join(TOOLS_DIR, version);
  return {
    dir,
    server: path.join(dir, 'temporal-server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    schemaRoot: path.join(dir, 'schema'),
    stamp: path.join(dir, 'BUILT'),
  };
}

function stampText(t: Topology): string {
  return `${MODULE}@v${t.temporal.version} ${t.temporal.goToolchain}\n`;
}

/** The pinned build when it is complete, else undefined. */
export function existingBuild(t: Topology = loadTopology()): TemporalServerBuild | undefined {
  const p = paths(t.temporal.version);
  try {
    if (fs.readFileSync(p.stamp, 'utf8') !== stampText(t)) return undefined;
  } catch {
    return undefined;
  }
  if (![p.server, p.sqlTool, path.join(p.schemaRoot, 'postgresql', 'v12', 'temporal', 'versioned')].every((f) => fs.existsSync(f))) return undefined;
  return { version: t.temporal.version, server: p.server, sqlTool: p.sqlTool, schemaRoot: p.schemaRoot, built: false };
}

function goEnv(t: Topology): NodeJS.ProcessEnv {
  // GOTOOLCHAIN makes the go command fetch the pinned toolchain from the module proxy when the
  // installed one is older; CGO off like the official images (and no C compiler needed).
  return { ...process.env, GOTOOLCHAIN: t.temporal.goToolchain, CGO_ENABLED: '0' };
}

function requireGo(): void {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('the Temporal server is built from source and needs the go command on PATH (Go 1.21 or later; it fetches the pinned toolchain itself): https://go.dev/dl');
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        log(line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}`));
    });
  });
}

/**
 * Builds `temporal-server` and `temporal-sql-tool` at the pinned version unless that build is
 * already in the tools folder. A cold build (empty Go caches) downloads the toolchain and a few
 * hundred MB of modules and compiles for several minutes on two cores.
 */
export async function ensureTemporalServer(log: (line: string) => void = (l) => console.error(`[temporal-build] ${l}`)): Promise<TemporalServerBuild> {
  const t = loadTopology();
  const ready = existingBuild(t);
  if (ready) return ready;
  requireGo();
  const p = paths(t.temporal.version);
  const version = `v${t.temporal.version}`;
  const env = goEnv(t);
  const staging = `${p.dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  log(`building ${MODULE}@${version} (server and SQL schema tool) with ${t.temporal.goToolchain}; the first build takes a while`);
  const started = Date.now();
  await run('go', ['install', '-trimpath', `${PACKAGES.server}@${version}`, `${PACKAGES.sqlTool}@${version}`], { ...env, GOBIN: staging }, log, 60 * 60_000);
  fs.renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
  fs.renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));

  // The schema files of the same module version, out of the module cache `go install` filled.
  const modCache = spawnSync('go', ['env', 'GOMODCACHE'], { env, encoding: 'utf8' }).stdout.trim();
  const moduleDir = path.join(modCache, `${MODULE}@${version}`);
  const schemaSource = path.join(moduleDir, 'schema', 'postgresql', 'v12');
  if (!fs.existsSync(schemaSource)) throw new Error(`no PostgreSQL schema in ${moduleDir}`);
  fs.cpSync(schemaSource, path.join(staging, 'schema', 'postgresql', 'v12'), { recursive: true });
  // Module cache files are read-only; the copies need not be.
  for (const f of fs.readdirSync(path.join(staging, 'schema'), { recursive: true, withFileTypes: true })) {
    fs.chmodSync(path.join(f.parentPath, f.name), f.isDirectory() ? 0o755 : 0o644);
  }
  fs.writeFileSync(path.join(staging, 'BUILT'), stampText(t));
  fs.rmSync(p.dir, { recursive: true, force: true });
  fs.renameSync(staging, p.dir);
  const buildSeconds = (Date.now() - started) / 1000;
  log(`built ${MODULE}@${version} in ${buildSeconds.toFixed(0)} s into ${path.relative(process.cwd(), p.dir) || p.dir}`);
  return { version: t.temporal.version, server: p.server, sqlTool: p.sqlTool, schemaRoot: p.schemaRoot, built: true, buildSeconds };
}

if (require.main === module) {
  ensureTemporalServer().then(
    (b) => console.log(`${b.server}\n${b.sqlTool}\n${b.schemaRoot}${b.built ? `\n(built in ${b.buildSeconds!.toFixed(0)} s)` : '\n(already built)'}`),
    (err) => {
      console.error(String(err instanceof Error ? err.message : err));
      process.exit(1);
    },
  );
}
