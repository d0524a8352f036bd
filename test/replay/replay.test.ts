// Replay safety: every recorded history (test/replay/histories) is replayed against the workflows
// as they are now, bundled once by the test run's global setup. A change that would make a running
// dispatch take another turn than its history records fails here: it belongs behind patched().
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Runtime, Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUNDLE_PATH } from '../support/paths';
import { historyFromProtoJson } from './history';
import { FIXTURES, HISTORIES_DIR, historyFile, readManifest, type FixtureSpec } from './fixtures';

// The replay workers' state changes at INFO would drown the report; a nondeterminism shows as the test's error.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // a runtime already installed in this process keeps its logger
}

type JsonHistory = { events: Array<Record<string, any>> };

const CLOSING_EVENTS = [
  'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
  'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
];

function load(name: string): JsonHistory {
  const file = historyFile(name);
  if (!fs.existsSync(file)) throw new Error(`fixture ${path.relative(process.cwd(), file)} is missing: record it with npm run replay:record -- ${name}`);
  const text = fs.readFileSync(file, 'utf8');
  if (!text.trim()) throw new Error(`fixture ${name} is empty`);
  const history = JSON.parse(text) as JsonHistory;
  if (!Array.isArray(history.events) || history.events.length === 0) throw new Error(`fixture ${name} has no events`);
  return history;
}

const replayOptions = (): ReplayWorkerOptions => ({ workflowBundle: { codePath: BUNDLE_PATH }, replayName: 'fixtures' });

function workflowIdOf(spec: FixtureSpec): string {
  const entry = readManifest().find((e) => e.name === spec.name);
  if (!entry) throw new Error(`fixture ${spec.name} is not in histories/manifest.json`);
  return entry.workflowId;
}

describe('recorded histories', () => {
  test('every path has its fixture: present, not empty, of its workflow type, closed where it should be, listed in the manifest', () => {
    expect(fs.existsSync(BUNDLE_PATH), 'the workflow bundle of the global setup').toBe(true);
    const manifest = readManifest();
    for (const spec of FIXTURES) {
      const { events } = load(spec.name);
      const first = events[0]!;
      expect(first.eventType, spec.name).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(first.workflowExecutionStartedEventAttributes?.workflowType?.name, spec.name).toBe(spec.workflowType);
      expect(CLOSING_EVENTS.includes(events.at(-1)!.eventType), `${spec.name} closed`).toBe(spec.closed);
      const entry = manifest.find((e) => e.name === spec.name);
      expect(entry, `${spec.name} in manifest.json`).toBeDefined();
      expect(entry!.events, `${spec.name} event count in manifest.json`).toBe(events.length);
    }
    // A history on disk that nobody replays would give false comfort.
    const onDisk = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json') && f !== 'manifest.json');
    expect(onDisk.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(FIXTURES.map((f) => f.name).sort());
  });

  test.each(FIXTURES.map((f) => [f.name, f] as const))('%s replays against the current workflows', async (_name, spec) => {
    await Worker.runReplayHistory(replayOptions(), historyFromProtoJson(load(spec.name)), workflowIdOf(spec));
  });

  test('the check can fail: a history whose first send was another activity is a nondeterminism error', async () => {
    const history = load('accepted');
    const altered = structuredClone(history);
    const send = altered.events.find(
      (e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' && e.activityTaskScheduledEventAttributes.activityType.name === 'sendSms',
    );
    expect(send, 'a sendSms in the accepted path').toBeDefined();
    send!.activityTaskScheduledEventAttributes.activityType.name = 'sendFax';
    const replay = Worker.runReplayHistory(replayOptions(), historyFromProtoJson(altered), 'altered');
    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
