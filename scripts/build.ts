// `npm run build` — what the roles run from, built ahead of time into the git-ignored dist/:
//   dist/app/        the product compiled to JavaScript (TypeScript's transpiler, file by file),
//                    with build.json: every source compiled and its hash (scripts/run.cjs checks it)
//   dist/workflows/  the workflow bundle and its manifest (src/temporal/workflowBundle.ts)
// npm ci runs it (prepare), the image build runs it, and a role whose build is stale rebuilds
// before it starts.
//   --app / --workflows   only that part (default both)
//   --if-stale            only the parts whose sources changed
//   --prepare             as npm's prepare: without TypeScript (a production-only install) the
//                         compile is skipped and the roles run through tsx
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle, checkWorkflowBundle, writeWorkflowBundle } from '../src/temporal/workflowBundle';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher = require('./run.cjs') as { appStatus(): { fresh: boolean; reason?: string }; APP_DIR: string; APP_MANIFEST: string; ROOT: string };
const { ROOT, APP_DIR } = launcher;

/** The folders the roles load at run time (the tests, bench and scripts stay TypeScript). */
export const APP_FOLDERS = ['src', 'activities', 'workflows', 'emulators'];

function filesUnder(folder: string): string[] {
  return fs.readdirSync(path.join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

/** Compiles into a fresh folder, then swaps it in: a role starting meanwhile never loads half a build. */
export async function compileApp(): Promise<boolean> {
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    console.error('TypeScript is not installed (production-only install): the roles will run from their sources through tsx');
    return false;
  }
  const tsconfig = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(tsconfig.config, ts.sys, ROOT);
  const compilerOptions = { ...options, noEmit: false, declaration: false, sourceMap: false, inlineSourceMap: false };
  const staging = `${APP_DIR}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  const inputs: Record<string, string> = { 'tsconfig.json': hash(path.join(ROOT, 'tsconfig.json')) };
  for (const rel of APP_FOLDERS.flatMap(filesUnder)) {
    const source = fs.readFileSync(path.join(ROOT, rel));
    inputs[rel] = createHash('sha256').update(source).digest('hex');
    const isTs = rel.endsWith('.ts') && !rel.endsWith('.d.ts');
    const out = path.join(staging, isTs ? rel.replace(/\.ts$/, '.js') : rel);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (isTs) fs.writeFileSync(out, ts.transpileModule(source.toString('utf8'), { compilerOptions, fileName: rel }).outputText);
    else fs.writeFileSync(out, source); // the sandbox page's assets
  }
  fs.writeFileSync(path.join(staging, 'build.json'), JSON.stringify({ format: 1, compiler: `typescript ${ts.version}`, inputs }, null, 1));
  const old = `${APP_DIR}.${process.pid}.old`;
  if (fs.existsSync(APP_DIR)) fs.renameSync(APP_DIR, old);
  try {
    fs.renameSync(staging, APP_DIR);
  } catch (err) {
    // another build swapped its copy in first: keep that one
    if (!fs.existsSync(APP_DIR)) throw err;
    fs.rmSync(staging, { recursive: true, force: true });
  }
  fs.rmSync(old, { recursive: true, force: true });
  return true;
}

const hash = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

export async function bundleWorkflows(): Promise<void> {
  writeWorkflowBundle(await buildWorkflowBundle());
}

/** Builds what is stale (or everything); says what it did on stderr. */
export async function build(opts: { app?: boolean; workflows?: boolean; ifStale?: boolean; prepare?: boolean } = {}): Promise<void> {
  const { app = true, workflows = true, ifStale = false } = opts;
  if (app) {
    const status = launcher.appStatus();
    if (!ifStale || !status.fresh) {
      const started = performance.now();
      if (await compileApp()) console.error(`dist/app: compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      else if (!opts.prepare) throw new Error('could not compile: TypeScript is missing (npm ci installs it)');
    }
  }
  if (workflows) {
    const status = checkWorkflowBundle();
    if (!ifStale || !status.fresh) {
      const started = performance.now();
      await bundleWorkflows();
      console.error(`dist/workflows: bundled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const only = args.includes('--app') || args.includes('--workflows');
  build({
    app: !only || args.includes('--app'),
    workflows: !only || args.includes('--workflows'),
    ifStale: args.includes('--if-stale'),
    prepare: args.includes('--prepare'),
  }).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
