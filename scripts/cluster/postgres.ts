// A throwaway PostgreSQL cluster of Debian's server package: its own data dir (git-ignored), a
// loopback port, password authentication — never the system service. As root (CI, this machine)
// initdb and the server run as the `postgres` user the package created, since PostgreSQL refuses
// to run as root.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './topology';

export interface PostgresOptions {
  /** PostgreSQL major version (deploy/topology.json) */
  major: number;
  /** data dir; created with initdb when empty */
  dataDir: string;
  port: number;
  /** superuser the Temporal schema tool and server log in as */
  user: string;
  logFile: string;
}

export interface Postgres {
  host: string;
  port: number;
  user: string;
  password: string;
  pid: number;
  bindir: string;
  /** where the cluster's files are (see clusterPaths) */
  dataDir: string;
  stop(): Promise<void>;
  /** stops it and deletes its data: for throwaway clusters */
  destroy(): Promise<void>;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs the server package when missing (as root, from Debian); returns its bin dir. */
export function ensurePostgresServer(major: number): string {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'cluster', 'ensure-postgresql.sh'), String(major)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) throw new Error(`PostgreSQL ${major} server is not available (scripts/cluster/ensure-postgresql.sh failed)`);
  return r.stdout.trim().split('\n').pop()!;
}

/** Runs a PostgreSQL program as the user that owns the cluster. */
function pg(bindir: string, program: string, args: string[], opts: { timeoutMs?: number } = {}): { status: number | null; output: string } {
  const bin = path.join(bindir, program);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv as string[], { encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, cwd: '/' });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function chownToPostgres(target: string): void {
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', target]);
}

/** Whether the `postgres` user can reach a folder (every folder above it must let it through). */
function postgresCanReach(dir: string): boolean {
  return spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir], { cwd: '/' }).status === 0;
}

/**
 * Where the cluster's files go. As root, a checkout the `postgres` user cannot reach (one inside
 * root's private home folder, say) gets its cluster in a folder of the system's temporary space
 * named after the requested one instead, so initdb and the server can run as `postgres` at all.
 */
function clusterPaths(opts: PostgresOptions): { dataDir: string; logFile: string; fallbackHome?: string } {
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  if (!asRoot || (postgresCanReach(path.dirname(dataDir)) && postgresCanReach(path.dirname(opts.logFile)))) return { dataDir, logFile: opts.logFile };
  const home = path.join(os.tmpdir(), `after-hours-dispatch-pg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(home, 'FOR'), `${dataDir}\n`);
  console.error(`[postgresql] the postgres user cannot reach ${path.dirname(dataDir)}: the cluster lives in ${home}`);
  return { dataDir: path.join(home, 'postgresql'), logFile: path.join(home, 'postgresql.log'), fallbackHome: home };
}

/** Creates the cluster on first use, then starts it and waits until it accepts connections. */
export async function startPostgres(opts: PostgresOptions): Promise<Postgres> {
  const bindir = ensurePostgresServer(opts.major);
  const { dataDir, logFile, fallbackHome } = clusterPaths(opts);
  const passwordFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.password`);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    chownToPostgres(dataDir);
    chownToPostgres(passwordFile);
    const init = pg(bindir, 'initdb', ['-D', dataDir, '-U', opts.user, '--pwfile', passwordFile, '--auth', 'scram-sha-256', '-E', 'UTF8', '--locale', 'C.UTF-8']);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.output}`);
  } else {
    const version = fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim();
    if (version !== String(opts.major)) throw new Error(`${dataDir} holds a PostgreSQL ${version} cluster; deploy/topology.json pins ${opts.major}`);
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  // The log file must be writable by the server's user.
  fs.closeSync(fs.openSync(logFile, 'a'));
  chownToPostgres(logFile);

  // Loopback TCP only, no Unix socket (whose path would be the system service's).
  const serverOptions = `-p ${opts.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  const start = pg(bindir, 'pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '120', 'start'], { timeoutMs: 150_000 });
  if (start.status !== 0) throw new Error(`PostgreSQL did not start on 127.0.0.1:${opts.port}:\n${start.output}\n${tail(logFile)}`);
  const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const ready = pg(bindir, 'pg_isready', ['-h', '127.0.0.1', '-p', String(opts.port), '-t', '60']);
  if (ready.status !== 0) throw new Error(`PostgreSQL on 127.0.0.1:${opts.port} is not ready: ${ready.output}`);

  let stopped = false;
  const postgres: Postgres = {
    host: '127.0.0.1',
    port: opts.port,
    user: opts.user,
    password,
    pid,
    bindir,
    dataDir,
    async destroy() {
      await postgres.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(passwordFile, { force: true });
      if (fallbackHome) fs.rmSync(fallbackHome, { recursive: true, force: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const r = pg(bindir, 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], { timeoutMs: 90_000 });
      if (r.status !== 0 && isAlive(pid)) {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown of this cluster's postmaster, by its pid
        await waitGone(pid);
      }
    },
  };
  return postgres;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
