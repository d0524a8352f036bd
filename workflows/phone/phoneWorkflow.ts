// One phone number's durable owner (spec section 10), workflow id `phone-<task queue>-<E.164>`: the
// jobs paging it and their codes, its busy job, its held pages and their bundles, its wake-up
// calls, the open dispatches it called about. Dispatches reach it through activities
// (update-with-start) and read the record it publishes in its Memo, as does reply routing (which
// asks it by query when a storm's record is partial). It tells dispatches of their bundled pages
// through an activity (a client signal). It ends when it has nothing open and nothing recent, and
// carries its ledger over a continue-as-new before its history grows long.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  setHandler,
  sleep,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import {
  bundleCallIdFor,
  bundleDeliverySignal,
  jobNoticeSignal,
  PHONE_MEMO_KEY,
  pagesUpdate,
  phoneViewQuery,
  reachableSignal,
  type PageRequest,
  ringsUpdate,
  unreachableSignal,
} from '../../src/contract/phone';
import { bundledPagesText, pageText } from '../../src/domain/dispatch/messages';
import {
  applyNotice,
  availability,
  busyWithFor,
  emptyLedger,
  fitForCarry,
  isIdle,
  mayRing,
  nextExpiry,
  nextFlushAt,
  planPage,
  prune,
  recordOf,
  takeDuePages,
  view,
  type PhoneLedger,
  type SentBundle,
} from '../../src/domain/phone/phoneLedger';
import { advance } from '../../src/domain/twilio/deliveryStatus';
import { flagsRoster } from '../../src/domain/twilio/errorClassification';
import { pagingActivities } from '../dispatch/activities';
import { gaveUp } from '../dispatch/outbox';

export interface PhoneInput {
  phone: string;
  /** the ledger carried over a continue-as-new */
  ledger?: PhoneLedger;
}

/** An idle phone's workflow waits this long for news before it ends. */
const IDLE_END_MS = 10 * 60_000;
/** Well below Temporal's limits, so a storm's pages never make the history slow to replay. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;

export async function phoneWorkflow(input: PhoneInput): Promise<void> {
  const ledger = input.ledger ?? emptyLedger(input.phone);
  const twilio = pagingActivities();
  let changed = false;
  // The record as last published: each change is published within the task that makes it, so a
  // reply or a step that reads the Memo next sees it (a page is sent only after its task ends).
  let published = JSON.stringify(recordOf(ledger));
  const touch = () => {
    changed = true;
    const record = recordOf(ledger);
    const json = JSON.stringify(record);
    if (json === published) return;
    upsertMemo({ [PHONE_MEMO_KEY]: record });
    published = json;
  };

  setHandler(phoneViewQuery, () => view(ledger, Date.now()));

  setHandler(
    pagesUpdate,
    (requests) => {
      const now = Date.now();
      const plans = requests.map((req) => planPage(ledger, req, now));
      touch();
      return plans;
    },
    {
      validator: (requests: PageRequest[]) => {
        const stray = requests.find((req) => req.phone !== ledger.phone);
        if (stray) throw new Error(`a page for ${stray.phone} reached the workflow of ${ledger.phone}`);
      },
    },
  );
  setHandler(ringsUpdate, (requests) => requests.map((req) => mayRing(ledger, req)));
  setHandler(jobNoticeSignal, (notice) => {
    applyNotice(ledger, notice, Date.now());
    touch();
  });
  setHandler(unreachableSignal, ({ errorCode }) => {
    ledger.unreachable = { errorCode, since: Date.now() };
    touch();
  });
  setHandler(reachableSignal, () => {
    ledger.unreachable = undefined;
    touch();
  });
  setHandler(bundleDeliverySignal, async (report) => {
    const bundle = ledger.bundles.find((b) => b.key === report.key || (b.messageSid !== undefined && b.messageSid === report.messageSid));
    if (!bundle || (bundle.status && advance(bundle.status, report.status) === bundle.status)) return;
    bundle.status = advance(bundle.status ?? 'queued', report.status);
    // Every job in the bundle hears it as the callback of its own page.
    await twilio.tellDispatches(bundle.pages.map((p) => ({ callId: p.callId, delivery: { ...report, key: p.key } })));
    touch();
  });

  // The history length at which a continue-as-new is next tried.
  let carryAt = HISTORY_EVENTS_BEFORE_CONTINUE;
  let alarm: Alarm | undefined;
  for (;;) {
    const now = Date.now();
    const due = nextFlushAt(ledger);
    if (due !== undefined && due <= now) {
      await sendDuePages(ledger, twilio, touch);
      continue;
    }
    prune(ledger, now);
    touch();
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > carryAt) {
      await condition(allHandlersFinished);
      // The next run starts with the record in its Memo: no moment in which a reader finds it empty.
      if (fitForCarry(ledger)) await makeContinueAsNewFunc<typeof phoneWorkflow>({ memo: { [PHONE_MEMO_KEY]: recordOf(ledger) } })({ phone: ledger.phone, ledger });
      // Open jobs are never dropped: a ledger too large to carry keeps this run, its history growing.
      log.warn('phone ledger too large to continue as new', { phone: ledger.phone, jobs: ledger.jobs.length });
      carryAt = workflowInfo().historyLength + HISTORY_EVENTS_BEFORE_CONTINUE;
    }
    if (isIdle(ledger)) {
      alarm?.stop();
      alarm = undefined;
      changed = false;
      if (!(await condition(() => changed, IDLE_END_MS, { summary: 'idle' }))) {
        await condition(allHandlersFinished);
        if (isIdle(ledger)) return;
      }
      continue;
    }
    const wakeAt = Math.min(due ?? Infinity, nextExpiry(ledger) ?? Infinity);
    changed = false;
    const summary = due === undefined ? 'wait for news' : `bundle of ${ledger.held.length} at ${new Date(due).toISOString()}`;
    if (patched(STEADY_TIMER)) {
      // One timer per wake-up time, not one per turn: a page registered changes the ledger but
      // rarely when it next wakes, and each new timer cost the phone two events and a timer task.
      if (alarm && (alarm.rang || alarm.at !== wakeAt)) {
        alarm.stop();
        alarm = undefined;
      }
      if (!alarm && Number.isFinite(wakeAt)) alarm = setAlarm(wakeAt, summary);
      await condition(() => changed || (alarm?.rang ?? false));
    } else if (Number.isFinite(wakeAt)) await condition(() => changed, Math.max(1, wakeAt - now), { summary });
    else await condition(() => changed);
  }
}

/** The patch: a history recorded before it, when the loop started a timer every turn, replays as it ran. */
const STEADY_TIMER = 'phone-steady-timer';

interface Alarm {
  at: number;
  rang: boolean;
  /** cancels it if it has not rung */
  stop(): void;
}

/** A timer for `at` that the loop keeps across turns while its wake-up time stays. */
function setAlarm(at: number, summary: string): Alarm {
  const scope = new CancellationScope();
  const alarm: Alarm = {
    at,
    rang: false,
    stop: () => {
      if (!alarm.rang) scope.cancel();
    },
  };
  scope
    .run(() => sleep(Math.max(1, at - Date.now()), { summary }))
    .then(
      () => (alarm.rang = true),
      (err: unknown) => {
        if (!isCancellation(err)) throw err;
      },
    );
  return alarm;
}

/**
 * Sends the pages held for a bundle: one SMS for a lone page, otherwise as few as the length
 * limit allows, each listing its jobs. Each job's dispatch hears of its page's send.
 */
async function sendDuePages(ledger: PhoneLedger, twilio: ReturnType<typeof pagingActivities>, touch: () => void): Promise<void> {
  const { send, withdrawn } = takeDuePages(ledger, Date.now());
  const sentAt = new Date().toISOString();
  if (withdrawn.length > 0) await twilio.tellDispatches(withdrawn.map((h) => ({ callId: h.request.callId, pageSent: { key: h.request.key, result: { ok: false, withdrawn: true }, sentAt } })));
  if (send.length === 0) return;
  const now = Date.now();
  const parts =
    send.length === 1
      ? [{ body: pageText({ ...send[0]!.request.page, replyCode: send[0]!.replyCode, busyWith: busyWithFor(ledger, send[0]!.request.callId, now) }), pages: send }]
      : bundledPagesText(
          send[0]!.request.page.businessName,
          send.map((h) => ({ ...h.request.page, replyCode: h.replyCode })),
          availability(ledger, now).busyWith,
        ).map((part) => ({ body: part.body, pages: send.filter((h) => part.replyCodes.includes(h.replyCode)) }));
  for (const part of parts) {
    const key = `${ledger.phone}/bundle${++ledger.bundleSeq}`;
    // Known before it is sent: a status callback may beat Twilio's answer to the send.
    const bundle: SentBundle = { key, pages: part.pages.map((h) => ({ callId: h.request.callId, key: h.request.key })), sentAt: Date.now() };
    ledger.bundles.push(bundle);
    const validities = part.pages.map((h) => h.request.validitySeconds).filter((v): v is number => v !== undefined);
    const result = await CancellationScope.nonCancellable(() =>
      twilio.sendSms.executeWithOptions({ summary: `SMS bundle of ${part.pages.length}: ${part.pages[0]!.request.name}` }, [
        {
          idempotencyKey: key,
          callId: bundleCallIdFor(ledger.phone),
          to: ledger.phone,
          body: part.body,
          kind: part.pages.some((h) => h.request.kind === 'PAGE') ? 'PAGE' : 'FOLLOW_UP',
          ...(validities.length ? { validitySeconds: Math.min(...validities) } : {}),
        },
      ]),
    ).catch(gaveUp);
    if (result.ok) Object.assign(bundle, { messageSid: result.messageSid, status: advance(bundle.status ?? 'queued', result.status) });
    else {
      ledger.bundles.splice(ledger.bundles.indexOf(bundle), 1);
      if (flagsRoster(result.errorCode)) {
        ledger.unreachable = { errorCode: result.errorCode, since: Date.now() };
        touch();
      }
    }
    await twilio.tellDispatches(part.pages.map((h) => ({ callId: h.request.callId, pageSent: { key: h.request.key, result, sentAt } })));
  }
}
