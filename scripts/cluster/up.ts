// `npm run cluster`: the production topology on this machine, no containers. PostgreSQL (Debian's
// package, a throwaway cluster in .data/cluster/), the Temporal server and its schema tool built at
// the pinned version, both schemas, the namespace and search attributes, then any number of APIs
// and workers of the product as their own processes (`npm run api` / `npm run worker`).
//
//   npm run cluster                          1 API, 2 workers (as docker-compose.yml)
//   npm run cluster -- --apis 2 --workers 3
//   npm run cluster -- --fresh               start from empty databases
//
// Without Twilio or Airtable credentials in the environment the roles use the local stand-ins (as
// `npm start` does): the Twilio stand-in's page on :4010 shows every phone. Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startAirtableEmulator } from '../../emulators/airtable';
import { startTwilioEmulator } from '../../emulators/twilio';
import { startCluster, freeClusterPorts, type Cluster, type ClusterPorts } from './cluster';
import { loadTopology, ROOT } from './topology';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ROLE_ENV, ROLE_NODE_FLAGS } = require('../run.cjs') as { ROLE_ENV: Record<string, string>; ROLE_NODE_FLAGS: Record<'api' | 'worker', string[]> };

class UsageError extends Error {}

const LOCAL_TWILIO = { accountSid: 'AC00000000000000000000000000000000', authToken: 'local-sandbox-auth-token', fromNumber: '+15005550006' };
const LOCAL_AIRTABLE = { apiKey: 'patLocalSandbox', baseId: 'appLocalDispatch' };

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 16) throw new UsageError(`${name} must be a whole number from 1 to 16 (got "${raw}")`);
  return Number(raw);
}

function portVar(name: string, fallback: number, max = 65535): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new UsageError(`Configuration error: ${name} must be a port number up to ${max} (got "${raw}")`);
  return Number(raw);
}

function parseArgs(argv: string[]): { apis: number; workers: number; fresh: boolean } {
  const topology = loadTopology();
  const flags = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--fresh') flags.set('fresh', '');
    else if (arg === '--apis' || arg === '--workers') flags.set(arg.slice(2), argv[++i]);
    else if (/^--(apis|workers)=/.test(arg)) flags.set(arg.slice(2, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1));
    else throw new UsageError(`unknown argument ${arg} (usage: npm run cluster -- [--apis N] [--workers N] [--fresh])`);
  }
  return {
    apis: count('--apis', flags.get('apis'), 1),
    workers: count('--workers', flags.get('workers'), topology.worker.replicas),
    fresh: flags.has('fresh'),
  };
}

/** Ports chosen on the first start are kept with the data, so the server comes back where it was. */
async function clusterPorts(dataDir: string, frontend: number): Promise<ClusterPorts> {
  const file = path.join(dataDir, 'ports.json');
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterPorts;
    if (saved.frontend === frontend) return saved;
  } catch {
    // first start
  }
  const ports = await freeClusterPorts({ frontend });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
  return ports;
}

function startRole(role: 'api' | 'worker', name: string, env: Record<string, string>, logDir: string): { child: ChildProcess; ready: Promise<void> } {
  const log = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, [...ROLE_NODE_FLAGS[role], '--import', 'tsx', path.join('src', `${role}.ts`)], {
    cwd: ROOT,
    env: { ...process.env, ...ROLE_ENV, ...env, DISPATCH_ROLE: role },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const pattern = role === 'api' ? /API listening/ : /workers polling/;
    let seen = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      seen = (seen + chunk.toString()).slice(-4000);
      if (pattern.test(seen)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      log.end();
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${seen.split('\n').slice(-5).join('\n')}`));
    });
  });
  return { child, ready };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM'); // the roles drain on SIGTERM (workers: 20 s shutdown grace)
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await gone;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const topology = loadTopology();
  const args = parseArgs(process.argv.slice(2));
  // Temporal stores its ports in PostgreSQL as smallint: below 32768.
  const frontend = portVar('CLUSTER_TEMPORAL_PORT', topology.temporal.frontendPort, 32767);
  const apiPort = portVar('CLUSTER_API_PORT', topology.api.port);
  const dataDir = path.join(ROOT, '.data', 'cluster');
  if (args.fresh) fs.rmSync(dataDir, { recursive: true, force: true });
  const ports = await clusterPorts(dataDir, frontend);

  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch((err) => console.error(String(err)));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (err) => {
      console.error(err);
      void stopAll(1);
    });
  }

  try {
    const cluster: Cluster = await startCluster({ dataDir, ports });
    stops.push(() => cluster.stop());
    const logDir = cluster.logDir;

    const env: Record<string, string> = { TEMPORAL_ADDRESS: cluster.temporal.address, TEMPORAL_NAMESPACE: cluster.namespace };
    const apiUrls = Array.from({ length: args.apis }, (_, i) => `http://127.0.0.1:${apiPort + i}`);
    if (!process.env.TWILIO_ACCOUNT_SID && !process.env.TWILIO_AUTH_TOKEN && !process.env.TWILIO_FROM_NUMBER) {
      const twilio = await startTwilioEmulator({
        port: portVar('TWILIO_EMULATOR_PORT', 4010),
        ...{ accountSid: LOCAL_TWILIO.accountSid, authToken: LOCAL_TWILIO.authToken, ourNumber: LOCAL_TWILIO.fromNumber },
        appBaseUrl: apiUrls[0]!,
        publicBaseUrl: process.env.PUBLIC_BASE_URL ?? apiUrls[0]!,
      });
      stops.push(() => twilio.close());
      Object.assign(env, { TWILIO_ACCOUNT_SID: LOCAL_TWILIO.accountSid, TWILIO_AUTH_TOKEN: LOCAL_TWILIO.authToken, TWILIO_FROM_NUMBER: LOCAL_TWILIO.fromNumber, TWILIO_API_BASE_URL: twilio.url });
      console.error(`[cluster] no Twilio credentials: Twilio stand-in on ${twilio.url} (its page shows the phones)`);
    }
    if (!process.env.AIRTABLE_API_KEY && !process.env.AIRTABLE_BASE_ID) {
      const airtable = await startAirtableEmulator({ port: portVar('AIRTABLE_EMULATOR_PORT', 4020), ...LOCAL_AIRTABLE, dataFile: path.join(dataDir, 'airtable.json') });
      stops.push(() => airtable.close());
      Object.assign(env, { AIRTABLE_API_KEY: LOCAL_AIRTABLE.apiKey, AIRTABLE_BASE_ID: LOCAL_AIRTABLE.baseId, AIRTABLE_ENDPOINT_URL: airtable.url });
      // The local tables start without technicians: page the example roster, as `npm start` does.
      if (!process.env.ROSTER_FILE) env.ROSTER_FILE = path.join(ROOT, 'config', 'roster.example.json');
      console.error(`[cluster] no Airtable credentials: local tables on ${airtable.url}, roster ${path.relative(ROOT, env.ROSTER_FILE ?? process.env.ROSTER_FILE!)}`);
    }
    if (!process.env.DISPATCH_API_KEY) {
      env.DISPATCH_API_KEY = 'local-dispatch-key';
      console.error('[cluster] DISPATCH_API_KEY is not set: the APIs accept the local key local-dispatch-key');
    }
    if (!process.env.PUBLIC_BASE_URL) env.PUBLIC_BASE_URL = apiUrls[0]!;

    const roles = [
      ...Array.from({ length: args.workers }, (_, i) => startRole('worker', `worker-${i + 1}`, env, logDir)),
      ...apiUrls.map((url, i) => startRole('api', `api-${i + 1}`, { ...env, PORT: new URL(url).port }, logDir)),
    ];
    for (const { child } of roles) stops.push(() => stopChild(child));
    await Promise.all(roles.map((r) => r.ready));
    for (const { child } of roles) child.once('exit', (code) => !stopping && console.error(`[cluster] a role process (pid ${child.pid}) exited with code ${code}; see ${logDir}`));

    console.log(
      [
        '',
        `Production topology running (Temporal ${cluster.build.version} on PostgreSQL ${topology.postgresql.major}):`,
        `  PostgreSQL        127.0.0.1:${cluster.postgres.port}   pid ${cluster.postgres.pid}   data ${path.relative(ROOT, dataDir)}/postgresql`,
        `  Temporal server   ${cluster.temporal.address}   pid ${cluster.temporal.pid}   namespace ${cluster.namespace}`,
        ...apiUrls.map((url, i) => `  api ${i + 1}             ${url}   pid ${roles[args.workers + i]!.child.pid}`),
        ...Array.from({ length: args.workers }, (_, i) => `  worker ${i + 1}          pid ${roles[i]!.child.pid}`),
        `  logs              ${path.relative(ROOT, logDir)}/`,
        '',
        `  temporal workflow list --address ${cluster.temporal.address} --query "DispatchStatus = 'PAGING'"`,
        '',
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    await stopAll(1);
  }
}

main().catch((err) => {
  console.error(err instanceof UsageError ? err.message : err);
  process.exit(1);
});
