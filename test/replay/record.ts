// `npm run replay:record [-- name ...]`: plays every path of the dispatch story against a real
// Temporal dev server with timers of seconds (the same stack as the end-to-end tests: stand-ins
// for Twilio and Airtable, the API and the worker as their own processes, the workflows bundled
// from this checkout), and saves each finished workflow's event history as a replay fixture in
// test/replay/histories/<name>.json, listed in its manifest.json. With names, only those paths
// are recorded again (the Airtable writer's history is taken whenever it is named or none are).
//
// Record from committed code: a fixture is what a dispatch of that code left behind, and every
// later change must keep replaying it.
import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { auditWriterIdFor } from '../../src/contract/audit';
import { workflowIdFor } from '../../src/contract/dispatch';
import { onCallWorkflowIdFor } from '../../src/contract/onCall';
import { phoneWorkflowIdFor } from '../../src/contract/phone';
import type { DeliveryStatus, DispatchState, MessageKind } from '../../src/domain/types';
import setup from '../support/globalSetup';
import { ROOT } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';
import { fillWriter, writerIdOf, writerSaysFull } from '../support/auditWriter';
import { FIXTURES, writeManifest, type ManifestEntry } from './fixtures';
import { exportHistory, runRecorder, shortCommit } from './recording';

const [alice, bob, carol] = ROSTER as [(typeof ROSTER)[number], (typeof ROSTER)[number], (typeof ROSTER)[number]];
const callerPhone = '+12125550142';
const T1 = '3s';
const T2 = '8s';
const GRACE = '6s';
const STATUS_CHECK = '2s';
const VOICE_REPEAT = '3s';
// After the accept (spec section 11): with no ETA the check-in comes 4 s after the accept, the
// managers' alert at 6 s, and a dispatch nobody marks DONE closes 12 s after the accept.
const DEFAULT_ETA = '2s';
const ARRIVAL_GRACE = '2s';
const BUSY_FOR = '12s';
const dave = ROSTER[3]!;

const newCallId = () => `CA${randomUUID().replace(/-/g, '')}`;
const log = (msg: string) => console.log(`[replay:record] ${msg}`);

/** Business hours opening at a UTC minute boundary at least `leadMs` away, so a routine call waits a real, short while. */
function hoursOpeningSoon(leadMs: number): string {
  const open = new Date(Math.ceil((Date.now() + leadMs) / 60_000) * 60_000);
  if (open.getUTCHours() === 23 && open.getUTCMinutes() >= 55) throw new Error('record again after midnight UTC');
  const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return `Mon-Sun ${hhmm(open)}-${hhmm(new Date(open.getTime() + 10 * 60_000))}`;
}

class Recorder {
  constructor(
    readonly stack: Stack,
    readonly client: Client,
  ) {}

  state(callId: string): Promise<DispatchState> {
    return this.stack.dispatch(callId);
  }

  until(callId: string, what: string, ready: (s: DispatchState) => boolean, timeoutMs = 30_000): Promise<DispatchState> {
    return waitFor(`${callId}: ${what}`, async () => {
      const s = await this.state(callId);
      return ready(s) ? s : undefined;
    }, timeoutMs, 100);
  }

  /** The step's messages of `kind` to `phones` reached `status` (delivered unless told). */
  messagesAre(callId: string, phones: string[], kind: MessageKind, status: DeliveryStatus = 'delivered', timeoutMs?: number): Promise<DispatchState> {
    return this.until(callId, `${kind} to ${phones.join(', ')} ${status}`, (s) =>
      phones.every((p) => s.messages.some((m) => m.to === p && m.kind === kind && m.status === status)), timeoutMs);
  }

  async reply(phone: string, body: string): Promise<string[]> {
    const result = await this.stack.twilio.state.reply(phone, body);
    if (result.status !== 200) throw new Error(`reply from ${phone} answered HTTP ${result.status}`);
    return result.replies;
  }

  async start(urgency: 'emergency' | 'urgent' | 'routine', summary: string, address?: string): Promise<{ callId: string; code: string }> {
    const callId = newCallId();
    const { dispatch } = await this.stack.startDispatch({ callId, callerPhone, urgency, summary, address });
    return { callId, code: dispatch.replyCode };
  }

  /**
   * The accepted technician ends the job (spec section 11): once the accept is confirmed, DONE
   * closes the dispatch COMPLETED. Its workflow id once closed.
   */
  async done(callId: string, phone: string): Promise<string> {
    const { replyCode } = await this.until(callId, 'the accept confirmed', (s) => s.status === 'ACCEPTED');
    await this.reply(phone, `DONE ${replyCode}`);
    return this.closed(callId);
  }

  /** Waits until the dispatch's workflow has closed; its history is then complete. */
  async closed(callId: string, timeoutMs = 90_000): Promise<string> {
    const workflowId = workflowIdFor(callId);
    await waitFor(`${workflowId} to close`, async () => {
      const d = await this.client.workflow.getHandle(workflowId).describe();
      if (d.status.name === 'RUNNING') return undefined;
      if (d.status.name !== 'COMPLETED') throw new Error(`${workflowId} ended ${d.status.name}`);
      return true;
    }, timeoutMs, 250);
    return workflowId;
  }
}

type Scenario = (r: Recorder) => Promise<string>;

/** Both tier-1 pages end `status` in the way `arm` makes them: tier 2 is paged at once and Carol accepts. */
function tier2AfterTier1Fails(r: Recorder, status: DeliveryStatus, summary: string, arm: () => void): Promise<string> {
  return faulted(r, arm, async () => {
    const { callId, code } = await r.start('emergency', summary);
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE', status);
    await r.messagesAre(callId, [carol.phone], 'PAGE');
    await r.reply(carol.phone, `YES ${code}`);
    return r.done(callId, carol.phone);
  });
}

/** Plays a path with Twilio faults armed, and clears them however it ends. */
async function faulted(r: Recorder, arm: () => void, play: () => Promise<string>): Promise<string> {
  arm();
  try {
    return await play();
  } finally {
    r.stack.twilio.state.faults.reset();
  }
}

const scenarios: Record<string, Scenario> = {
  async accepted(r) {
    const { callId, code } = await r.start('emergency', 'Burst pipe in the basement', '12 Elm St');
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE');
    await r.reply(alice.phone, `YES ${code}`);
    await r.messagesAre(callId, [bob.phone], 'STAND_DOWN');
    return r.done(callId, alice.phone);
  },

  // The accepted path again, recorded since a final status ends its message's delivery check.
  'checks-end-when-final': (r) => scenarios.accepted!(r),

  // Recorded since a dispatch takes every patch with one marker and hands its audit rows over at
  // most once per AUDIT_FLUSH_INTERVAL: the YES waits for the first hand-off (5 s after the start),
  // so the history shows the gathering timer fire, the rows of the accept gathered, and the close.
  async 'patches-taken'(r) {
    const { callId, code } = await r.start('emergency', 'Burst pipe in the basement', '12 Elm St');
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE');
    await waitFor(`${callId}: its Calls row in Airtable`, async () => r.stack.airtable.state.records('Calls').some((c) => c.fields['Call ID'] === callId) || undefined, 30_000, 100);
    await r.reply(alice.phone, `YES ${code}`);
    await r.messagesAre(callId, [bob.phone], 'STAND_DOWN');
    return r.done(callId, alice.phone);
  },

  // The same path since the first step's read is a local activity, under the next release's marker.
  'first-read-local': (r) => scenarios['patches-taken']!(r),

  async 'after-accept'(r) {
    const { callId, code } = await r.start('emergency', 'Radiator burst in the hallway', '3 Oak Ave');
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE');
    await waitFor('the caller text to reach the dispatch', async () => {
      const [answer] = await r.reply(callerPhone, 'Water is reaching the stairs');
      return /reaching an on-call technician/.test(answer ?? '') ? true : undefined;
    }, 15_000, 300);
    await r.reply(alice.phone, `YES ${code} 30`);
    await r.messagesAre(callId, [alice.phone], 'CALLER_MESSAGE');
    await r.reply(alice.phone, `ETA ${code} 45`);
    await r.reply(callerPhone, 'The side gate is open');
    await r.until(callId, 'the second text passed on', (s) => s.messages.filter((m) => m.kind === 'CALLER_MESSAGE').length === 2);
    await r.reply(alice.phone, 'ARRIVED');
    await r.reply(alice.phone, `DONE ${code}`);
    return r.closed(callId);
  },

  async 'arrival-overdue'(r) {
    const { callId, code } = await r.start('urgent', 'Furnace out, elderly occupant');
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE');
    await r.reply(bob.phone, `YES ${code}`);
    await r.messagesAre(callId, [bob.phone], 'CHECK_IN');
    await r.messagesAre(callId, [dave.phone], 'OVERDUE_ALERT');
    return r.closed(callId); // BUSY_FOR after the accept: closed ACCEPTED
  },

  async 'declined-then-accepted'(r) {
    const { callId, code } = await r.start('urgent', 'Water heater leaking');
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE');
    await r.reply(alice.phone, `NO ${code}`);
    await r.reply(bob.phone, `NO ${code}`);
    await r.messagesAre(callId, [carol.phone], 'PAGE');
    await r.reply(carol.phone, `YES ${code}`);
    return r.done(callId, carol.phone);
  },

  async unanswered(r) {
    const { callId } = await r.start('emergency', 'No heat, infant at home');
    await r.until(callId, 'UNANSWERED', (s) => s.status === 'UNANSWERED', 90_000);
    return r.closed(callId); // the grace period ends with nobody
  },

  async 'unanswered-late-accept'(r) {
    const { callId, code } = await r.start('emergency', 'Sewage backing up into the shower');
    await r.until(callId, 'UNANSWERED', (s) => s.status === 'UNANSWERED', 90_000);
    await r.reply(carol.phone, `YES ${code}`);
    return r.done(callId, carol.phone);
  },

  async cancelled(r) {
    const { callId } = await r.start('emergency', 'Gas smell in kitchen');
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE');
    const res = await r.stack.request('POST', `/api/dispatches/${callId}/cancel`);
    if (res.status !== 202) throw new Error(`cancel answered ${res.status}`);
    return r.closed(callId);
  },

  async routine(r) {
    const { callId, code } = await r.start('routine', 'Dripping tap');
    await r.until(callId, 'SCHEDULED', (s) => s.status === 'SCHEDULED');
    await r.messagesAre(callId, [callerPhone], 'CUSTOMER_NOTIFIED');
    await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE', 'delivered', 150_000); // the office opens
    await r.reply(bob.phone, `YES ${code}`);
    return r.done(callId, bob.phone);
  },

  async 'wake-up-call'(r) {
    const { callId } = await r.start('emergency', 'Gas smell in the basement');
    const rings = (s: DispatchState, phone: string) => s.calls.filter((c) => c.to === phone && c.callSid);
    await r.until(callId, 'first ring to both', (s) => rings(s, alice.phone).length >= 1 && rings(s, bob.phone).length >= 1);
    const voicemail = await r.stack.twilio.state.answerCall(bob.phone, { machine: true }); // presses nothing
    if (voicemail?.status !== 'completed') throw new Error(`voicemail: ${JSON.stringify(voicemail)}`);
    await r.until(callId, 'second ring to Alice', (s) => rings(s, alice.phone).length >= 2);
    const answered = await r.stack.twilio.state.answerCall(alice.phone, { digits: '1' });
    if (answered?.status !== 'completed') throw new Error(`key press: ${JSON.stringify(answered)}`);
    return r.done(callId, alice.phone);
  },

  'delivery-failure': (r) =>
    tier2AfterTier1Fails(r, 'undelivered', 'Water through the ceiling', () => {
      r.stack.twilio.state.undeliverable(alice.phone, 30003);
      r.stack.twilio.state.undeliverable(bob.phone, 30006);
    }),

  'send-error': (r) =>
    tier2AfterTier1Fails(r, 'failed', 'Burst pipe, water everywhere', () => {
      r.stack.twilio.state.failWith(alice.phone, 21610);
      r.stack.twilio.state.failWith(bob.phone, 21614);
    }),

  'twilio-outage': (r) =>
    faulted(r, () => r.stack.twilio.state.failNext(6, 503), async () => {
      const { callId, code } = await r.start('emergency', 'Pipe burst under the sink');
      await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE'); // on a retry each
      await r.reply(bob.phone, `YES ${code}`);
      return r.done(callId, bob.phone);
    }),

  'status-check': (r) =>
    faulted(r, () => r.stack.twilio.state.noCallbacks(true), async () => {
      const { callId, code } = await r.start('emergency', 'Boiler making a banging noise');
      await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE'); // learned by asking Twilio
      await r.reply(alice.phone, `YES ${code}`);
      return r.done(callId, alice.phone);
    }),

  async ivr(r) {
    const call = await r.stack.twilio.state.placeCall({ from: '+12125550166', digits: '1', speech: 'Water pouring through the ceiling at 5 Oak Lane' });
    if (call.status !== 'completed') throw new Error(`IVR call: ${JSON.stringify(call)}`);
    const callId = call.callSid;
    const paged = await r.messagesAre(callId, [alice.phone, bob.phone], 'PAGE');
    if (!/Water pouring/.test(paged.summary)) throw new Error(`IVR description missing: ${paged.summary}`);
    await r.reply(bob.phone, `YES ${paged.replyCode}`);
    return r.done(callId, bob.phone);
  },
};

/**
 * The paths of the on-call schedule run on a stack of their own (same server, own queue) whose
 * roster file holds a schedule and which reads it every second: the other paths page as before.
 */
async function recordSchedulePaths(main: Stack, client: Client, run: (name: string) => boolean, save: (name: string, workflowId: string) => Promise<void>): Promise<void> {
  const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  const stack = await Stack.start({
    temporal: main.temporal,
    schedule: {},
    env: { DISPATCH_T1: T1, DISPATCH_T2: T2, DISPATCH_MAX_ROUNDS: '1', BUSINESS_HOURS: 'Mon-Sun 00:00-23:59', BUSINESS_TIMEZONE: 'UTC', ROSTER_REFRESH: '1s', ONCALL_REMINDER_LEAD: '5s', COVERAGE_HORIZON: '1m' },
  });
  try {
    const r = new Recorder(stack, client);
    const rotation = { name: 'Tier 1', tier: 1 as const, members: [alice.name, bob.name], start: inSeconds(10), shiftHours: 0.01, active: true };
    const gap = { name: 'Bob away', technician: 'Erin Inactive', tier: 1 as const, start: inSeconds(50), end: inSeconds(56), replaces: bob.name };
    const cover = { name: 'Carol covers Alice', technician: carol.name, tier: 1 as const, start: inSeconds(-60), end: inSeconds(3600), replaces: alice.name };
    stack.setSchedule({ rotations: [{ ...rotation, start: inSeconds(-3600), shiftHours: 168 }], overrides: [cover] });
    if (run('schedule-override')) {
      await waitFor('the schedule read', async () => (await stack.request('GET', '/api/oncall')).body?.onCall?.[1]?.[0]?.name === carol.name);
      const { callId, code } = await r.start('emergency', 'Frozen pipe burst in the garage');
      await r.messagesAre(callId, [carol.phone], 'PAGE');
      await r.reply(carol.phone, `YES ${code}`);
      await save('schedule-override', await r.done(callId, carol.phone));
    }
    if (run('oncall-schedule')) {
      stack.setSchedule({ rotations: [rotation], overrides: [gap] });
      const texts = (phone: string, pattern: RegExp) => stack.phone(phone).texts().filter((m) => pattern.test(m.body)).length;
      await waitFor('two hand-off reminders and a gap alert', () => texts(alice.phone, /on call for tier 1/) + texts(bob.phone, /on call for tier 1/) >= 2 && texts(ROSTER[3]!.phone, /nobody is on call/) >= 1, 90_000, 250);
      await save('oncall-schedule', onCallWorkflowIdFor(stack.env.TEMPORAL_TASK_QUEUE!));
    }
  } finally {
    await stack.stop();
  }
}

/**
 * The paths of busy technicians and bundles (spec section 10) run on a stack of their own (same
 * server, own queue) with only tier 1 and 2 on call and bundling on; the phone's workflow is taken
 * after them.
 */
async function recordPhonePaths(main: Stack, client: Client, run: (name: string) => boolean, save: (name: string, workflowId: string) => Promise<void>): Promise<void> {
  const stack = await Stack.start({
    temporal: main.temporal,
    roster: [alice, bob, carol],
    env: { DISPATCH_T1: '30s', DISPATCH_T2: '60s', DISPATCH_MAX_ROUNDS: '1', BUSINESS_HOURS: 'Mon-Sun 00:00-23:59', BUSINESS_TIMEZONE: 'UTC', PAGE_BUNDLE_WINDOW: '5s', BUSY_FOR: '10m' },
  });
  try {
    const r = new Recorder(stack, client);
    const onJob = async (phone: string, summary: string) => {
      const job = await r.start('emergency', summary);
      await r.until(job.callId, 'paged', (s) => s.messages.some((m) => m.to === phone && m.kind === 'PAGE' && m.status === 'delivered'));
      await r.reply(phone, `YES ${job.code}`);
      await r.until(job.callId, 'the accept confirmed', (s) => s.status === 'ACCEPTED');
      return job;
    };
    const finish = async (job: { callId: string }, phone: string) => r.done(job.callId, phone);
    // A phone's history is taken after every path: recording it plays them all (each saved only if asked).
    const plays = (name: string) => run(name) || run('phone') || run('phone-steady-timer');
    if (plays('busy-skipped') || plays('busy-all-paged')) {
      const boiler = await onJob(alice.phone, 'Boiler out, no heat');
      const pipe = await r.start('emergency', 'Burst pipe under the sink');
      await r.messagesAre(pipe.callId, [bob.phone], 'PAGE');
      await r.reply(bob.phone, `YES ${pipe.code}`);
      if (plays('busy-all-paged')) {
        // Alice and Bob are both on a job; Carol (tier 2) is made busy too.
        const roof = await onJob(carol.phone, 'Roof leak over the wiring');
        const flood = await r.start('emergency', 'Flooded basement');
        const paged = await r.messagesAre(flood.callId, [alice.phone, bob.phone], 'PAGE');
        if (!paged.messages.some((m) => m.to === bob.phone && m.kind === 'PAGE')) throw new Error('Bob was not paged');
        await r.reply(bob.phone, `YES ${flood.code}`);
        await finish(roof, carol.phone);
        const flooded = await finish(flood, bob.phone);
        if (run('busy-all-paged')) await save('busy-all-paged', flooded);
      }
      const skipped = await finish(pipe, bob.phone);
      if (run('busy-skipped')) await save('busy-skipped', skipped);
      await finish(boiler, alice.phone);
    }
    if (plays('bundled')) {
      // The first call's pages go at once; the next two, within the window, wait and go together.
      const jobs = [await r.start('emergency', 'Frozen pipe in the loft'), await r.start('emergency', 'Water heater burst'), await r.start('emergency', 'Radiator valve snapped')];
      for (const job of jobs) await r.messagesAre(job.callId, [alice.phone, bob.phone], 'PAGE');
      const [first, second, third] = jobs as [(typeof jobs)[number], (typeof jobs)[number], (typeof jobs)[number]];
      await r.reply(bob.phone, `YES ${first.code}`);
      await finish(first, bob.phone);
      await r.reply(bob.phone, `YES ${second.code}`);
      const bundled = await finish(second, bob.phone);
      if (run('bundled')) await save('bundled', bundled);
      await r.reply(bob.phone, `YES ${third.code}`);
      await finish(third, bob.phone);
    }
    // `phone` keeps the history of a release that started a timer every turn (before 'phone-steady-timer').
    for (const name of ['phone', 'phone-steady-timer'] as const) if (run(name)) await save(name, phoneWorkflowIdFor(stack.env.TEMPORAL_TASK_QUEUE!, bob.phone));
  } finally {
    await stack.stop();
  }
}

/**
 * Order matters where paths share phones: the routine call sleeps while the others run; the
 * wake-up call goes first, while no other dispatch rings the same phones; the paths with Twilio
 * faults on tier 1 run last, one at a time, once nothing else pages.
 */
const PLAN: Array<string[]> = [
  ['wake-up-call'],
  ['accepted'],
  ['declined-then-accepted'],
  ['cancelled'],
  ['ivr'],
  ['unanswered', 'unanswered-late-accept'],
  ['after-accept'],
  ['arrival-overdue'],
  ['delivery-failure'],
  ['status-check'],
  ['twilio-outage'],
  ['checks-end-when-final'],
  ['patches-taken'],
  ['first-read-local'],
  // Last: its refused numbers leave Alice's and Bob's phones unreachable, skipped by later pages.
  ['send-error'],
];
/** the writer's history is taken after this path's group */
const WRITER_AFTER = 'declined-then-accepted';
/** paths that set Twilio faults on the tier-1 phones */
const FAULTED = ['delivery-failure', 'send-error', 'status-check', 'twilio-outage'];

function commit(): string {
  const head = shortCommit(ROOT);
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'workflows', 'src/domain', 'src/contract'], { cwd: ROOT, encoding: 'utf8' }).trim();
  if (dirty) log(`WARNING: the workflow code has uncommitted changes; these histories are not from ${head}`);
  return dirty ? `${head}+uncommitted` : head;
}

/** The writer is idle once no write is pending and its history stopped growing. */
async function writerSettled(client: Client, workflowId: string): Promise<void> {
  let last = -1;
  await waitFor(`${workflowId} to settle`, async () => {
    const d = await client.workflow.getHandle(workflowId).describe();
    const pending = d.raw.pendingActivities?.length ?? 0;
    const length = d.historyLength;
    const settled = pending === 0 && length === last;
    last = length;
    return settled;
  }, 60_000, 2_000);
}

/** The writer given more rows than it holds during an Airtable outage: full, then open again once it has written them. */
async function fillAndDrainWriter(stack: Stack, client: Client): Promise<string> {
  const writerId = writerIdOf(stack);
  stack.airtable.state.setOutage(503);
  try {
    await fillWriter(client, stack);
    await waitFor('the writer to say it is full', async () => (await writerSaysFull(client, writerId)) === true, 15_000, 100);
  } finally {
    stack.airtable.state.setOutage(null);
  }
  await waitFor('the writer to say it is open', async () => (await writerSaysFull(client, writerId)) === false, 120_000, 250);
  await writerSettled(client, writerId);
  return writerId;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const name of wanted) if (!FIXTURES.some((f) => f.name === name)) throw new Error(`no such path: ${name} (see test/replay/fixtures.ts)`);
  const all = wanted.length === 0;
  const run = (name: string) => all || wanted.includes(name);
  const recordedFrom = commit();

  log('bundling the workflows of this checkout');
  await setup();
  const routine = run('routine');
  const stack = await Stack.start({
    env: {
      DISPATCH_T1: T1,
      DISPATCH_T2: T2,
      DISPATCH_MAX_ROUNDS: '1',
      DISPATCH_GRACE: GRACE,
      DISPATCH_STATUS_CHECK: STATUS_CHECK,
      DISPATCH_VOICE_REPEAT: VOICE_REPEAT,
      BUSINESS_HOURS: routine ? hoursOpeningSoon(60_000) : 'Mon-Sun 00:00-23:59',
      BUSINESS_TIMEZONE: 'UTC',
      // An accepted dispatch follows its job until DONE or BUSY_FOR (spec section 11).
      DEFAULT_ETA: DEFAULT_ETA,
      ARRIVAL_GRACE: ARRIVAL_GRACE,
      BUSY_FOR: BUSY_FOR,
    },
  });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection });
  const recorder = new Recorder(stack, client);
  const entries: ManifestEntry[] = [];
  const spec = (name: string) => FIXTURES.find((f) => f.name === name)!;
  const save = async (name: string, workflowId: string) => {
    const events = exportHistory(stack.temporal.address, workflowId, name, log).length;
    const { workflowType, path, closed } = spec(name);
    entries.push({ name, workflowId, workflowType, path, closed, recordedFrom, events });
  };
  let writerSaved = false;
  const saveWriter = async () => {
    const writerId = auditWriterIdFor(stack.env.TEMPORAL_TASK_QUEUE!, stack.env.AIRTABLE_BASE_ID!);
    await writerSettled(client, writerId);
    await save('audit-writer', writerId);
    writerSaved = true;
  };
  try {
    // The routine call sleeps until the office opens while the other paths run.
    const routineDone = routine ? scenarios.routine!(recorder) : undefined;
    routineDone?.catch(() => undefined);
    let routineSaved = !routineDone;
    for (const group of PLAN) {
      const names = group.filter(run);
      if (!names.length) continue;
      // Twilio faults on tier 1 must not meet the routine call's pages: it finishes first.
      if (!routineSaved && FAULTED.includes(group[0]!)) {
        log('waiting for the routine call (it pages when the office opens)');
        await save('routine', await routineDone!);
        routineSaved = true;
      }
      log(`playing ${names.join(' + ')}`);
      const ids = await Promise.all(names.map((name) => scenarios[name]!(recorder)));
      for (const [i, name] of names.entries()) await save(name, ids[i]!);
      // The writer's history grows with every dispatch: taken once it has served a few, it shows
      // all it does (merging, both tables, batches) at a fraction of the size.
      if (run('audit-writer') && !writerSaved && group.includes(WRITER_AFTER)) await saveWriter();
    }
    if (!routineSaved) await save('routine', await routineDone!);
    if (run('schedule-override') || run('oncall-schedule')) {
      log('playing the on-call schedule');
      await recordSchedulePaths(stack, client, run, save);
    }

    if (['busy-skipped', 'busy-all-paged', 'bundled', 'phone', 'phone-steady-timer'].some(run)) {
      log('playing busy technicians and a bundle');
      await recordPhonePaths(stack, client, run, save);
    }

    if (run('audit-writer') && !writerSaved) await saveWriter();
    // Last, once nothing else forwards: the writer turns full and open again (its back-pressure).
    if (run('audit-writer-full')) {
      log('filling the Airtable writer past its bound while Airtable is down');
      await save('audit-writer-full', await fillAndDrainWriter(stack, client));
    }
    writeManifest(entries);
    log(`manifest: ${entries.length} fixture(s) written`);
  } finally {
    await connection.close();
    await stack.stop();
  }
}

runRecorder(main);
