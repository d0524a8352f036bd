// The on-call schedule's workflow in simulated time (spec section 9), with production settings:
// reminders an hour ahead, the schedule read every minute, gaps looked for a week ahead. The
// schedule is the real rule (src/domain/roster) over a roster the test edits as an office would.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterEach, beforeAll, beforeEach, expect, test, vi } from 'vitest';
import type { AuditForwardActivities, OnCallActivities } from '../../src/contract/activities';
import { auditTaskQueueFor, type AuditOp } from '../../src/contract/audit';
import { onCallQuery } from '../../src/contract/onCall';
import { planOnCall } from '../../src/domain/roster/onCallPlan';
import type { Override, Rotation, Schedule } from '../../src/domain/roster/schedule';
import type { SmsRequest, SmsResult } from '../../src/domain/types';
import { ensureTestServer } from '../../src/temporal/testServer';
import { BUNDLE_PATH } from '../support/paths';
import { scheduledAt } from './support/simulatedClock';
import { alice, bob, carol, dave, erin, quietSdkLogs, ROSTER } from './support/simulation';

vi.setConfig({ testTimeout: 30_000 });

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SETTINGS = { leadMs: HOUR, horizonMs: 7 * 24 * HOUR, refreshMs: MINUTE };

let env: TestWorkflowEnvironment;
let workers: Worker[];
let running: Promise<unknown>;
let schedule: Schedule;
let texts: Array<SmsRequest & { at: number }>;
let rows: AuditOp[];
const workflowId = 'oncall-schedule';
const taskQueue = 'oncall';

// The schedule's workflow never ends by itself, and the test server keeps its clock held for good
// when a workflow is ended under an in-flight activity or workflow task: so each test gets a
// server of its own, torn down with the workflow still running, instead of a terminate.
beforeAll(() => quietSdkLogs());
beforeEach(async () => {
  schedule = { technicians: ROSTER, rotations: [], overrides: [], timeZone: 'America/New_York' };
  texts = [];
  rows = [];
  const server = ensureTestServer(() => undefined);
  if (!server) throw new Error('no Temporal test server');
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: server.path } } });
  const activities: OnCallActivities & { sendSms(req: SmsRequest): Promise<SmsResult> } = {
    planOnCall: async (options) => planOnCall(schedule, scheduledAt(), { ...options, businessName: 'Acme Plumbing' }),
    sendSms: async (req) => {
      texts.push({ ...req, at: scheduledAt() });
      return { ok: true, messageSid: `SM${texts.length}`, status: 'delivered', reconciled: false };
    },
  };
  const forward: AuditForwardActivities = { forwardAudit: async (ops) => void rows.push(...ops) };
  workers = await Promise.all([
    Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: BUNDLE_PATH }, activities }),
    Worker.create({ connection: env.nativeConnection, taskQueue: auditTaskQueueFor(taskQueue), activities: forward }),
  ]);
  running = Promise.all(workers.map((w) => w.run()));
});
afterEach(async () => {
  for (const w of workers ?? []) w.shutdown();
  await running?.catch(() => undefined);
  await env?.teardown();
});

async function startSchedule(): Promise<void> {
  await env.client.workflow.start('onCallWorkflow', { workflowId, taskQueue, args: [{ settings: SETTINGS }] });
}

const iso = (ms: number) => new Date(ms).toISOString();
/**
 * The test server lets a little real time pass while workers think, so a simulated time is read
 * as the due time it is within 2 s of (rounding to the second failed when the drift crossed a half).
 */
const readAs = (...dues: number[]) => (ms: number | undefined) => dues.find((due) => ms !== undefined && Math.abs(ms - due) < 2_000) ?? ms;
const remindersTo = (phone: string) => texts.filter((t) => t.kind === 'ONCALL_REMINDER' && t.to === phone);

test('a weekly hand-off: each technician is reminded once, an hour ahead, naming the shift and whom they take over from', async () => {
  const now = await env.currentTimeMs();
  const start = now + 2 * HOUR;
  const rotation: Rotation = { name: 'Tier 1', tier: 1, members: [alice.name, bob.name], start: iso(start - 7 * 24 * HOUR), shiftHours: 168, active: true };
  schedule.rotations = [rotation];
  await startSchedule();
  await env.sleep(5 * MINUTE);
  expect(remindersTo(alice.phone)).toHaveLength(1); // her shift is under way: reminded at once
  expect(remindersTo(bob.phone)).toEqual([]);

  await env.sleep(start - HOUR - (await env.currentTimeMs()) + 30_000);
  const [bobs] = remindersTo(bob.phone);
  expect(readAs(start - HOUR)(bobs?.at)).toBe(start - HOUR); // when it was due
  expect(bobs?.body).toMatch(/you are on call for tier 1 from .* taking over from Alice/);

  await env.sleep(20 * MINUTE); // every minute the schedule is read again; nobody is reminded twice
  expect(remindersTo(bob.phone)).toHaveLength(1);
  expect(remindersTo(alice.phone)).toHaveLength(1);
  const reminderRows = rows.filter((op) => op.table === 'events' && op.row.eventType === 'ONCALL_REMINDER');
  expect(reminderRows.map((op) => op.row.callId)).toEqual(['', '']);
});

test('a shift moved after its reminder went out gets a new reminder; a shift learned late is reminded at once', async () => {
  const now = await env.currentTimeMs();
  schedule.rotations = [{ name: 'Tier 1', tier: 1, members: [bob.name], start: iso(now + 90 * MINUTE), shiftHours: 12, active: true }];
  await startSchedule();
  await env.sleep(45 * MINUTE);
  expect(remindersTo(bob.phone).map((t) => readAs(now + 30 * MINUTE)(t.at))).toEqual([now + 30 * MINUTE]);

  schedule.rotations = [{ ...schedule.rotations[0]!, start: iso(now + 2 * HOUR) }];
  const cover: Override = { name: 'Carol from now', technician: carol.name, tier: 1, start: iso(now + 40 * MINUTE), end: iso(now + 5 * HOUR) };
  schedule.overrides = [cover];
  await env.sleep(2 * MINUTE);
  expect(texts.filter((t) => t.to === carol.phone)).toHaveLength(1); // its reminder time had passed: at once
  await env.sleep(15 * MINUTE);
  expect(remindersTo(bob.phone).map((t) => readAs(now + 30 * MINUTE, now + HOUR)(t.at))).toEqual([now + 30 * MINUTE, now + HOUR]);
});

test('a coverage gap alerts the managers once; an override that closes it lists it no more', async () => {
  const now = await env.currentTimeMs();
  schedule.rotations = [{ name: 'Tier 1', tier: 1, members: [alice.name], start: iso(now - 24 * HOUR), shiftHours: 168, active: true }];
  const away: Override = { name: 'Alice away', technician: erin.name, tier: 1, start: iso(now + 48 * HOUR), end: iso(now + 52 * HOUR), replaces: alice.name };
  schedule.overrides = [away];
  await startSchedule();
  await env.sleep(2 * MINUTE);
  const alerts = () => texts.filter((t) => t.kind === 'COVERAGE_GAP');
  expect(alerts().map((t) => t.to)).toEqual([dave.phone]);
  const handle = env.client.workflow.getHandle(workflowId);
  expect((await handle.query(onCallQuery))?.gaps.map((g) => [g.start, g.end])).toEqual([[away.start, away.end]]);

  await env.sleep(20 * MINUTE);
  expect(alerts()).toHaveLength(1);
  schedule.overrides = [away, { name: 'Bob covers', technician: bob.name, tier: 1, start: away.start, end: away.end }];
  await env.sleep(2 * MINUTE);
  expect((await handle.query(onCallQuery))?.gaps).toEqual([]);
  expect(alerts()).toHaveLength(1);
});
