// The workflow bundle every worker loads: built once (`npm run build`, `npm ci`, the image build or
// the first start) into dist/workflows/, and rebuilt when the workflow code changes. Beside the
// bundle sits a manifest listing every file webpack read to make it — our workflow sources, the
// domain and contract modules they import, the SDK files — with one content hash over all of them;
// a worker whose files no longer hash the same rebuilds before it polls. Loading a ready bundle
// takes milliseconds; bundling takes seconds.
//
// The bundle keeps its inline source map (the SDK requires one, and maps workflow stack traces to
// our sources with it) without the sources' text: every workflow thread and every Worker.create
// decodes and parses the map, and the text (two thirds of the file) served only debuggers
// (docs/decisions.md, Operations).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../observability/logger';
import { PROJECT_ROOT } from '../projectRoot';

export interface WorkflowBundleFiles {
  /** the workflows' entry module */
  entry: string;
  codePath: string;
  manifestPath: string;
}

export const WORKFLOW_BUNDLE: WorkflowBundleFiles = {
  entry: path.join(PROJECT_ROOT, 'workflows', 'index.ts'),
  codePath: path.join(PROJECT_ROOT, 'dist', 'workflows', 'bundle.js'),
  manifestPath: path.join(PROJECT_ROOT, 'dist', 'workflows', 'bundle.json'),
};

/** Bumped when the bundle's form changes, so bundles built before are built again. */
const MANIFEST_FORMAT = 2;

interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** sha256 over every input's path and content */
  hash: string;
  /** what webpack read, relative to the manifest's folder */
  inputs: string[];
}

export type BundleStatus = { fresh: true } | { fresh: false; reason: string };

function hashInputs(baseDir: string, inputs: string[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) {
    hash.update(input).update('\0').update(fs.readFileSync(path.resolve(baseDir, input))).update('\0');
  }
  return hash.digest('hex');
}

/** Whether the bundle on disk was made from the files as they are now. */
export function checkWorkflowBundle(files: WorkflowBundleFiles = WORKFLOW_BUNDLE): BundleStatus {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(files.manifestPath, 'utf8')) as Manifest;
  } catch {
    return { fresh: false, reason: 'no workflow bundle built yet' };
  }
  if (!fs.existsSync(files.codePath)) return { fresh: false, reason: 'no workflow bundle built yet' };
  if (manifest.format !== MANIFEST_FORMAT) return { fresh: false, reason: 'the workflow bundle was built by an older build' };
  const baseDir = path.dirname(files.manifestPath);
  let hash: string;
  try {
    hash = hashInputs(baseDir, manifest.inputs);
  } catch {
    return { fresh: false, reason: 'a file the workflow bundle was built from is gone' };
  }
  return hash === manifest.hash ? { fresh: true } : { fresh: false, reason: 'the workflow code changed since the bundle was built' };
}

/** Bundles the workflows in memory and lists the files webpack read to do it. */
export async function buildWorkflowBundle(files: WorkflowBundleFiles = WORKFLOW_BUNDLE, log?: Logger): Promise<{ code: string; manifest: Manifest }> {
  // The bundler (with webpack) loads only to bundle: what merely names the bundle's files stays light.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  let read: string[] = [];
  const { code } = await bundleWorkflowCode({
    workflowsPath: files.entry,
    logger: sdkLogger(log),
    webpackConfigHook: (config) => {
      const recordInputs = {
        apply(compiler: { hooks: { afterCompile: { tap(name: string, fn: (c: { fileDependencies: Iterable<string> }) => void): void } } }) {
          compiler.hooks.afterCompile.tap('record-bundle-inputs', (compilation) => {
            read = [...compilation.fileDependencies];
          });
        },
      };
      return { ...config, plugins: [...(config.plugins ?? []), recordInputs as never] };
    },
  });
  const baseDir = path.dirname(files.manifestPath);
  // The bundler's own version decides its output too; directories and the generated entry point
  // (which lives in webpack's memory) are not inputs.
  const inputs = [...new Set([...read, require.resolve('@temporalio/worker/package.json')])]
    .filter((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile())
    .map((f) => path.relative(baseDir, f))
    .sort();
  if (!inputs.includes(path.relative(baseDir, files.entry))) throw new Error(`the workflow bundle's inputs do not include ${files.entry}`);
  return { code: withoutSourceTexts(code), manifest: { format: MANIFEST_FORMAT, hash: hashInputs(baseDir, inputs), inputs } };
}

/** The bundle with its inline source map's `sourcesContent` left out; the mappings stay. */
export function withoutSourceTexts(code: string): string {
  // found as the SDK finds it: the last data URL, its base64 after the media type
  const at = code.lastIndexOf('//# sourceMappingURL=data:');
  const base64 = at < 0 ? -1 : code.indexOf('base64,', at);
  if (base64 < 0) throw new Error('the workflow bundle has no inline source map');
  const header = code.slice(0, base64 + 'base64,'.length);
  const map = JSON.parse(Buffer.from(code.slice(header.length).trimEnd(), 'base64').toString('utf8')) as { sourcesContent?: unknown };
  delete map.sourcesContent;
  return header + Buffer.from(JSON.stringify(map)).toString('base64');
}

/** Writes the bundle, then its manifest, each by rename: a reader never sees half a file. */
export function writeWorkflowBundle(built: { code: string; manifest: Manifest }, files: WorkflowBundleFiles = WORKFLOW_BUNDLE): void {
  fs.mkdirSync(path.dirname(files.codePath), { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  fs.writeFileSync(files.codePath + suffix, built.code);
  fs.renameSync(files.codePath + suffix, files.codePath);
  fs.writeFileSync(files.manifestPath + suffix, JSON.stringify(built.manifest, null, 1));
  fs.renameSync(files.manifestPath + suffix, files.manifestPath);
}

/**
 * The bundle option for `Worker.create`: the built file when it is fresh; otherwise the workflows
 * are bundled now and written for the next start (kept in memory only when the folder is
 * read-only, as in the image, whose bundle is built with it).
 */
export async function ensureWorkflowBundle(log: Logger, files: WorkflowBundleFiles = WORKFLOW_BUNDLE): Promise<{ codePath: string } | { code: string }> {
  const status = checkWorkflowBundle(files);
  if (status.fresh) return { codePath: files.codePath };
  log.info({ reason: status.reason }, 'bundling the workflows (once; later starts load the bundle)');
  const built = await buildWorkflowBundle(files, log);
  try {
    writeWorkflowBundle(built, files);
    return { codePath: files.codePath };
  } catch (err) {
    log.warn({ err, codePath: files.codePath }, 'could not write the workflow bundle: using it from memory for this run');
    return { code: built.code };
  }
}

function sdkLogger(log?: Logger) {
  const quiet = () => undefined;
  return {
    trace: quiet,
    debug: quiet,
    info: quiet,
    log: quiet,
    warn: (message: string, meta?: object) => log?.warn({ ...meta }, message),
    error: (message: string, meta?: object) => log?.error({ ...meta }, message),
  } as never;
}
