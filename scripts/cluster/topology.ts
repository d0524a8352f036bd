// The production topology's pinned facts, read from deploy/topology.json: the one place both
// docker-compose.yml and `npm run cluster` take versions, ports, the database layout and the dynamic
// config from. test/deploy/topology.test.ts fails when docker-compose.yml says otherwise; the search
// attributes come from src/contract/searchAttributes.ts for both.
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TOPOLOGY_FILE = path.join(ROOT, 'deploy', 'topology.json');
/** Git-ignored: binaries built here (never committed). */
export const TOOLS_DIR = path.join(ROOT, '.tools', 'temporal-server');

export interface Topology {
  temporal: {
    /** temporalio/server and temporalio/admin-tools image tag; go.temporal.io/server module version */
    version: string;
    /** Go toolchain the server is built with (the module's go line may require a newer one than is installed) */
    goToolchain: string;
    /** persistence plugin, compose `DB` */
    db: string;
    historyShards: number;
    frontendPort: number;
    /** relative to the project root; mounted by compose, passed to the local server */
    dynamicConfig: string;
    namespace: string;
    namespaceRetention: string;
  };
  temporalUi: { version: string; port: number };
  postgresql: { major: number; image: string; port: number; user: string; database: string; visibilityDatabase: string };
  api: { port: number };
  worker: { replicas: number; metricsPort: number };
}

function fail(what: string): never {
  throw new Error(`deploy/topology.json: ${what}`);
}

export function loadTopology(file = TOPOLOGY_FILE): Topology {
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as Topology;
  if (!/^\d+\.\d+\.\d+$/.test(t.temporal?.version ?? '')) fail('temporal.version must be x.y.z');
  if (!/^go\d+\.\d+(\.\d+)?$/.test(t.temporal.goToolchain ?? '')) fail('temporal.goToolchain must be like go1.27.3');
  if (!Number.isInteger(t.temporal.historyShards) || t.temporal.historyShards < 1) fail('temporal.historyShards must be a positive integer');
  if (!fs.existsSync(path.join(ROOT, t.temporal.dynamicConfig))) fail(`temporal.dynamicConfig ${t.temporal.dynamicConfig} does not exist`);
  if (!Number.isInteger(t.postgresql?.major)) fail('postgresql.major must be an integer');
  if (!t.postgresql.image.startsWith(`postgres:${t.postgresql.major}.`)) fail(`postgresql.image must be a postgres:${t.postgresql.major}.x tag`);
  for (const [name, port] of Object.entries({
    'temporal.frontendPort': t.temporal.frontendPort,
    'temporalUi.port': t.temporalUi?.port,
    'postgresql.port': t.postgresql.port,
    'api.port': t.api?.port,
    'worker.metricsPort': t.worker?.metricsPort,
  })) {
    if (!Number.isInteger(port) || port! < 1 || port! > 65535) fail(`${name} must be a port number`);
  }
  // Temporal keeps its services' ports in PostgreSQL as smallint.
  if (t.temporal.frontendPort > 32767) fail('temporal.frontendPort must be below 32768');
  return t;
}
