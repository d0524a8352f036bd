// The compose stack's Temporal half on this machine, without containers: PostgreSQL, the schema
// one-shot (deploy/temporal/setup-schema.sh), the Temporal server, and the namespace one-shot
// (deploy/temporal/setup-namespace.sh) registering the product's search attributes. Versions and
// the dynamic config come from deploy/topology.json, like docker-compose.yml's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/contract/searchAttributes';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { startPostgres, type Postgres } from './postgres';
import { ensureTemporalServer, type TemporalServerBuild } from './temporalBuild';
import { startTemporalServer, TEMPORAL_PORT_NAMES, type TemporalPorts, type TemporalServer } from './temporalServer';
import { loadTopology, ROOT, type Topology } from './topology';

export interface ClusterPorts extends TemporalPorts {
  postgres: number;
}

export interface ClusterOptions {
  /** holds the PostgreSQL data dir, its password and the logs */
  dataDir: string;
  ports: ClusterPorts;
  log?: (line: string) => void;
}

export interface Cluster {
  topology: Topology;
  build: TemporalServerBuild;
  postgres: Postgres;
  /** the running server; replaced by restartTemporal() */
  temporal: TemporalServer;
  ports: ClusterPorts;
  namespace: string;
  logDir: string;
  /** stops the Temporal server (SIGTERM) and starts it again on the same database and ports */
  restartTemporal(): Promise<TemporalServer>;
  startTemporal(): Promise<TemporalServer>;
  stop(): Promise<void>;
  /** stops everything and deletes the databases (logs stay): for throwaway clusters */
  destroy(): Promise<void>;
}

/** `temporal operator search-attribute create` arguments, from the product's one list. */
export function searchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--name', name, '--type', type]);
}

/** Runs one of the compose one-shot scripts of deploy/temporal/ with this machine's tools. */
function runScript(script: string, args: string[], env: Record<string, string>, logFile: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'a');
    const child = spawn('/bin/sh', [path.join(ROOT, 'deploy', 'temporal', script), ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
        reject(new Error(`deploy/temporal/${script} failed (${signal ?? `exit ${code}`}):\n${tail}`));
      }
    });
  });
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? ((line: string) => console.error(`[cluster] ${line}`));
  const topology = loadTopology();
  const logDir = path.join(opts.dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const cli = ensureTemporalCli((m) => log(`temporal cli: ${m}`));
  if (!cli) throw new Error('no Temporal CLI for the namespace setup (src/temporal/cli.ts could not install one)');
  const build = await ensureTemporalServer((l) => log(`build: ${l}`));
  log(`Temporal server ${build.version} (${path.relative(ROOT, build.server)})`);

  const postgres = await startPostgres({
    major: topology.postgresql.major,
    dataDir: path.join(opts.dataDir, 'postgresql'),
    port: opts.ports.postgres,
    user: topology.postgresql.user,
    logFile: path.join(logDir, 'postgresql.log'),
  });
  log(`PostgreSQL ${topology.postgresql.major} on 127.0.0.1:${postgres.port} (pid ${postgres.pid})`);
  let temporal: TemporalServer | undefined;
  try {
    // As the temporal-schema service does: both databases, both schemas, migrated to this version.
    await runScript('setup-schema.sh', [], {
      PATH: `${path.dirname(build.sqlTool)}${path.delimiter}${postgres.bindir}${path.delimiter}${process.env.PATH}`,
      POSTGRES_SEEDS: postgres.host,
      DB_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PWD: postgres.password,
      DBNAME: topology.postgresql.database,
      VISIBILITY_DBNAME: topology.postgresql.visibilityDatabase,
      SCHEMA_ROOT: path.join(build.schemaRoot, 'postgresql', 'v12'),
    }, path.join(logDir, 'setup-schema.log'), 10 * 60_000);
    log('schemas of both databases are up to date');

    const startTemporal = async (): Promise<TemporalServer> => {
      temporal = await startTemporalServer({
        serverBin: build.server,
        topology,
        ports: opts.ports,
        db: postgres,
        logFile: path.join(logDir, 'temporal.log'),
      });
      return temporal;
    };
    await startTemporal();
    log(`Temporal server on ${temporal!.address} (pid ${temporal!.pid})`);

    // As the temporal-setup service does: the namespace and the product's search attributes,
    // finished only once every attribute can be used in a visibility query.
    await runScript('setup-namespace.sh', searchAttributeArgs(), {
      TEMPORAL_CLI: cli.path,
      TEMPORAL_ADDRESS: temporal!.address,
      NAMESPACE: topology.temporal.namespace,
      NAMESPACE_RETENTION: topology.temporal.namespaceRetention,
    }, path.join(logDir, 'setup-namespace.log'), 10 * 60_000);
    log(`namespace ${topology.temporal.namespace} has the search attributes ${Object.keys(SEARCH_ATTRIBUTES).join(', ')}`);

    const cluster: Cluster = {
      topology,
      build,
      postgres,
      get temporal() {
        return temporal!;
      },
      set temporal(server: TemporalServer) {
        temporal = server;
      },
      ports: opts.ports,
      namespace: topology.temporal.namespace,
      logDir,
      startTemporal,
      async restartTemporal() {
        await temporal?.stop();
        return startTemporal();
      },
      async stop() {
        await temporal?.stop();
        await postgres.stop();
      },
      async destroy() {
        await temporal?.stop();
        await postgres.destroy();
      },
    };
    return cluster;
  } catch (err) {
    await temporal?.stop();
    await postgres.stop();
    throw err;
  }
}

/** Whether nothing listens on 127.0.0.1:port right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port below 32768. Temporal keeps its services' ports in PostgreSQL as smallint
 * (cluster membership), so the kernel's ephemeral ports (32768 and up) would not fit.
 */
export async function freePort(taken: Set<number> = new Set()): Promise<number> {
  for (let tries = 0; tries < 1000; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await isFree(port))) return port;
  }
  throw new Error('no free loopback port between 20000 and 32000');
}

/** Free loopback ports for everything the cluster listens on, but those given. */
export async function freeClusterPorts(fixed: Partial<ClusterPorts> = {}): Promise<ClusterPorts> {
  const ports: Partial<ClusterPorts> = { ...fixed };
  const taken = new Set(Object.values(fixed));
  for (const name of ['postgres', ...TEMPORAL_PORT_NAMES] as Array<keyof ClusterPorts>) {
    if (ports[name] !== undefined) continue;
    ports[name] = await freePort(taken);
    taken.add(ports[name]!);
  }
  return ports as ClusterPorts;
}
