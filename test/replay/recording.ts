// What every recorder of replay fixtures shares: exporting a workflow's history into the fixtures
// folder, and running as a script that exits with its outcome.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { HISTORIES_DIR, historyFile } from './fixtures';

export type HistoryEvent = Record<string, any>;

/** The history as `temporal workflow show --output json` prints it: what the Web UI and the SDK replayer read. */
export function exportHistory(address: string, workflowId: string, name: string, log: (msg: string) => void): HistoryEvent[] {
  const json = execFileSync(process.env.TEMPORAL_CLI_PATH!, ['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--output', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const { events } = JSON.parse(json) as { events: HistoryEvent[] };
  // Unchanged but for the layout: one event a line keeps the files small and still greppable.
  const text = `{"events":[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(historyFile(name), text);
  log(`${name}: ${workflowId}, ${events.length} events, ${Math.round(text.length / 1024)} KiB`);
  return events;
}

/** The checkout's commit, short: what a fixture says it was recorded from. */
export function shortCommit(root: string): string {
  return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
}

/** Runs a recorder and exits: 0 once it is done, 1 with its error. */
export function runRecorder(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
