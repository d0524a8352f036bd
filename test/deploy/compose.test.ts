// docker-compose.yml, checked by a real Compose implementation (`config`, no Docker engine needed:
// scripts/ensure-compose-validator.sh provides one) and then structurally: the stack the spec asks
// for (section 8), search attributes equal to the code's, and api/worker environments that satisfy
// what the roles require at start-up (src/config.ts).
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRequirements, ConfigError, loadConfig, workerRequirements } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/contract/searchAttributes';
import { ROLE_NODE_FLAGS } from '../support/paths';
import { composeConfig, envReads, findValidator, reachableFiles, readDotenv, ROLE_ENTRIES, ROOT, services, type Service, type Validator } from './compose';

const COMPOSE_TEXT = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const ENV_EXAMPLE = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');

/** What an operator puts in the REQUIRED (blank) lines of .env.example; valid for src/config.ts. */
const OPERATOR_VALUES: Record<string, string> = {
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_AUTH_TOKEN: 'test-auth-token',
  TWILIO_FROM_NUMBER: '+15005550006',
  AIRTABLE_API_KEY: 'patTestToken.0123',
  AIRTABLE_BASE_ID: 'appTestBase0123',
  DISPATCH_API_KEY: 'test-dispatch-key-0123456789abcdef',
};

const SERVICES = ['postgresql', 'temporal-schema', 'temporal', 'temporal-setup', 'temporal-ui', 'api', 'worker'];

let validator: Validator | undefined;
let stack: Map<string, Service> | undefined;
let configError = '';

function service(name: string): Service {
  if (!validator) throw new Error('no Docker Compose implementation: run scripts/ensure-compose-validator.sh');
  if (!stack) throw new Error(`docker compose config rejected docker-compose.yml:\n${configError}`);
  const s = stack.get(name);
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

/** The role's environment with the operator's values in the blank lines. */
function filled(env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  for (const [k, v] of Object.entries(out)) {
    if (v !== '') continue;
    const value = OPERATOR_VALUES[k];
    if (value === undefined) throw new Error(`${k} is blank in .env.example: add a test value for it to OPERATOR_VALUES`);
    out[k] = value;
  }
  return out;
}

function requirementFailure(role: 'api' | 'worker', env: Record<string, string>): string | undefined {
  try {
    const config = loadConfig(env);
    if (role === 'api') apiRequirements(config);
    else workerRequirements(config);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err.variable;
    throw err;
  }
}

beforeAll(() => {
  validator = findValidator();
  if (!validator) return;
  const run = composeConfig(validator, COMPOSE_TEXT, ENV_EXAMPLE);
  if (run.ok) stack = services(run.model);
  else configError = run.output;
}, 120_000);

describe('docker-compose.yml, validated by Docker Compose', () => {
  it('has a Compose implementation to validate with (scripts/ensure-compose-validator.sh)', () => {
    expect(validator, 'no `docker compose` or `docker-compose` found: run scripts/ensure-compose-validator.sh').toBeDefined();
  });

  it('passes `config` with .env made from .env.example', () => {
    expect(validator).toBeDefined();
    expect(configError).toBe('');
    expect(stack).toBeDefined();
  });

  it('and the validator does reject a broken file (so a pass means something)', () => {
    expect(validator).toBeDefined();
    const broken = COMPOSE_TEXT.replace('condition: service_completed_successfully', 'condition: service_finished');
    expect(broken).not.toBe(COMPOSE_TEXT);
    expect(composeConfig(validator!, broken, ENV_EXAMPLE).ok).toBe(false);
    const typo = COMPOSE_TEXT.replace('    healthcheck:\n', '    healthchek:\n');
    expect(composeConfig(validator!, typo, ENV_EXAMPLE).ok).toBe(false);
  });
});

describe('the stack', () => {
  it('runs PostgreSQL, schema setup, Temporal, its setup, the Web UI, the api and the worker', () => {
    for (const name of SERVICES) expect(service(name).name).toBe(name);
  });

  it('pins every image to a version', () => {
    for (const s of stack?.values() ?? []) {
      if (!s.image) continue;
      expect(s.image, s.name).toMatch(/:[^:@]*\d[^:@]*(@sha256:[0-9a-f]{64})?$/);
      expect(s.image, s.name).not.toMatch(/:latest\b/);
    }
    expect(service('postgresql').image).toMatch(/^postgres:/);
    expect(service('temporal').image).toMatch(/^temporalio\/server:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    // The schema the admin tools apply must be the one the server expects.
    const version = service('temporal').image!.split(':')[1];
    expect(service('temporal-schema').image).toBe(`temporalio/admin-tools:${version}`);
    expect(service('temporal-setup').image).toBe(`temporalio/admin-tools:${version}`);
  });

  it('has PostgreSQL healthy before the schema setup, and the schema in place before Temporal', () => {
    expect(service('postgresql').healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    expect(service('temporal-schema').dependsOn.postgresql).toBe('service_healthy');
    expect(service('temporal').dependsOn['temporal-schema']).toBe('service_completed_successfully');
    expect(service('temporal').healthcheck).toBeDefined();
  });

  it('mounts the one-shot scripts it runs and the server dynamic config', () => {
    for (const name of ['temporal-schema', 'temporal-setup']) {
      const s = service(name);
      const script = s.entrypoint.find((a) => a.endsWith('.sh'));
      expect(script, name).toBeDefined();
      const mount = s.volumes.find((v) => script!.startsWith(`${v.target}/`));
      expect(mount, `${name}: ${script} is not under a mounted folder`).toBeDefined();
      const hostPath = path.join(ROOT, path.relative('<project>', mount!.source), script!.slice(mount!.target.length));
      expect(fs.existsSync(hostPath), `${name}: ${hostPath}`).toBe(true);
    }
    const temporal = service('temporal');
    const dyn = temporal.volumes.find((v) => v.target === temporal.environment.DYNAMIC_CONFIG_FILE_PATH);
    expect(dyn, 'DYNAMIC_CONFIG_FILE_PATH is not a mounted file').toBeDefined();
    expect(fs.existsSync(path.join(ROOT, path.relative('<project>', dyn!.source)))).toBe(true);
  });

  it('serves the Temporal Web UI on port 8233', () => {
    const ui = service('temporal-ui');
    expect(ui.ports).toContainEqual(expect.objectContaining({ published: 8233, target: 8080 }));
    expect(ui.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(ui.dependsOn.temporal).toBe('service_healthy');
  });
});

describe('custom search attributes', () => {
  it('are registered by a one-shot admin-tools service once Temporal is healthy', () => {
    const setup = service('temporal-setup');
    expect(setup.dependsOn.temporal).toBe('service_healthy');
    expect(setup.restart).toMatch(/^(no|on-failure.*)$/);
    const script = fs.readFileSync(path.join(ROOT, 'deploy', 'temporal', 'setup-namespace.sh'), 'utf8');
    expect(script).toMatch(/operator search-attribute create --namespace "\$NAMESPACE" "\$@"/);
  });

  it('are exactly SEARCH_ATTRIBUTES of src/temporal/searchAttributes.ts, with their types', () => {
    const args = service('temporal-setup').command;
    const registered: Record<string, string> = {};
    for (let i = 0; i < args.length; i += 4) {
      expect([args[i], args[i + 2]]).toEqual(['--name', '--type']);
      registered[args[i + 1]!] = args[i + 3]!;
    }
    expect(registered).toEqual(SEARCH_ATTRIBUTES);
  });

  it('are the same in every registration command docs/deploy.md gives', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /search-attribute/.test(b));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) {
      const listed: Record<string, string> = {};
      for (const m of block.matchAll(/--name (\w+) --type (\w+)|--sa (\w+)=(\w+)/g)) listed[(m[1] ?? m[3])!] = (m[2] ?? m[4])!;
      expect(listed, block).toEqual(SEARCH_ATTRIBUTES);
    }
  });

  it('go into the namespace the api and worker use', () => {
    const ns = (s: Service) => s.environment.TEMPORAL_NAMESPACE || 'default';
    expect(service('temporal-setup').environment.NAMESPACE).toBe(ns(service('api')));
    expect(ns(service('worker'))).toBe(ns(service('api')));
    expect(service('temporal-ui').environment.TEMPORAL_DEFAULT_NAMESPACE).toBe(ns(service('api')));
  });
});

describe('api and worker', () => {
  it('are built from the project Dockerfile and run their role', () => {
    for (const [name, entry] of [['api', 'src/api.ts'], ['worker', 'src/worker.ts']] as const) {
      const s = service(name);
      expect(s.build?.context, name).toBe('<project>');
      expect(s.build?.dockerfile, name).toBe('Dockerfile');
      // node itself (signals reach it), through the launcher that runs the compiled build
      expect(s.command, name).toEqual(['node', ...ROLE_NODE_FLAGS[name], 'scripts/run.cjs', name]);
      expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
    }
  });

  it('start after Temporal is healthy and the search attributes are registered', () => {
    for (const name of ['api', 'worker']) {
      expect(service(name).dependsOn.temporal, name).toBe('service_healthy');
      expect(service(name).dependsOn['temporal-setup'], name).toBe('service_completed_successfully');
    }
  });

  it('reach Temporal at temporal:7233', () => {
    expect(service('api').environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(service('worker').environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('runs the api on port 3000 with a /health healthcheck', () => {
    const api = service('api');
    expect(api.environment.PORT ?? '3000').toBe('3000');
    expect(api.ports).toContainEqual(expect.objectContaining({ target: 3000 }));
    expect(api.healthcheck?.test.join(' ')).toMatch(/127\.0\.0\.1:3000\/health\b/);
  });

  it('runs two workers, each with a healthcheck on its metrics endpoint', () => {
    const worker = service('worker');
    expect(worker.replicas).toBe(2);
    const port = worker.environment.WORKER_METRICS_PORT;
    expect(port).toMatch(/^\d+$/);
    expect(worker.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/metrics`);
  });

  it('gives workers time to finish in-flight activities (20 s shutdown grace) before SIGKILL', () => {
    expect(service('worker').stopGraceMs).toBeGreaterThanOrEqual(25_000);
    expect(service('api').stopGraceMs).toBeGreaterThanOrEqual(10_000);
  });

  it('a fresh copy of .env.example stops each role naming a missing variable', () => {
    expect(requirementFailure('api', service('api').environment)).toBeDefined();
    expect(requirementFailure('worker', service('worker').environment)).toBeDefined();
  });

  it('once the REQUIRED lines are filled, each role has every variable it requires', () => {
    for (const role of ['api', 'worker'] as const) {
      const env = filled(service(role).environment);
      expect(requirementFailure(role, env), role).toBeUndefined();
      expect(loadConfig(env).temporal.address).toBe('temporal:7233');
    }
  });

  it('and every REQUIRED line is really required by the api or the worker', () => {
    const blanks = [...readDotenv(ENV_EXAMPLE).set].filter(([, v]) => v === '').map(([k]) => k);
    expect(blanks.length).toBeGreaterThan(0);
    for (const name of [...blanks, 'TEMPORAL_ADDRESS']) {
      const failures = (['api', 'worker'] as const).map((role) => {
        const env = filled(service(role).environment);
        delete env[name];
        return requirementFailure(role, env);
      });
      expect(failures.some(Boolean), `${name} is marked REQUIRED but neither role needs it`).toBe(true);
    }
  });
});

describe('.env.example', () => {
  /** Every variable loadConfig reads, found by letting it read from a recording environment. */
  function variablesConfigReads(): Set<string> {
    const seen = new Set<string>();
    for (const values of [{}, OPERATOR_VALUES]) {
      const env = new Proxy({ ...values } as Record<string, string | undefined>, {
        get(target, key) {
          if (typeof key === 'string') seen.add(key);
          return target[key as string];
        },
      });
      loadConfig(env);
    }
    return seen;
  }

  it('documents every variable of src/config.ts', () => {
    const read = variablesConfigReads();
    expect(read.size).toBeGreaterThan(25);
    const { documented } = readDotenv(ENV_EXAMPLE);
    const missing = [...read].filter((v) => !documented.has(v));
    expect(missing, 'variables src/config.ts reads that .env.example does not mention').toEqual([]);
  });

  it('documents, or the image and compose set, every other variable the roles read', () => {
    const read = envReads(reachableFiles(ROLE_ENTRIES));
    expect(read.has('DISPATCH_ROLE')).toBe(true);
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const { documented } = readDotenv(ENV_EXAMPLE);
    const provided = (v: string) =>
      documented.has(v) || new RegExp(`\\b${v}=`).test(dockerfile) || ['api', 'worker'].every((r) => v in service(r).environment);
    const system = new Set(['PATH', 'HOME', 'NODE_ENV']);
    expect([...read].filter((v) => !system.has(v) && !provided(v))).toEqual([]);
  });

  it('holds no secret', () => {
    for (const [k, v] of readDotenv(ENV_EXAMPLE).set) {
      if (/(KEY|TOKEN|SECRET|PASSWORD|SID)$/.test(k)) expect(v, k).toBe('');
    }
  });

  it('has no quotes or trailing comments, which Compose v1 and v2 read differently', () => {
    for (const [k, v] of readDotenv(ENV_EXAMPLE).set) {
      expect(v, k).not.toMatch(/["']|\s#/);
    }
  });
});
