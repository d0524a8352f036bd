// `npm run bench -- --only=replies`: technicians' SMS replies while dispatches come in at 8 a
// second, on the dev server and on the PostgreSQL-backed server of the production topology.
// Each dispatch follows a plan drawn from a seeded mix: accepted by a YES, declined by one tier-1
// technician then accepted by the other, cancelled through the API, or left silent to run the
// ladder to UNANSWERED. Replies go as inbound SMS through the Twilio stand-in (its signed webhook
// to the API) 1–15 s after the text they answer reached the phone. Measured: the webhook's answer
// time (request → TwiML), and lost races — a YES answered "yours" whose caller was told UNANSWERED,
// or a caller told both UNANSWERED and who comes — and whether the YES went before that text —
// and where the machine's CPU went meanwhile.
import type { EmulatedMessage } from '../emulators/twilio/messageStore';
import { customerAssignedText, customerUnansweredText } from '../src/domain/dispatch/messages';
import { ROSTER, type Stack } from '../test/support/stack';
import { newCallId, watchMessages } from './pages';
import { track } from './running';
import { cpuWindow, describeCpu, type CpuUse } from './cpu';
import { clusterName, startBenchCluster, withStack } from './servers';
import { percentile } from './stats';

type Rows = Array<[string, string]>;
type Plan = 'accept' | 'decline-then-accept' | 'cancel' | 'silent';

/**
 * Timers of seconds, so silent dispatches reach UNANSWERED (and the grace after it) within the run.
 * Each dispatch is a call of its own to the same two tier-1 technicians, answered as its page
 * arrives: so an accepted job frees its technician at once (BUSY_FOR 1 ms: a busy one would be
 * skipped by every later dispatch) and every page is a text of its own (no bundles).
 */
export const REPLIES_ENV = { DISPATCH_T1: '10s', DISPATCH_T2: '5s', DISPATCH_MAX_ROUNDS: '1', DISPATCH_GRACE: '30s', BUSINESS_NAME: 'Acme Plumbing', BUSY_FOR: '1ms', PAGE_BUNDLE_WINDOW: '0s' };
const MIX: Array<[Plan, number]> = [['accept', 0.4], ['decline-then-accept', 0.2], ['cancel', 0.15], ['silent', 0.25]];
const REPLY_DELAY_MS = [1_000, 15_000] as const;
const tier1 = ROSTER.filter((t) => t.tier === 1 && t.active);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Reply {
  word: 'YES' | 'NO';
  sentAt: number;
  answerMs: number;
  answer: string;
  /** the webhook's HTTP status; undefined when it gave no answer in time */
  status?: number;
  /** no answer within Twilio's webhook timeout */
  timedOut: boolean;
}

interface Run {
  plan: Plan;
  callerPhone: string;
  callId?: string;
  code?: string;
  pagedMs?: number;
  replies: Reply[];
  failure?: string;
  /** answered "yours", its caller not told when the bench stopped waiting: whether the dispatch's record has the text to the caller */
  callerTextListed?: boolean;
}

export interface RepliesResult {
  runs: Run[];
  startedPerSecond: number;
  minutes: number;
  /** the machine's CPU from the first start until the last reply was answered */
  cpu: CpuUse;
}

/** Deterministic draws, so a run can be repeated. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

/** The texts the stand-in stored, by recipient, and a wait for the first one to a phone that names a code. */
class Inboxes {
  private readonly byPhone = new Map<string, EmulatedMessage[]>();
  private readonly waiting = new Set<{ phone: string; code: RegExp; resolve: (m: EmulatedMessage | undefined) => void }>();
  readonly stop: () => void;

  constructor(stack: Stack) {
    this.stop = watchMessages(stack, (m) => {
      if (m.direction !== 'outbound-api') return;
      const inbox = this.byPhone.get(m.to) ?? [];
      if (!inbox.length) this.byPhone.set(m.to, inbox);
      inbox.push(m);
      for (const w of this.waiting) if (w.phone === m.to && w.code.test(m.body)) w.resolve(m);
    }, 20);
  }

  to(phone: string): EmulatedMessage[] {
    return this.byPhone.get(phone) ?? [];
  }

  first(phone: string, code: string, timeoutMs: number): Promise<EmulatedMessage | undefined> {
    const pattern = new RegExp(`\\b${code}\\b`);
    const known = this.to(phone).find((m) => pattern.test(m.body));
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.resolve(undefined), timeoutMs);
      const waiter = {
        phone,
        code: pattern,
        resolve: (m: EmulatedMessage | undefined) => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          resolve(m);
        },
      };
      this.waiting.add(waiter);
    });
  }
}

/** `perSecond` dispatches a second for `seconds`, each following its plan; waits for the outcomes. */
export async function repliesUnderLoad(stack: Stack, opts: { perSecond: number; seconds: number; seed?: number }): Promise<RepliesResult> {
  const random = seeded(opts.seed ?? 7);
  const delay = () => REPLY_DELAY_MS[0] + random() * (REPLY_DELAY_MS[1] - REPLY_DELAY_MS[0]);
  const inboxes = new Inboxes(stack);
  const total = Math.round(opts.perSecond * opts.seconds);
  /** how long a dispatch may wait for its page before it counts as not paged */
  const pageCapMs = 120_000;
  const began = Date.now();
  const endCpuWindow = cpuWindow();
  let lastStart = began;

  const reply = async (run: Run, phone: string, word: Reply['word']) => {
    const sentAt = Date.now();
    const t0 = performance.now();
    // The stand-in gives up after Twilio's 15 s, as Twilio does: the phone then gets no answer.
    const answer = await stack.twilio.state.reply(phone, `${word} ${run.code}`).catch(() => undefined);
    const answerMs = performance.now() - t0;
    run.replies.push({ word, sentAt, answerMs, answer: answer?.replies.join(' ') ?? '', status: answer?.status, timedOut: !answer });
  };

  const follow = async (i: number, run: Run, tech: string, other: string) => {
    await sleep(began + (i * 1000) / opts.perSecond - Date.now());
    const t0 = (lastStart = Date.now());
    const callId = (run.callId = newCallId('CAreply'));
    const { dispatch } = await stack.startDispatch({ callId, callerPhone: run.callerPhone, urgency: 'emergency', summary: 'Bench replies' }).catch((err: Error) => {
      throw new Error(`start: ${err.message}`);
    });
    run.code = dispatch.replyCode;
    const page = await inboxes.first(tech, run.code, pageCapMs);
    if (!page) throw new Error('not paged within the cap');
    run.pagedMs = page.dateCreated.getTime() - t0;
    await sleep(page.dateCreated.getTime() + delay() - Date.now());
    if (run.plan === 'accept') await reply(run, tech, 'YES');
    if (run.plan === 'decline-then-accept') {
      await reply(run, tech, 'NO');
      await sleep(delay());
      await reply(run, other, 'YES');
    }
    if (run.plan === 'cancel') {
      const res = await stack.request('POST', `/api/dispatches/${callId}/cancel`).catch((err: Error) => {
        throw new Error(`cancel: ${err.message}`);
      });
      if (res.status >= 300) throw new Error(`cancel answered HTTP ${res.status}`);
    }
  };

  const runs: Run[] = Array.from({ length: total }, (_, i) => {
    const r = random();
    let acc = 0;
    const plan = MIX.find(([, share]) => (acc += share) > r)?.[0] ?? 'silent';
    return { plan, callerPhone: `+1212555${String(2000 + i).padStart(4, '0')}`, replies: [] };
  });
  try {
    await Promise.all(
      runs.map((run, i) => {
        const t = Math.floor(random() * tier1.length);
        return follow(i, run, tier1[t]!.phone, tier1[(t + 1) % tier1.length]!.phone).catch((err: Error) => void (run.failure = err.message));
      }),
    );
    const cpu = endCpuWindow();
    // Outcomes: every accepted dispatch's caller told who comes, every silent one's told UNANSWERED.
    const settleBy = Date.now() + 90_000;
    while (Date.now() < settleBy && runs.some((run) => !settled(run, inboxes))) await sleep(500);
    await sleep(3_000); // texts still on their way
    for (const run of runs) classify(run, inboxes);
    // Told after the bench stopped waiting, or never: the dispatch's own record says.
    for (const run of runs) {
      if (!verdicts.get(run)?.unconfirmed || !run.callId) continue;
      const state = await stack.dispatch(run.callId).catch(() => undefined);
      run.callerTextListed = Boolean(state?.messages.some((m) => m.to === run.callerPhone && m.kind === 'CUSTOMER_NOTIFIED' && m.key.includes('/assigned/')));
    }
    return { runs, startedPerSecond: total / ((lastStart - began) / 1000), minutes: (Date.now() - began) / 60_000, cpu };
  } finally {
    inboxes.stop();
  }
}

function callerTexts(run: Run, inboxes: Inboxes) {
  const texts = inboxes.to(run.callerPhone);
  const unanswered = customerUnansweredText({ businessName: REPLIES_ENV.BUSINESS_NAME, replyCode: run.code });
  // who comes, and when when the accept named an ETA (it follows the text without one)
  const assigned = ROSTER.map((t) => customerAssignedText({ businessName: REPLIES_ENV.BUSINESS_NAME, technicianName: t.name, replyCode: run.code }));
  return { unanswered: texts.find((m) => m.body === unanswered), assigned: texts.find((m) => assigned.some((a) => m.body.startsWith(a))) };
}

const answeredYours = (run: Run, r: Reply) => r.word === 'YES' && r.answer.includes(`${run.code} is yours`);

function settled(run: Run, inboxes: Inboxes): boolean {
  if (run.failure || run.plan === 'cancel') return true;
  const { unanswered, assigned } = callerTexts(run, inboxes);
  return run.replies.some((r) => answeredYours(run, r)) ? Boolean(assigned) : run.plan === 'silent' ? Boolean(unanswered) : true;
}

/** What went wrong for one dispatch, if anything, in the words of the figures. */
interface Verdict {
  /** a YES answered "yours" and the caller told UNANSWERED, or a caller told both */
  lost: boolean;
  /** …with the YES sent before the UNANSWERED text reached the caller */
  yesFirst: boolean;
  bothTexts: boolean;
  yoursButUnanswered: boolean;
  /** answered "yours" but the caller never heard who comes */
  unconfirmed: boolean;
}
const verdicts = new WeakMap<Run, Verdict>();

function classify(run: Run, inboxes: Inboxes): void {
  const { unanswered, assigned } = callerTexts(run, inboxes);
  const yours = run.replies.some((r) => answeredYours(run, r));
  const firstYes = run.replies.find((r) => r.word === 'YES');
  const bothTexts = Boolean(unanswered && assigned);
  const yoursButUnanswered = yours && Boolean(unanswered);
  verdicts.set(run, {
    lost: bothTexts || yoursButUnanswered,
    yesFirst: Boolean(unanswered && firstYes && firstYes.sentAt < unanswered.dateCreated.getTime()),
    bothTexts,
    yoursButUnanswered,
    unconfirmed: yours && !assigned,
  });
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const spread = (replies: Reply[]) => {
  const times = replies.map((r) => r.answerMs);
  return `p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}, max ${ms(Math.max(...times))}`;
};

export function describeReplies(server: string, result: RepliesResult): Rows {
  const { runs } = result;
  const replies = runs.flatMap((r) => r.replies);
  const yes = runs.flatMap((run) => run.replies.filter((r) => r.word === 'YES').map((r) => ({ run, r })));
  const notYours = yes.filter(({ run, r }) => !answeredYours(run, r));
  const other = notYours.find(({ r }) => r.status === 200);
  const no = replies.filter((r) => r.word === 'NO');
  const count = (key: keyof Verdict) => runs.filter((run) => verdicts.get(run)?.[key]).length;
  const paged = runs.map((r) => r.pagedMs).filter((v): v is number => v !== undefined);
  const failures = runs.filter((r) => r.failure);
  const plans = MIX.map(([plan]) => `${runs.filter((r) => r.plan === plan).length} ${plan}`).join(', ');
  const label = `replies under load, ${server}`;
  return [
    [`${label}: load`, `${runs.length} dispatches at ${result.startedPerSecond.toFixed(1)}/s (${plans}) in ${result.minutes.toFixed(1)} min; first page p50 ${ms(percentile(paged, 50))}, p99 ${ms(percentile(paged, 99))} after the API call`],
    [`${label}: CPU from the first start to the last reply`, describeCpu(result.cpu)],
    [`${label}: webhook answer (request → TwiML), ${replies.length} replies`, `${spread(replies)}; YES ${spread(yes.map(({ r }) => r))}; NO ${spread(no)}`],
    [
      `${label}: answers`,
      `${yes.length - notYours.length} of ${yes.length} YES "yours"${other ? ` (other: "${other.r.answer.slice(0, 60)}")` : ''}, ${no.filter((r) => /declined/.test(r.answer)).length} of ${no.length} NO "declined"; ${replies.filter((r) => r.timedOut).length} webhooks unanswered in Twilio's 15 s, ${replies.filter((r) => r.status !== undefined && r.status !== 200).length} answered with an HTTP error`,
    ],
    [
      `${label}: lost races`,
      `${count('lost')}: ${count('yoursButUnanswered')} YES answered "yours" whose caller was told UNANSWERED, ${count('bothTexts')} callers told both; ` +
        `in ${runs.filter((run) => verdicts.get(run)?.lost && verdicts.get(run)?.yesFirst).length} of them the YES was sent before the UNANSWERED text (the rest: a late YES in the grace period); ` +
        `${count('unconfirmed')} YES answered "yours" whose caller had not heard who comes when the bench stopped waiting ` +
        `(${runs.filter((run) => run.callerTextListed).length} of them with the text to the caller in the dispatch's record)`,
    ],
    ...(failures.length ? [[`${label}: dispatches that failed`, `${failures.length}: ${[...new Set(failures.map((f) => f.failure))].slice(0, 3).join('; ')}`] as [string, string]] : []),
  ];
}

/** The same load on the dev server, then on the PostgreSQL-backed server. */
export async function repliesFigures(quick: boolean, perSecond = 8): Promise<Rows> {
  const opts = { perSecond, seconds: quick ? 15 : 60 };
  const timers = Object.entries(REPLIES_ENV).filter(([k]) => k !== 'BUSINESS_NAME').map(([k, v]) => `${k}=${v}`).join(' ');
  const rows: Rows = [[`replies under load: conditions`, `${opts.perSecond}/s for ${opts.seconds} s, 1 API, 1 worker, replies ${REPLY_DELAY_MS.map((d) => d / 1000).join('–')} s after the text they answer; ${timers}, no wake-up calls`]];
  rows.push(...describeReplies('dev server (in memory)', await withStack(REPLIES_ENV, (stack) => repliesUnderLoad(stack, opts))));
  const cluster = await startBenchCluster().catch((err: unknown) => {
    rows.push([`replies under load, PostgreSQL-backed server`, `could not start: ${String(err).split('\n')[0]}`]);
  });
  if (!cluster) return rows;
  const untrack = track(() => cluster.destroy());
  try {
    const result = await withStack(REPLIES_ENV, (stack) => repliesUnderLoad(stack, opts), { temporal: cluster.temporal });
    rows.push(...describeReplies(clusterName(cluster), result));
  } finally {
    await cluster.destroy();
    untrack();
  }
  return rows;
}
