// deploy/topology.json is the one place docker-compose.yml and `npm run cluster` take versions,
// ports, the history shard count, the databases and the dynamic config from; the search attributes
// both register are src/contract/searchAttributes.ts. This fails when the compose file (as resolved
// by a real Compose implementation) or the compose one-shot scripts say otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { searchAttributeArgs } from '../../scripts/cluster/cluster';
import { serverEnvironment } from '../../scripts/cluster/temporalServer';
import { loadTopology, type Topology } from '../../scripts/cluster/topology';
import { composeConfig, findValidator, ROOT, services, type Service, type Validator } from './compose';

const COMPOSE_TEXT = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const ENV_EXAMPLE = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const topology = loadTopology();

/** The compose stack's differences from the topology, one line each; [] when they agree. */
function drift(stack: Map<string, Service>, t: Topology): string[] {
  const out: string[] = [];
  const svc = (name: string) => stack.get(name) ?? ({ name, command: [], entrypoint: [], environment: {}, dependsOn: {}, ports: [], volumes: [], replicas: 0 } as unknown as Service);
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) out.push(`${what}: compose has ${JSON.stringify(actual)}, topology ${JSON.stringify(expected)}`);
  };
  const temporal = svc('temporal');
  same('temporal image', temporal.image, `temporalio/server:${t.temporal.version}`);
  same('temporal-schema image', svc('temporal-schema').image, `temporalio/admin-tools:${t.temporal.version}`);
  same('temporal-setup image', svc('temporal-setup').image, `temporalio/admin-tools:${t.temporal.version}`);
  same('temporal-ui image', svc('temporal-ui').image, `temporalio/ui:${t.temporalUi.version}`);
  same('postgresql image', svc('postgresql').image, t.postgresql.image);
  same('postgresql user', svc('postgresql').environment.POSTGRES_USER, t.postgresql.user);

  same('temporal DB', temporal.environment.DB, t.temporal.db);
  same('temporal NUM_HISTORY_SHARDS', temporal.environment.NUM_HISTORY_SHARDS, String(t.temporal.historyShards));
  same('temporal DB_PORT', temporal.environment.DB_PORT, String(t.postgresql.port));
  same('temporal POSTGRES_USER', temporal.environment.POSTGRES_USER, t.postgresql.user);
  same('temporal-schema DB_PORT', svc('temporal-schema').environment.DB_PORT, String(t.postgresql.port));
  same('temporal-schema POSTGRES_USER', svc('temporal-schema').environment.POSTGRES_USER, t.postgresql.user);
  const frontend = temporal.ports.find((p) => p.target === t.temporal.frontendPort);
  same('temporal published frontend port', frontend && [frontend.hostIp, frontend.published], ['127.0.0.1', t.temporal.frontendPort]);
  for (const name of ['api', 'worker', 'temporal-ui']) same(`${name} TEMPORAL_ADDRESS`, svc(name).environment.TEMPORAL_ADDRESS, `temporal:${t.temporal.frontendPort}`);
  same('temporal-setup TEMPORAL_ADDRESS', svc('temporal-setup').environment.TEMPORAL_ADDRESS, `temporal:${t.temporal.frontendPort}`);

  const dyn = temporal.volumes.find((v) => v.target === temporal.environment.DYNAMIC_CONFIG_FILE_PATH);
  same('temporal dynamic config mount', dyn?.source, `<project>/${t.temporal.dynamicConfig}`);

  same('temporal-setup NAMESPACE', svc('temporal-setup').environment.NAMESPACE, t.temporal.namespace);
  same('temporal-setup NAMESPACE_RETENTION', svc('temporal-setup').environment.NAMESPACE_RETENTION, t.temporal.namespaceRetention);
  same('temporal-setup search attributes', svc('temporal-setup').command, searchAttributeArgs());

  const ui = svc('temporal-ui').ports.find((p) => p.target === 8080);
  same('temporal-ui published port', ui?.published, t.temporalUi.port);
  same('api PORT', svc('api').environment.PORT, String(t.api.port));
  same('api container port', svc('api').ports.map((p) => p.target), [t.api.port]);
  same('worker WORKER_METRICS_PORT', svc('worker').environment.WORKER_METRICS_PORT, String(t.worker.metricsPort));
  same('worker replicas', svc('worker').replicas, t.worker.replicas);
  return out;
}

let validator: Validator | undefined;
let stack: Map<string, Service> | undefined;

beforeAll(() => {
  validator = findValidator();
  if (!validator) return;
  const run = composeConfig(validator, COMPOSE_TEXT, ENV_EXAMPLE);
  if (run.ok) stack = services(run.model);
}, 120_000);

describe('deploy/topology.json and docker-compose.yml', () => {
  it('agree on versions, ports, shards, databases, dynamic config and search attributes', () => {
    expect(stack, 'docker compose config must accept docker-compose.yml (see compose.test.ts)').toBeDefined();
    expect(drift(stack!, topology)).toEqual([]);
  });

  it('and a compose file that drifts from it is caught (so an agreement means something)', () => {
    expect(validator).toBeDefined();
    const edits: Array<[string, string, RegExp]> = [
      [`temporalio/server:${topology.temporal.version}`, 'temporalio/server:1.31.0', /temporal image/],
      [`NUM_HISTORY_SHARDS: "${topology.temporal.historyShards}"`, 'NUM_HISTORY_SHARDS: "512"', /NUM_HISTORY_SHARDS/],
      ['      - DispatchCallerPhone\n', '      - DispatchCaller\n', /search attributes/],
      ['./deploy/temporal/dynamicconfig.yaml:', './deploy/temporal/other.yaml:', /dynamic config/],
    ];
    for (const [from, to, complaint] of edits) {
      expect(COMPOSE_TEXT.includes(from), from).toBe(true);
      const run = composeConfig(validator!, COMPOSE_TEXT.replace(from, to), ENV_EXAMPLE);
      expect(run.ok, run.output).toBe(true);
      expect(drift(services(run.model), topology).join('\n')).toMatch(complaint);
    }
  });

  it('the compose schema one-shot uses the topology databases and persistence plugin', () => {
    const script = fs.readFileSync(path.join(ROOT, 'deploy', 'temporal', 'setup-schema.sh'), 'utf8');
    expect(script).toContain(`: "\${DBNAME:=${topology.postgresql.database}}"`);
    expect(script).toContain(`: "\${VISIBILITY_DBNAME:=${topology.postgresql.visibilityDatabase}}"`);
    expect(script).toContain(`--plugin ${topology.temporal.db} `);
  });

  it('the local server gets every variable the compose temporal service sets, with the topology values', () => {
    expect(stack).toBeDefined();
    const local = serverEnvironment({ topology, ports: { frontend: 1, frontendHttp: 2, frontendMembership: 3, history: 4, historyMembership: 5, matching: 6, matchingMembership: 7, worker: 8, workerMembership: 9 }, db: { host: '127.0.0.1', port: 5999, user: topology.postgresql.user, password: 'x' } });
    const compose = stack!.get('temporal')!.environment;
    expect(Object.keys(compose).filter((k) => !(k in local))).toEqual([]);
    for (const k of ['DB', 'NUM_HISTORY_SHARDS', 'POSTGRES_USER']) expect(local[k], k).toBe(compose[k]);
    expect(local.DYNAMIC_CONFIG_FILE_PATH).toBe(path.join(ROOT, topology.temporal.dynamicConfig));
  });
});
