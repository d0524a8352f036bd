// The dispatch workflow in simulated time: Temporal's time-skipping test server, the real workflow
// bundle, production timers, and every activity faked in memory (Twilio, the roster, metrics, the
// phones' workflows, the hand-off to the Airtable writer). A test places a call, plays the technicians' side, and moves
// the clock: minutes of a real dispatch pass in milliseconds.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs, type Duration } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { dispatchInputFor } from '../../../src/client/dispatchService';
import { loadConfig, type Config } from '../../../src/config';
import type { AuditForwardActivities, DispatchActivities, PhoneActivities } from '../../../src/contract/activities';
import { AUDIT_GATHER_TIMER, auditTaskQueueFor, type AuditOp } from '../../../src/contract/audit';
import { callerMessageUpdate, deliverySignal, DISPATCH_WORKFLOW_TASK_TIMEOUT, replyUpdate, stateQuery, workflowIdFor, type DeliveryReport } from '../../../src/contract/dispatch';
import { SEARCH_ATTRIBUTES } from '../../../src/contract/searchAttributes';
import { mergeRow } from '../../../src/domain/airtable/rowMerge';
import { replyCodeFor } from '../../../src/domain/dispatch/replyCode';
import type {
  CallRow,
  DeliveryStatus,
  DispatchEventRow,
  DispatchInput,
  DispatchOutcome,
  DispatchRequest,
  DispatchState,
  MessageKind,
  ReplyResult,
  SmsRequest,
  Technician,
  TechnicianReply,
  Tier,
  VoiceCallRequest,
} from '../../../src/domain/types';
import { ensureTestServer } from '../../../src/temporal/testServer';
import { onCallAt, type Override, type Rotation, type Schedule } from '../../../src/domain/roster/schedule';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { ARTIFACTS, BUNDLE_PATH, ROOT } from '../../support/paths';
import { FakePhones } from './fakePhones';
import { scheduledAt, simulatedClock } from './simulatedClock';
import { FakeTwilio, type Sms } from './fakeTwilio';

export const alice: Technician = { name: 'Alice', phone: '+12125550101', tier: 1, active: true };
export const bob: Technician = { name: 'Bob', phone: '+12125550102', tier: 1, active: true };
export const carol: Technician = { name: 'Carol', phone: '+12125550103', tier: 2, active: true };
export const dave: Technician = { name: 'Dave', phone: '+12125550104', tier: 3, active: true };
export const erin: Technician = { name: 'Erin', phone: '+12125550105', tier: 1, active: false };
export const ROSTER = [alice, bob, carol, dave, erin];
export const CALLER = '+12125550199';

/** The product's configuration with nothing set: production timers (T1 2 min, T2 5 min, …). */
export const PRODUCTION: Config = loadConfig({ BUSINESS_NAME: 'Acme Plumbing' });

/** How far from any of the dispatch's timers a test's outside event must land (simulated ms). */
const CLEAR_OF_TIMERS_MS = 5_000;

const KIND_WORDS: Record<MessageKind, string> = {
  PAGE: 'page',
  FOLLOW_UP: 'follow-up',
  STAND_DOWN: 'stand-down',
  CUSTOMER_NOTIFIED: 'caller told',
  ASSIGNMENT: 'job details',
  ALERT: 'alert',
  ONCALL_REMINDER: 'hand-off reminder',
  COVERAGE_GAP: 'coverage alert',
  CHECK_IN: 'check-in',
  OVERDUE_ALERT: 'overdue alert',
  CALLER_MESSAGE: 'caller message',
};

export class Simulation {
  twilio!: FakeTwilio;
  roster: Technician[] = ROSTER;
  /** rotations and overrides over the roster; none: every Active technician of a tier is on call */
  rotations: Rotation[] = [];
  overrides: Override[] = [];
  /** rows handed to the Airtable writer, in order */
  audit: AuditOp[] = [];
  /** each hand-off to the writer: when Temporal scheduled it (simulated epoch ms) and its rows */
  auditHandOffs: Array<{ at: number; ops: AuditOp[] }> = [];
  outcomes: DispatchOutcome[] = [];
  private calls: Call[] = [];

  private constructor(
    readonly env: TestWorkflowEnvironment,
    /** what each phone's workflow would know: its jobs and codes, its busy job, its wake-up calls */
    readonly phones: FakePhones,
    private readonly taskQueue: string,
    private readonly workers: Worker[],
    private readonly running: Promise<unknown>,
  ) {}

  /**
   * `rebuiltEveryStep`: the worker keeps no workflow in memory, so every step of a dispatch (each
   * workflow task) starts from its history by replay, as on a worker started afresh after a crash
   * or a deploy. (Replacing the worker itself does not work here: the test server hands tasks to
   * the stopped worker's dangling polls and waits out their timeouts in real time.)
   */
  static async start(opts: { rebuiltEveryStep?: boolean } = {}): Promise<Simulation> {
    quietSdkLogs();
    const server = ensureTestServer(() => undefined);
    if (!server) throw new Error('no Temporal test server: set TEMPORAL_TEST_SERVER_PATH or let the tests install it');
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: server.path } } });
    let sim: Simulation | undefined;
    try {
      await registerSearchAttributes(env);
      // The activities of a running worker are fixed; each test gets fresh fakes behind them.
      const current = () => sim!;
      const taskQueue = `sim-${randomUUID().slice(0, 8)}`;
      const phones = new FakePhones();
      const twilio = {
        sendSms: (req: SmsRequest) => current().twilio.sendSms(req),
        ringTechnician: (req: VoiceCallRequest) => current().twilio.ringTechnician(req),
      };
      const now = simulatedClock(env);
      // Who is on call at the simulated moment the step pages.
      const loadOnCall = async (tier: Tier) => {
        const { technicians, ...schedule } = current().schedule();
        return onCallAt({ technicians, ...schedule }, tier, await now());
      };
      const dispatchActivities: DispatchActivities & PhoneActivities = {
        ...twilio,
        fetchMessageStatus: (sid) => current().twilio.fetchMessageStatus(sid),
        loadRoster: async () => current().roster,
        loadOnCall,
        reportOutcome: async (outcome) => void current().outcomes.push(outcome),
        ...phones.activities({ now, loadOnCall, ...twilio }),
      };
      const forward: AuditForwardActivities = {
        forwardAudit: async (ops) => {
          current().audit.push(...ops);
          current().auditHandOffs.push({ at: scheduledAt(), ops });
        },
      };
      const workers = await Promise.all([
        Worker.create({
          connection: env.nativeConnection,
          taskQueue,
          workflowBundle: { codePath: BUNDLE_PATH },
          activities: dispatchActivities,
          ...(opts.rebuiltEveryStep ? { maxCachedWorkflows: 0 } : {}),
        }),
        // The workflow hands its audit rows over on the audit queue, as in production.
        Worker.create({ connection: env.nativeConnection, taskQueue: auditTaskQueueFor(taskQueue), activities: forward }),
      ]);
      sim = new Simulation(env, phones, taskQueue, workers, Promise.all(workers.map((w) => w.run())));
      await sim.reset();
      await sim.warmUp();
      return sim;
    } catch (err) {
      if (sim) await sim.stop().catch(() => undefined);
      else await env.teardown();
      throw err;
    }
  }

  /** A worker's first workflow pays for loading the bundle: pay it here rather than in the first test. */
  private async warmUp(): Promise<void> {
    this.roster = []; // nobody to page: straight to UNANSWERED
    await (await this.call({ urgency: 'emergency' })).finished();
    await this.reset();
  }

  /** Fresh phones, roster and records for the next test; any dispatch still running is ended. */
  async reset(): Promise<void> {
    // One at a time: cancels in parallel can leave the test server's clock stopped for good.
    for (const call of this.calls) await call.endIfRunning();
    this.calls = [];
    this.phones.forget();
    this.twilio = new FakeTwilio((callId, report) => this.env.client.workflow.getHandle(workflowIdFor(callId)).signal(deliverySignal, report));
    this.roster = ROSTER;
    this.rotations = [];
    this.overrides = [];
    this.audit = [];
    this.auditHandOffs = [];
    this.outcomes = [];
  }

  async stop(): Promise<void> {
    await this.reset();
    for (const w of this.workers) w.shutdown();
    await this.running.catch(() => undefined);
    await this.env.teardown();
  }

  /** The simulated clock, epoch ms. */
  now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  /** Lets `duration` of simulated time pass; every timer due meanwhile fires on time. */
  advance(duration: Duration): Promise<void> {
    return this.env.sleep(duration);
  }

  /** A call comes in: the dispatch starts as the API starts it, with production timers. */
  async call(request: Partial<DispatchRequest> & Pick<DispatchRequest, 'urgency'>, config: Config = PRODUCTION): Promise<Call> {
    const callId = request.callId ?? `CA${randomUUID().replace(/-/g, '')}`;
    const full: DispatchRequest = { callId, callerPhone: CALLER, summary: 'Burst pipe in the basement', ...request };
    const input = dispatchInputFor(config, full, new Date(await this.now()), replyCodeFor(callId));
    const handle = await this.env.client.workflow.start('dispatchWorkflow', {
      workflowId: workflowIdFor(callId),
      taskQueue: this.taskQueue,
      args: [input],
      workflowTaskTimeout: DISPATCH_WORKFLOW_TASK_TIMEOUT,
    });
    const call = new Call(this, handle as WorkflowHandle, input);
    this.calls.push(call);
    return call;
  }

  schedule(): Schedule {
    return { technicians: this.roster, rotations: this.rotations, overrides: this.overrides, timeZone: PRODUCTION.businessHours.timeZone };
  }

  nameOf(phone: string): string {
    return phone === CALLER ? 'caller' : (ROSTER.find((t) => t.phone === phone)?.name ?? phone);
  }
}

/** Started simulations by their options, shared by every scenario module one test file imports. */
const shared = new Map<string, { users: number; started: Promise<Simulation> }>();

/**
 * The simulation of a scenario module (or of the describe block it is called in): started before
 * its tests, or joined when another module of the same test file started one with the same
 * options (one time-skipping server and one worker for them all: test/workflow/simulatedTime.test.ts);
 * fresh phones and records after each test, stopped after the last module's tests. Used like the
 * Simulation itself.
 */
export function simulationForTests(opts: Parameters<typeof Simulation.start>[0] = {}): Simulation {
  vi.setConfig({ testTimeout: 15_000 });
  const key = JSON.stringify(opts);
  let current: Simulation | undefined;
  beforeAll(async () => {
    let entry = shared.get(key);
    if (!entry) shared.set(key, (entry = { users: 0, started: Simulation.start(opts) }));
    entry.users++;
    current = await entry.started;
  });
  afterEach(async () => current?.reset());
  afterAll(async () => {
    const entry = shared.get(key);
    if (!entry || --entry.users > 0) return;
    shared.delete(key);
    await current?.stop();
  });
  const started = (): Simulation => {
    if (!current) throw new Error('the simulation starts before the first test (beforeAll)');
    return current;
  };
  return new Proxy({} as Simulation, {
    get: (_target, name) => {
      const value: unknown = Reflect.get(started(), name);
      return typeof value === 'function' ? value.bind(started()) : value;
    },
    set: (_target, name, value) => Reflect.set(started(), name, value),
  });
}

/** One dispatch under test, seen from the phones and from ops (the `state` query). */
export class Call {
  private started?: number;

  constructor(
    private readonly sim: Simulation,
    readonly handle: WorkflowHandle,
    readonly input: DispatchInput,
  ) {}

  get callId(): string {
    return this.input.callId;
  }

  get code(): string {
    return this.input.replyCode;
  }

  async state(): Promise<DispatchState> {
    try {
      return await this.handle.query(stateQuery);
    } catch (err) {
      // A query of a dispatch out of the cache replays its history: keep the history that failed
      // to replay, so the failure can be replayed again (Worker.runReplayHistory) and explained.
      if (!/Nondeterminism/.test(String(err))) throw err;
      const file = path.join(ARTIFACTS, `nondeterminism-${this.handle.workflowId}.json`);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(await this.handle.fetchHistory()));
      throw new Error(`${String(err)} (its history: ${path.relative(ROOT, file)})`, { cause: err });
    }
  }

  /** A technician's answer, by SMS or by a key press on a wake-up call: what their phone is told. */
  async reply(tech: Pick<Technician, 'phone'>, decision: TechnicianReply['decision'], via: TechnicianReply['via'] = 'sms', etaMinutes?: number): Promise<ReplyResult> {
    await this.clearOfTimers(`a reply from ${this.sim.nameOf(tech.phone)}`);
    const reply: TechnicianReply = { phone: tech.phone, decision, via, ...(etaMinutes === undefined ? {} : { etaMinutes }) };
    return this.handle.executeUpdate(replyUpdate, { args: [reply] });
  }

  /** YES, or `YES <code> <minutes>` with an ETA. */
  accept(tech: Pick<Technician, 'phone'>, via: TechnicianReply['via'] = 'sms', etaMinutes?: number): Promise<ReplyResult> {
    return this.reply(tech, 'accept', via, etaMinutes);
  }

  /** `ETA <code> <minutes>` (spec section 11). */
  eta(tech: Pick<Technician, 'phone'>, minutes: number): Promise<ReplyResult> {
    return this.reply(tech, 'eta', 'sms', minutes);
  }

  /** `ARRIVED <code>`. */
  arrived(tech: Pick<Technician, 'phone'>): Promise<ReplyResult> {
    return this.reply(tech, 'arrived');
  }

  /** `DONE <code>`. */
  done(tech: Pick<Technician, 'phone'>): Promise<ReplyResult> {
    return this.reply(tech, 'done');
  }

  /**
   * The job after the accept ends the way it should: the technician texts DONE once the accept is
   * confirmed, and the dispatch closes COMPLETED. Its final state.
   */
  async complete(tech: Pick<Technician, 'phone'>): Promise<DispatchState> {
    await this.stateWhen('the accept to be confirmed', (s) => s.status === 'ACCEPTED' || s.status === 'ON_SITE');
    const answer = await this.done(tech);
    if (answer.outcome !== 'completed') throw new Error(`DONE from ${this.sim.nameOf(tech.phone)} was answered ${answer.outcome}: ${answer.message}`);
    return this.finished();
  }

  /** The caller texts the business's number (spec section 12): what the caller's phone is told. */
  async callerText(body: string): Promise<string> {
    await this.clearOfTimers('a text from the caller');
    return this.handle.executeUpdate(callerMessageUpdate, { args: [{ phone: this.input.callerPhone, body }] });
  }

  decline(tech: Pick<Technician, 'phone'>): Promise<ReplyResult> {
    return this.reply(tech, 'decline');
  }

  /** A Twilio status callback for one of this dispatch's texts. */
  async report(sms: Sms, status: DeliveryStatus, errorCode?: number): Promise<void> {
    await this.clearOfTimers('a status callback');
    const report: DeliveryReport = { key: sms.key, messageSid: sms.sid, status, errorCode };
    await this.handle.signal(deliverySignal, report);
  }

  /** Ops press "Request Cancellation" (or the API's cancel). */
  async cancel(): Promise<void> {
    await this.clearOfTimers('a cancel');
    await this.handle.cancel();
  }

  /**
   * Refuses to send an outside event within a few seconds of one of the dispatch's timers: the
   * time-skipping test server fails the workflow task that handles an outside event while a timer
   * it cancels fires (the real server takes that in its stride). The dispatch's timers fall on
   * whole minutes after its steps start, so half minutes ("1:30") are usually clear.
   */
  private async clearOfTimers(what: string): Promise<void> {
    const clash = await this.timerNearNow();
    if (clash !== undefined) {
      throw new Error(`${what} at ${await this.now()} would land on a timer of the dispatch (due at ${await this.clock(clash)}): move it by more than ${CLEAR_OF_TIMERS_MS / 1000} s`);
    }
  }

  /**
   * When one of the dispatch's timers fires (or fired) within CLEAR_OF_TIMERS_MS of now, if one does.
   * Not the audit lane's: only the dispatch's close cancels it, never the task of an outside event.
   */
  private async timerNearNow(): Promise<number | undefined> {
    const fireTimes: number[] = [];
    for (const e of (await this.handle.fetchHistory()).events ?? []) {
      const timer = e.timerStartedEventAttributes;
      if (timer && summaryOf(e) !== AUDIT_GATHER_TIMER) fireTimes.push(optionalTsToMs(e.eventTime)! + optionalTsToMs(timer.startToFireTimeout)!);
    }
    const now = await this.sim.now();
    return fireTimes.find((at) => Math.abs(at - now) < CLEAR_OF_TIMERS_MS);
  }

  /** Lets simulated time run until the dispatch has finished everything; its final state. */
  finished(): Promise<DispatchState> {
    return this.handle.result() as Promise<DispatchState>;
  }

  /** Waits (wall clock, briefly) for the workflow to text `to` a message of `kind`; the nth such text. */
  received(to: Technician | string, kind: MessageKind, nth = 1): Promise<Sms> {
    const phone = typeof to === 'string' ? to : to.phone;
    return this.sim.twilio.until(`${this.sim.nameOf(phone)} to get ${KIND_WORDS[kind]} #${nth}`, () => this.texts({ to: phone, kind })[nth - 1]);
  }

  /** Waits until the state satisfies `ready` (after a reply or signal the workflow acts on at once). */
  async stateWhen(what: string, ready: (s: DispatchState) => boolean): Promise<DispatchState> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const state = await this.state();
      if (ready(state)) return state;
      if (Date.now() > deadline) throw new Error(`waited 5 s (wall clock) for ${what}; state: ${JSON.stringify(state, null, 1)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  texts(filter: { to?: string; kind?: MessageKind } = {}): Sms[] {
    return this.sim.twilio.texts.filter(
      (t) => t.callId === this.callId && (!filter.to || t.to === filter.to) && (!filter.kind || t.kind === filter.kind),
    );
  }

  /**
   * The dispatch's 0:00: when it first texted anyone (a page, or a routine caller's notice), as
   * Temporal scheduled the send. Its ladder's clock starts there. Simulated epoch ms.
   */
  async startedAt(): Promise<number> {
    const deadline = Date.now() + 5_000;
    while (this.started === undefined) {
      const history = await this.handle.fetchHistory();
      // A page is the phone workflow's (pageTechnician) in dispatches since section 10, a plain send before.
      const firstSend = history.events?.find((e) => ['sendSms', 'pageTechnician'].includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''));
      this.started = optionalTsToMs(firstSend?.eventTime);
      if (this.started === undefined) {
        if (Date.now() > deadline) throw new Error(`${this.callId} never sent a text`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    return this.started;
  }

  /**
   * Moves the simulated clock to `clock` ("m:ss" or "h:mm:ss") of this dispatch; every timer due
   * meanwhile fires on time. (Reply, report or cancel clear of the dispatch's timers: see clearOfTimers.)
   */
  async at(clock: string): Promise<void> {
    const target = (await this.startedAt()) + parseOffset(clock);
    const now = await this.sim.now();
    if (target < now) throw new Error(`the clock is already past ${clock} (${formatOffset(now - (await this.startedAt()))})`);
    await this.sim.advance(target - now);
  }

  /** The dispatch's simulated time now, "m:ss". */
  async now(): Promise<string> {
    return formatOffset((await this.sim.now()) - (await this.startedAt()));
  }

  /** Simulated time since the dispatch began, as "m:ss" (or "h:mm:ss"). */
  async clock(epochMs: number | string): Promise<string> {
    const at = typeof epochMs === 'string' ? Date.parse(epochMs) : epochMs;
    return formatOffset(at - (await this.startedAt()));
  }

  /**
   * Everything this dispatch made a phone do (from `from` on), in simulated time: "2:00 follow-up →
   * Alice", "4:00 ring → Bob". Lines of the same time are in roster order (the caller last), then by kind.
   */
  async timeline(from = '0:00'): Promise<string[]> {
    const t0 = await this.startedAt();
    const fromMs = parseOffset(from);
    return this.happenings((at) => formatOffset(at - t0)).filter((line) => parseOffset(line.split(' ')[0]!) >= fromMs);
  }

  /** The same, on the wall clock of `timeZone` to the minute: "Mon 08:00 page → Alice". */
  wallClockTimeline(timeZone: string): string[] {
    return this.happenings((at) => wallClock(at, timeZone));
  }

  /** Texts and rings as "<time> <what> → <who>"; equal times in roster order (the caller last), then by kind. */
  private happenings(clock: (at: number) => string): string[] {
    const rank = (who: string) => (who === 'caller' ? ROSTER.length : ROSTER.findIndex((t) => t.name === who));
    return [
      ...this.texts().map((t) => ({ at: t.at, who: this.sim.nameOf(t.to), what: KIND_WORDS[t.kind] })),
      ...this.sim.twilio.rings.filter((r) => r.callId === this.callId).map((r) => ({ at: r.at, who: this.sim.nameOf(r.to), what: 'ring' })),
    ]
      .map((l) => ({ ...l, time: clock(l.at) }))
      // Sorted by time first; a time reads the same for events a few milliseconds apart.
      .sort((a, b) => (a.time === b.time ? rank(a.who) - rank(b.who) || a.what.localeCompare(b.what) : a.at - b.at))
      .map((l) => `${l.time} ${l.what} → ${l.who}`);
  }

  /** When the workflow asked Twilio for a text's status itself: "1:00 Alice". */
  async statusChecks(): Promise<string[]> {
    const mine = new Map(this.texts().map((t) => [t.sid, t]));
    const checks = this.sim.twilio.statusChecks.filter((c) => mine.has(c.sid));
    return Promise.all(checks.map(async (c) => `${await this.clock(c.at)} ${this.sim.nameOf(mine.get(c.sid)!.to)}`));
  }

  /** This dispatch's Dispatch Events rows as the Airtable writer would hold them (partial updates merged), by key. */
  auditEvents(): DispatchEventRow[] {
    const rows = new Map<string, DispatchEventRow>();
    for (const op of this.sim.audit) {
      if (op.table !== 'events' || op.row.callId !== this.callId) continue;
      rows.set(op.row.eventKey, mergeRow(rows.get(op.row.eventKey), op.row));
    }
    return [...rows.values()].sort((a, b) => a.eventKey.localeCompare(b.eventKey));
  }

  /** This dispatch's Calls row as the Airtable writer would hold it (partial updates merged). */
  callRow(): CallRow {
    let row: CallRow = { callId: this.callId };
    for (const op of this.sim.audit) if (op.table === 'calls' && op.row.callId === this.callId) row = mergeRow(row, op.row as CallRow);
    return row;
  }

  /** What the Web UI lists and filters by: the dispatch's search attributes and its Current Details. */
  async seenByOps(): Promise<{ status: unknown; technician: unknown; details: string }> {
    const { searchAttributes } = await this.handle.describe();
    const metadata = await this.handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return { status: searchAttributes.DispatchStatus?.[0], technician: searchAttributes.DispatchTechnician?.[0], details: metadata.currentDetails ?? '' };
  }

  /** The summaries the event history shows for the dispatch's timers and activities, in order. */
  async historySummaries(): Promise<string[]> {
    const summaries: string[] = [];
    for (const e of (await this.handle.fetchHistory()).events ?? []) {
      const summary = summaryOf(e);
      if (summary !== undefined) summaries.push(summary);
    }
    return summaries;
  }

  /**
   * The dispatch's activities on its own clock, in ms since its 0:00: when each was scheduled and
   * when it completed (undefined while it runs or if it failed), with its summary ("SMS page: Alice").
   */
  async activityTimes(): Promise<Array<{ summary: string; scheduledMs: number; completedMs?: number }>> {
    const t0 = await this.startedAt();
    const byId = new Map<number, { summary: string; scheduledMs: number; completedMs?: number }>();
    for (const e of (await this.handle.fetchHistory()).events ?? []) {
      const at = optionalTsToMs(e.eventTime)! - t0;
      const summary = summaryOf(e);
      if (e.activityTaskScheduledEventAttributes && summary !== undefined) byId.set(Number(e.eventId), { summary, scheduledMs: at });
      const completed = byId.get(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId));
      if (completed) completed.completedMs = at;
    }
    return [...byId.values()];
  }

  /**
   * Ends the dispatch if it still runs, the way ops would: a cancel it handles and finishes. (The
   * test server holds its clock still while an activity or workflow task is in flight, and a
   * workflow terminated under one leaves the clock held, so every later test would run in real
   * time.) Terminated only if it does not finish within a few seconds.
   */
  async endIfRunning(): Promise<void> {
    if ((await this.handle.describe()).status.name !== 'RUNNING') return;
    // Clear of its timers, like any outside event (they are at least 30 s apart).
    if ((await this.timerNearNow()) !== undefined) await this.sim.advance(2 * CLEAR_OF_TIMERS_MS);
    await this.handle.cancel();
    const finished = this.handle.result().then(
      () => true,
      () => true,
    );
    const timedOut = new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000).unref());
    if (!(await Promise.race([finished, timedOut]))) await this.handle.terminate('test over: did not finish after a cancel');
  }
}

/** The Web UI's summary of a history event (a timer's or an activity's), if it has one. */
function summaryOf(event: temporal.api.history.v1.IHistoryEvent): string | undefined {
  const summary = event.userMetadata?.summary;
  return summary?.data ? defaultPayloadConverter.fromPayload<string>(summary as never) : undefined;
}

/** "2:00" → 120000, "1:04:00" → 3840000 */
export function parseOffset(clock: string): number {
  const parts = clock.split(':').map(Number);
  if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 0)) throw new Error(`not a clock offset: ${clock}`);
  return parts.reduce((total, p) => total * 60 + p, 0) * 1000;
}

/**
 * A duration as "m:ss" (or "h:mm:ss"), to the nearest 5 seconds. The test server lets real time
 * pass while a worker thinks, so each step of a long ladder lands a few milliseconds late in
 * simulated time (up to a second in all on a busy machine); every timer of the product is a
 * multiple of 30 seconds, so the coarser reading hides nothing a test could mean.
 */
export function formatOffset(ms: number): string {
  const total = Math.round(ms / 5000) * 5;
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** "Mon 08:00" in `timeZone`. */
export function wallClock(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(epochMs);
}

/** The dispatch upserts its custom search attributes; the test server must know them first. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const types = { Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, types[type]])),
  });
}

/** Errors only: the SDK warns about the test server's capabilities, and the workflow about every send a test makes fail. */
export function quietSdkLogs(): void {
  const noise = /heartbeat details|No workflows registered/;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR', ({ level, message, meta }) => {
        if (!noise.test(message)) console.error(`[temporal ${level}] ${message}`, meta ?? '');
      }),
    });
  } catch {
    // already installed in this process: keep it
  }
}
