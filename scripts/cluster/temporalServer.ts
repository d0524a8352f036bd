// The Temporal server built by temporalBuild.ts, configured the way the temporalio/server image
// configures it: `temporal-server start` renders the server's own container config template from
// the environment, and the environment here is the compose `temporal` service's (DB, POSTGRES_*,
// NUM_HISTORY_SHARDS, DYNAMIC_CONFIG_FILE_PATH) with loopback addresses and this machine's ports.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DevServer } from '../../src/temporal/devServer';
import { stopChild, waitUntilServing } from '../../src/temporal/serverProcess';
import { ROOT, type Topology } from './topology';

/** Every port one single-process Temporal server listens on. */
export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export const TEMPORAL_PORT_NAMES: Array<keyof TemporalPorts> = [
  'frontend', 'frontendHttp', 'frontendMembership', 'history', 'historyMembership', 'matching', 'matchingMembership', 'worker', 'workerMembership',
];

export interface TemporalServerOptions {
  serverBin: string;
  topology: Topology;
  ports: TemporalPorts;
  db: { host: string; port: number; user: string; password: string };
  logFile: string;
  readyTimeoutMs?: number;
}

/** A running server; the same shape as the dev server, so test stacks take either. */
export type TemporalServer = DevServer;

/** The environment the compose `temporal` service gives the server image, for this machine. */
export function serverEnvironment(opts: Omit<TemporalServerOptions, 'serverBin' | 'logFile'>): Record<string, string> {
  const { topology: t, ports: p, db } = opts;
  return {
    // as in docker-compose.yml's `temporal` service
    DB: t.temporal.db,
    DB_PORT: String(db.port),
    POSTGRES_SEEDS: db.host,
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    NUM_HISTORY_SHARDS: String(t.temporal.historyShards),
    DYNAMIC_CONFIG_FILE_PATH: path.join(ROOT, t.temporal.dynamicConfig),
    // the config template reads the visibility store's port from its own variable (default 5432)
    VISIBILITY_DB_PORT: String(db.port),
    // loopback only, on this machine's free ports (the image's defaults are 7233, 7234 …)
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(p.frontend),
    FRONTEND_HTTP_PORT: String(p.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(p.frontendMembership),
    HISTORY_GRPC_PORT: String(p.history),
    HISTORY_MEMBERSHIP_PORT: String(p.historyMembership),
    MATCHING_GRPC_PORT: String(p.matching),
    MATCHING_MEMBERSHIP_PORT: String(p.matchingMembership),
    WORKER_GRPC_PORT: String(p.worker),
    WORKER_MEMBERSHIP_PORT: String(p.workerMembership),
    LOG_LEVEL: 'warn',
  };
}

export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = fs.openSync(opts.logFile, 'a');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...serverEnvironment(opts) };
  // The server's only configuration is the environment above: no config dir, no flags but this one
  // (no authorizer, as in the compose stack; the frontend is reachable on loopback only).
  const child = spawn(opts.serverBin, ['--allow-no-auth', 'start'], { env, cwd: path.dirname(opts.serverBin), stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const address = `127.0.0.1:${opts.ports.frontend}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // temporal-system answers once the frontend and the history shards behind it serve requests
    await waitUntilServing(address, 'temporal-system', exited, opts.readyTimeoutMs ?? 120_000, { name: 'Temporal server', logFile: opts.logFile });
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw err;
  }
  return {
    address,
    pid: child.pid!,
    stop: () => stopChild(child, 'SIGTERM'),
    kill: () => stopChild(child, 'SIGKILL'),
  };
}

