// Runs a real Docker Compose implementation's `config` on docker-compose.yml (no Docker engine
// needed) and returns its fully resolved model, normalised across Compose v2 (JSON output) and
// Debian's Compose v1 (YAML output, read with the YAML module its own Python ships with).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface Validator {
  /** the command, e.g. ['docker', 'compose'] */
  cmd: string[];
  version: string;
  /** `config --format json` is available (Compose v2) */
  json: boolean;
}

function run(cmd: string[], args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const [bin, ...pre] = cmd as [string, ...string[]];
  return spawnSync(bin, [...pre, ...args], { encoding: 'utf8', timeout: 60_000, ...opts });
}

function probe(cmd: string[]): Validator | undefined {
  const r = run(cmd, ['version']);
  if (r.error || r.status !== 0) return undefined;
  const out = `${r.stdout}${r.stderr}`;
  const version = /version v?(\d+\.\d+\.\d+)/i.exec(out)?.[1];
  if (!version) return undefined;
  return { cmd, version, json: Number(version.split('.')[0]) >= 2 };
}

/** COMPOSE_VALIDATOR, then `docker compose`, then `docker-compose` (v2 or Debian's v1). */
export function findValidator(): Validator | undefined {
  const chosen = process.env.COMPOSE_VALIDATOR?.trim();
  if (chosen) return probe(chosen.split(/\s+/));
  return probe(['docker', 'compose']) ?? probe(['docker-compose']);
}

/** The Python interpreter a v1 `docker-compose` script runs on: it has PyYAML, a v1 dependency. */
function composeV1Python(): string {
  const which = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  const script = which.stdout.trim();
  try {
    const first = fs.readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
    const interpreter = /^#!\s*(\S*python\S*)/.exec(first)?.[1];
    if (interpreter) return interpreter;
  } catch {
    // not a script: fall through
  }
  return 'python3';
}

function yamlToJson(yaml: string): unknown {
  const code = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
  const r = spawnSync(composeV1Python(), ['-c', code], { input: yaml, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`could not read docker-compose config output as YAML: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}

export interface ConfigRun {
  ok: boolean;
  /** the validator's complaint when not ok */
  output: string;
  model?: unknown;
}

/**
 * Validates `composeText` the way a deployment would see it: in a scratch project folder with
 * `.env` made from `envText` (the file's env_file and ${...} values), a Dockerfile and the deploy/
 * folder it mounts, and an environment free of this machine's variables.
 */
export function composeConfig(validator: Validator, composeText: string, envText: string): ConfigRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-check-'));
  try {
    fs.writeFileSync(path.join(dir, 'docker-compose.yml'), composeText);
    fs.writeFileSync(path.join(dir, '.env'), envText);
    fs.copyFileSync(path.join(ROOT, 'Dockerfile'), path.join(dir, 'Dockerfile'));
    fs.cpSync(path.join(ROOT, 'deploy'), path.join(dir, 'deploy'), { recursive: true });
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    if (process.env.DOCKER_CONFIG) env.DOCKER_CONFIG = process.env.DOCKER_CONFIG;
    const args = ['-f', 'docker-compose.yml', 'config', ...(validator.json ? ['--format', 'json'] : [])];
    const r = run(validator.cmd, args, { cwd: dir, env });
    if (r.error || r.status !== 0) return { ok: false, output: `${r.stderr}${r.stdout}${r.error ?? ''}` };
    const model = validator.json ? JSON.parse(r.stdout) : yamlToJson(r.stdout);
    return { ok: true, output: r.stderr, model: JSON.parse(JSON.stringify(model).split(dir).join('<project>')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the resolved model, normalised --------------------------------------------------------------

export interface Port {
  hostIp?: string;
  published: number;
  target: number;
}

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface Service {
  name: string;
  image?: string;
  build?: { context: string; dockerfile: string };
  command: string[];
  entrypoint: string[];
  environment: Record<string, string>;
  dependsOn: Record<string, string>;
  healthcheck?: { test: string[] };
  ports: Port[];
  volumes: Mount[];
  replicas: number;
  stopGraceMs?: number;
  restart?: string;
}

type Raw = Record<string, unknown>;

const asRecord = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : []);

/** Go-style durations as Compose writes them: 30s, 1m30s, 1.5s, 200ms. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value / 1e6; // nanoseconds
  if (typeof value !== 'string' || !value) return undefined;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, µs: 0.001, ns: 1e-6 };
  let total = 0;
  let rest = value;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

function port(raw: unknown): Port {
  if (typeof raw === 'string' || typeof raw === 'number') {
    // [ip:]published:target[/proto]
    const parts = String(raw).replace(/\/\w+$/, '').split(':');
    const target = Number(parts.pop());
    const published = Number(parts.pop() ?? target);
    const hostIp = parts.length ? parts.join(':') : undefined;
    return { hostIp, published, target };
  }
  const r = asRecord(raw);
  return {
    hostIp: typeof r.host_ip === 'string' && r.host_ip ? r.host_ip : undefined,
    published: Number(r.published),
    target: Number(r.target),
  };
}

function mount(raw: unknown): Mount {
  if (typeof raw === 'string') {
    const [source = '', target = '', mode = ''] = raw.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  }
  const r = asRecord(raw);
  return { source: String(r.source ?? ''), target: String(r.target ?? ''), readOnly: r.read_only === true };
}

export function services(model: unknown): Map<string, Service> {
  const out = new Map<string, Service>();
  for (const [name, value] of Object.entries(asRecord(asRecord(model).services))) {
    const s = asRecord(value);
    const environment: Record<string, string> = {};
    const env = s.environment;
    if (Array.isArray(env)) {
      for (const line of env.map(String)) {
        const i = line.indexOf('=');
        environment[i < 0 ? line : line.slice(0, i)] = i < 0 ? '' : line.slice(i + 1);
      }
    } else {
      for (const [k, v] of Object.entries(asRecord(env))) environment[k] = v === null || v === undefined ? '' : String(v);
    }
    const dependsOn: Record<string, string> = {};
    if (Array.isArray(s.depends_on)) for (const d of s.depends_on) dependsOn[String(d)] = 'service_started';
    else for (const [k, v] of Object.entries(asRecord(s.depends_on))) dependsOn[k] = String(asRecord(v).condition ?? 'service_started');
    const hc = asRecord(s.healthcheck);
    const build = s.build === undefined ? undefined : typeof s.build === 'string' ? { context: s.build, dockerfile: 'Dockerfile' } : asRecord(s.build);
    const replicas = asRecord(s.deploy).replicas ?? s.scale ?? 1;
    out.set(name, {
      name,
      image: typeof s.image === 'string' ? s.image : undefined,
      build: build && { context: String(build.context ?? '.'), dockerfile: String(build.dockerfile ?? 'Dockerfile') },
      command: asList(s.command),
      entrypoint: asList(s.entrypoint),
      environment,
      dependsOn,
      healthcheck: hc.test && hc.disable !== true ? { test: asList(hc.test) } : undefined,
      ports: (Array.isArray(s.ports) ? s.ports : []).map(port),
      volumes: (Array.isArray(s.volumes) ? s.volumes : []).map(mount),
      replicas: Number(replicas),
      stopGraceMs: durationMs(s.stop_grace_period),
      restart: typeof s.restart === 'string' ? s.restart : undefined,
    });
  }
  return out;
}

/** NAME=value pairs of a dotenv file; `# NAME=value` lines are documented-but-unset variables. */
export function readDotenv(text: string): { set: Map<string, string>; documented: Set<string> } {
  const set = new Map<string, string>();
  const documented = new Set<string>();
  for (const line of text.split('\n')) {
    const active = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (active) {
      set.set(active[1]!, active[2]!);
      documented.add(active[1]!);
      continue;
    }
    const commented = /^#\s?([A-Z][A-Z0-9_]*)=/.exec(line);
    if (commented) documented.add(commented[1]!);
  }
  return { set, documented };
}

// ---- what the roles load ---------------------------------------------------------------------------

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

function resolveModule(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), path.join(base, 'index.js')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Project files reachable by relative imports from the entry files (paths relative to ROOT). */
export function reachableFiles(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => path.join(ROOT, e));
  while (queue.length) {
    const file = queue.pop()!;
    const rel = path.relative(ROOT, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    if (!/\.(ts|js)$/.test(file)) continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = resolveModule(file, m[1]!);
      if (!target) throw new Error(`${rel}: cannot resolve ${m[1]}`);
      queue.push(target);
    }
  }
  return seen;
}

/** The process.env variables a set of files reads by name. */
export function envReads(files: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g)) names.add((m[1] ?? m[2])!);
  }
  return names;
}

/** The entry files of the image's roles and of its workflow bundle. */
export const ROLE_ENTRIES = ['src/api.ts', 'src/worker.ts', 'workflows/index.ts'];
