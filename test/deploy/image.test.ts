// The Dockerfile cannot be built here (no Docker engine), so this checks what a build would get
// wrong silently: a production-only install that still has tsx, every folder the roles load copied
// into the runtime stage and not excluded by .dockerignore, a non-root user, the api as default.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_FOLDERS } from '../../scripts/build';
import { ROLE_ENV, ROLE_NODE_FLAGS } from '../support/paths';
import { reachableFiles, ROLE_ENTRIES, ROOT } from './compose';

const DOCKERFILE = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

/** Instructions per stage, continuation lines joined, ARG defaults substituted into FROM. */
function stages(text: string): Stage[] {
  const args = new Map<string, string>();
  const out: Stage[] = [];
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of instructions) {
    const [op = '', ...rest] = line.split(/\s+/);
    const body = rest.join(' ');
    if (op.toUpperCase() === 'ARG' && out.length === 0) {
      const [k, v = ''] = body.split('=');
      args.set(k!, v);
    } else if (op.toUpperCase() === 'FROM') {
      const words = body.replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '').split(/\s+/);
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      out.push({ from: words.find((w) => !w.startsWith('--'))!, name: as >= 0 ? words[as + 1] : undefined, lines: [] });
    } else {
      out[out.length - 1]?.lines.push(line);
    }
  }
  return out;
}

const STAGES = stages(DOCKERFILE);
const RUNTIME = STAGES[STAGES.length - 1]!;
const byName = (name: string) => STAGES.find((s) => s.name === name);

/** The stage whose files a runtime `COPY --from=X` brings in, followed through `FROM X`. */
function stageChain(stage: Stage): Stage[] {
  const parent = byName(stage.from);
  return parent ? [...stageChain(parent), stage] : [stage];
}

function ignored(rel: string): boolean {
  const patterns = DOCKERIGNORE.split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let result = false;
  for (const p of patterns) {
    const negate = p.startsWith('!');
    const pattern = (negate ? p.slice(1) : p).replace(/\/$/, '');
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
    if (re.test(rel)) result = !negate;
  }
  return result;
}

describe('Dockerfile', () => {
  it('is multi-stage: production dependencies with npm ci --omit=dev, then a slim Node 20 runtime', () => {
    expect(STAGES.length).toBeGreaterThanOrEqual(2);
    const deps = STAGES.find((s) => s.lines.some((l) => /^RUN .*\bnpm ci\b.*--omit=dev/.test(l)));
    expect(deps, 'no stage runs npm ci --omit=dev').toBeDefined();
    expect(RUNTIME.from).toMatch(/^node:20[\w.-]*-slim$/);
    expect(RUNTIME.lines.some((l) => /\bnpm (ci|install)\b/.test(l)), 'the runtime stage installs nothing itself').toBe(false);
    expect(RUNTIME.lines).toContainEqual(expect.stringMatching(new RegExp(`^COPY --from=${deps!.name} /app/node_modules`)));
  });

  it('needs only production dependencies at run time: the roles run the compiled build through the launcher', () => {
    expect(PKG.dependencies.tsx, 'tsx (the launcher\'s fallback) must be a dependency, not a devDependency').toBeDefined();
    expect(DOCKERFILE).toMatch(/CMD \["node", "scripts\/run\.cjs", "api"\]/);
    const imported = new Set<string>();
    for (const f of reachableFiles(ROLE_ENTRIES)) {
      if (!f.endsWith('.ts')) continue;
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/from\s+['"]((?:@[\w.-]+\/)?[\w.-]+)[^'"]*['"]/g)) imported.add(m[1]!);
    }
    const devOnly = [...imported].filter((p) => PKG.devDependencies[p] && !PKG.dependencies[p]);
    expect(devOnly, 'packages the roles import that npm ci --omit=dev leaves out').toEqual([]);
  });

  it('copies every folder the roles, the workflow bundle and the build load, and .dockerignore keeps them', () => {
    const folders = new Set([...reachableFiles(ROLE_ENTRIES)].map((f) => f.split(path.sep)[0]!));
    expect([...folders].sort()).toEqual(expect.arrayContaining(['activities', 'src', 'workflows']));
    // the launcher runs dist/app only while every folder compiled into it is there to compare
    for (const folder of APP_FOLDERS) folders.add(folder);
    const copied = RUNTIME.lines.filter((l) => /^COPY /.test(l) && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const folder of folders) {
      expect(copied, `the runtime stage does not COPY ${folder}`).toContain(folder);
      expect(ignored(folder), `.dockerignore excludes ${folder}`).toBe(false);
    }
    expect(copied).toContain('scripts/run.cjs');
    for (const f of ['package.json', 'package-lock.json', 'scripts/build.ts', 'scripts/run.cjs']) expect(ignored(f), f).toBe(false);
    for (const f of ['.env', 'node_modules', '.git', '.data', 'test-artifacts', 'dist']) expect(ignored(f), `${f} goes into the build context`).toBe(true);
  });

  it('builds dist/ (compiled roles, workflow bundle) with the dev tools and copies only dist/ into the runtime', () => {
    const buildStage = STAGES.find((s) => s.lines.includes('RUN npm run build'));
    expect(buildStage, 'no stage runs npm run build').toBeDefined();
    // TypeScript is a devDependency: the build stage installs everything
    expect(stageChain(buildStage!).some((s) => s.lines.some((l) => /^RUN npm ci\b/.test(l) && !l.includes('--omit=dev')))).toBe(true);
    const buildCopies = buildStage!.lines.filter((l) => /^COPY /.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const f of [...APP_FOLDERS, 'tsconfig.json', 'scripts/build.ts', 'scripts/run.cjs']) expect(buildCopies, f).toContain(f);
    expect(RUNTIME.lines).toContainEqual(`COPY --from=${buildStage!.name} /app/dist ./dist`);
    expect(RUNTIME.lines.join('\n')).not.toMatch(/WORKFLOW_BUNDLE_PATH/);
  });

  it('starts every role with the launcher\'s environment: the image and the npm scripts alike', () => {
    const env = RUNTIME.lines.filter((l) => /^ENV /.test(l)).flatMap((l) => l.split(/\s+/).slice(1));
    expect(Object.keys(ROLE_ENV).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(ROLE_ENV)) {
      expect(env, `the runtime stage's ENV`).toContain(`${name}=${value}`);
      for (const role of ['start', 'api', 'worker']) expect(PKG.scripts[role], `npm run ${role}`).toMatch(new RegExp(`^(\\w+=\\S+ )*${name}=${value} `));
    }
  });

  it("gives node the launcher's flags for each role in the npm scripts", () => {
    expect(ROLE_NODE_FLAGS.worker.length).toBeGreaterThan(0);
    for (const [script, role] of [['start', 'main'], ['api', 'api'], ['worker', 'worker']] as const) {
      expect(PKG.scripts[script]!.replace(/^(\w+=\S+ )*/, ''), `npm run ${script}`).toBe(['node', ...ROLE_NODE_FLAGS[role], 'scripts/run.cjs', role].join(' '));
    }
  });

  it('runs as a non-root user', () => {
    const user = RUNTIME.lines.filter((l) => /^USER /.test(l)).pop();
    expect(user, 'the runtime stage sets no USER').toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
  });
});
