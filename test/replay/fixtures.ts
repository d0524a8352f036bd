// The recorded event histories every change to the workflows must keep replaying: one finished
// dispatch per path through the story, the fleet's Airtable writer, and dispatches recorded with
// code older than a change whose replay safety had to be shown. Recorded by `npm run
// replay:record` (test/replay/record.ts); replayed by test/replay/replay.test.ts.
import fs from 'node:fs';
import path from 'node:path';

export const HISTORIES_DIR = path.join(__dirname, 'histories');
export const MANIFEST_PATH = path.join(HISTORIES_DIR, 'manifest.json');

export type WorkflowTypeName = 'dispatchWorkflow' | 'auditWriterWorkflow' | 'onCallWorkflow' | 'phoneWorkflow';

export interface FixtureSpec {
  /** file name without .json, also the scenario's name for `npm run replay:record -- <name>` */
  name: string;
  workflowType: WorkflowTypeName;
  /** what the history shows */
  path: string;
  /** a closed workflow (its last event closes it); false for one recorded while still running */
  closed: boolean;
}

/**
 * Every fixture the replay test requires: a missing or empty one fails it. The paths from
 * 'accepted' to 'ivr', and 'schedule-override', were recorded before patched('after-accept'): their
 * histories close at the accept and replay the patch's old path. Recorded again, the same
 * scenarios follow the job until the technician texts DONE ('after-accept' and 'arrival-overdue'
 * show that path).
 */
export const FIXTURES: FixtureSpec[] = [
  { name: 'accepted', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: tier 1 paged, the first YES wins, caller told, the other technician stood down' },
  { name: 'declined-then-accepted', workflowType: 'dispatchWorkflow', closed: true, path: 'urgent: both tier-1 technicians reply NO, tier 2 is paged at once and accepts' },
  { name: 'unanswered', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: nobody answers the whole round, UNANSWERED (caller and managers told), the grace period ends with nobody' },
  { name: 'unanswered-late-accept', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: UNANSWERED, then tier 2 accepts inside the grace period' },
  { name: 'cancelled', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: cancelled by ops while tier 1 is paged; everyone paged stood down' },
  { name: 'routine', workflowType: 'dispatchWorkflow', closed: true, path: 'routine: caller told the office calls back, sleeps until business hours, then pages tier 1; accepted' },
  { name: 'wake-up-call', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: follow-up rings tier 1, voicemail does not count, rings again, a key press of 1 accepts' },
  { name: 'delivery-failure', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: the carrier reports both tier-1 pages undelivered (30003, 30006), tier 2 paged at once and accepts' },
  { name: 'send-error', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: Twilio refuses both tier-1 pages (21610, 21614), tier 2 paged at once and accepts' },
  { name: 'twilio-outage', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: Twilio answers 503 to the first sends, both tier-1 pages go out on a retry and the step\'s clock starts then (patched \'step-clock-from-send\'); Bob accepts and texts DONE' },
  { name: 'checks-end-when-final', workflowType: 'dispatchWorkflow', closed: true, path: 'the accepted path recorded since a final delivery status cancels its message\'s pending check (patched \'delivery-check-ends-when-final\'): no check timer fires for a delivered text' },
  { name: 'patches-taken', workflowType: 'dispatchWorkflow', closed: true, path: 'the accepted path recorded since a dispatch takes every patch with one marker (\'dispatch-patches-taken-2026-12\') and hands its audit rows to the writer at most once per AUDIT_FLUSH_INTERVAL (5 s): the first hand-off 5 s after the start, the accept\'s rows gathered, the rest as it closes' },
  { name: 'first-read-local', workflowType: 'dispatchWorkflow', closed: true, path: 'the patches-taken path recorded under the next release\'s marker (\'dispatch-patches-taken-2026-12-b\'): the first step\'s read of the roster and its phones (onCallNow) runs as a local activity (a marker) in the first workflow task; the follow-up step\'s read, after the pages, is an activity' },
  { name: 'status-check', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: no status callback ever arrives, the workflow asks Twilio after the check period; accepted' },
  { name: 'ivr', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency started by the IVR, its description signalled after the start; accepted' },
  { name: 'after-accept', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency: a caller text before the accept, YES with an ETA (the text passed on with it), a new ETA, another caller text, ARRIVED, DONE: COMPLETED' },
  { name: 'arrival-overdue', workflowType: 'dispatchWorkflow', closed: true, path: 'urgent: accepted without ETA, no ARRIVED: check-in to the technician, overdue alert to tier 3, BUSY_FOR closes it ACCEPTED' },
  // Recorded with the release before forwardAudit moved to the audit queue (9374ad5^), by
  // test/replay/recordAuditQueueMove.ts: see docs/decisions.md, Versioning.
  { name: 'legacy-accepted', workflowType: 'dispatchWorkflow', closed: true, path: 'release before the audit-queue move: emergency paged and accepted, every forwardAudit on the dispatch queue' },
  { name: 'legacy-in-flight', workflowType: 'dispatchWorkflow', closed: false, path: 'release before the audit-queue move: paged, one decline, its forwardAudit scheduled on the dispatch queue and not yet run (recorded running)' },
  { name: 'legacy-handover', workflowType: 'dispatchWorkflow', closed: true, path: 'legacy-in-flight finished by the current release: the forwardAudit left on the dispatch queue ran, later ones on the audit queue; accepted' },
  // Recorded with releases older than a patch, by test/replay/recordOlderRelease.ts: without the
  // marker, replay takes the path the patch kept for them.
  { name: 'before-patches', workflowType: 'dispatchWorkflow', closed: true, path: 'release before every patch (f7c6ac2): Alice\'s page undelivered, follow-up to both, no ring, Bob accepts; Airtable written directly, no wait for final statuses' },
  { name: 'before-audit-writer', workflowType: 'dispatchWorkflow', closed: true, path: 'release before the Airtable writer (7829ab0): Alice\'s page undelivered, follow-up and ring to Bob only, Bob accepts; Airtable written directly, no wait for final statuses' },
  { name: 'schedule-override', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency paged from the on-call schedule: an override replaces Alice with Carol, Carol is paged and accepts' },
  // Recorded with the phones' workflows (spec section 10): the dispatch pages through them.
  { name: 'busy-skipped', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency while Alice is on another job: only Bob is paged, he accepts and texts DONE' },
  { name: 'busy-all-paged', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency while everyone on call is on a job: the busy technicians are paged, each page naming their job; Bob accepts and texts DONE' },
  { name: 'bundled', workflowType: 'dispatchWorkflow', closed: true, path: 'emergency paged a moment after another: its pages held and sent by the phones\' workflows in one SMS with a third job; Bob accepts and texts DONE' },
  { name: 'phone', workflowType: 'phoneWorkflow', closed: false, path: 'Bob\'s phone after the paths above: pages registered, jobs assigned and closed, a bundle sent and its callbacks passed on (recorded running)' },
  { name: 'phone-steady-timer', workflowType: 'phoneWorkflow', closed: false, path: 'the same as phone, recorded since its loop keeps one timer per wake-up time (patched \'phone-steady-timer\'; phone is from before it)' },
  { name: 'oncall-schedule', workflowType: 'onCallWorkflow', closed: false, path: 'the on-call schedule\'s workflow: hand-off reminders of 36-second shifts and one coverage-gap alert (it never closes; recorded running)' },
  { name: 'audit-writer', workflowType: 'auditWriterWorkflow', closed: false, path: 'the fleet\'s Airtable writer after the dispatches above: signals merged and written in batches (it never closes; recorded running)' },
  { name: 'audit-writer-full', workflowType: 'auditWriterWorkflow', closed: false, path: 'the fleet\'s Airtable writer given more than 256 KiB of rows while Airtable is down: Memo upserted full, then open again once it has written them down (recorded running)' },
];

export interface ManifestEntry {
  name: string;
  workflowId: string;
  workflowType: WorkflowTypeName;
  path: string;
  closed: boolean;
  /** the commit whose code made the history */
  recordedFrom: string;
  events: number;
}

export function readManifest(): ManifestEntry[] {
  if (!fs.existsSync(MANIFEST_PATH)) return [];
  return (JSON.parse(fs.readFileSync(MANIFEST_PATH, 'utf8')) as { fixtures: ManifestEntry[] }).fixtures;
}

/** Adds or replaces entries, keeping the file sorted by name so diffs stay small. */
export function writeManifest(entries: ManifestEntry[]): void {
  const byName = new Map(readManifest().map((e) => [e.name, e]));
  for (const e of entries) byName.set(e.name, e);
  const fixtures = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(MANIFEST_PATH, `${JSON.stringify({ fixtures }, null, 2)}\n`);
}

export const historyFile = (name: string): string => path.join(HISTORIES_DIR, `${name}.json`);
