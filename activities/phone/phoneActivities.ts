// The dispatch's side of the phones' workflows (spec section 10). A page is registered with its
// phone's workflow before anything is sent, so a reply typed the instant it arrives finds it; the
// answer says whether this activity sends it now or the phone's workflow sends it in a bundle.
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OnCallTechnician, PhoneActivities } from '../../src/contract/activities';
import { deliverySignal, workflowIdFor } from '../../src/contract/dispatch';
import { jobNoticeSignal, pageSentSignal, pagesUpdate, phoneTaskQueueFor, phoneWorkflowIdFor, publishedRecord, ringsUpdate, unreachableSignal, type PagePlan, type PageRequest, type RingRequest } from '../../src/contract/phone';
import { pageText } from '../../src/domain/dispatch/messages';
import { availability, type PhoneAvailability } from '../../src/domain/phone/phoneLedger';
import { flagsRoster } from '../../src/domain/twilio/errorClassification';
import type { Technician, Tier } from '../../src/domain/types';
import type { TwilioActivities } from '../twilio/activities';
import { PhoneBatches } from './phoneBatches';
import { StickyHandOver } from './stickyHandOver';

const TIERS: Tier[] = [1, 2, 3];

export interface PhoneActivityOptions {
  taskQueue: string;
  loadOnCall(tier: Tier): Promise<Technician[]>;
  twilio: Pick<TwilioActivities, 'sendSms' | 'ringTechnician'>;
}

/** How long one batch may take, its tries again included: less than the activities' own 12 s. */
const BATCH_DEADLINE_MS = 10_000;

/**
 * An Update the server refused or aborted (another process's Updates filled the phone's slots, or
 * the server reloaded the workflow) is tried again at once, briefly apart, rather than after the
 * activity's retry backoff (1 s, 2 s, 4 s ...), which would hold a page for tens of seconds.
 * Bounded by the caller's gRPC deadline: past it the next try fails with DEADLINE_EXCEEDED.
 */
async function retriedWhileRefused<T>(update: () => Promise<T>): Promise<T> {
  for (let pause = 20; ; pause = Math.min(pause * 2, 400)) {
    try {
      return await update();
    } catch (err) {
      if (!isRefusedOrAborted(err)) throw err;
      await new Promise((r) => setTimeout(r, pause + Math.random() * pause));
    }
  }
}

/**
 * RESOURCE_EXHAUSTED (gRPC code 8): the server's in-flight Update limit; UNAVAILABLE (14): an
 * Update the server aborted; `UnprocessedUpdate`: the worker's task ended without reading the
 * Update (its SDK took a new task while the Update's message was pending), so it never reached
 * the workflow. None of them changed anything. Here or in the error's cause.
 */
function isRefusedOrAborted(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const { code, type } = e as { code?: unknown; type?: unknown };
    if (code === 8 || code === 14 || type === 'UnprocessedUpdate' || /RESOURCE_EXHAUSTED|in-flight updates|update was aborted/i.test(String(e))) return true;
  }
  return false;
}

/**
 * A batch goes on when the activity that waits for it is cancelled or times out; the activity must
 * not: a send after its timeout would race the retried attempt's reconcile with Twilio.
 */
const untilCancelled = <T>(answer: Promise<T>): Promise<T> => Promise.race([answer, Context.current().cancelled]);

export function createPhoneActivities(opts: PhoneActivityOptions): PhoneActivities {
  const client = (): Client => Context.current().client;
  const idOf = (phone: string) => phoneWorkflowIdFor(opts.taskQueue, phone);
  /** The phone's workflow, started if it has none running: every way in creates it. */
  const startPhone = (phone: string) =>
    new WithStartWorkflowOperation('phoneWorkflow', {
      workflowId: idOf(phone),
      taskQueue: phoneTaskQueueFor(opts.taskQueue),
      args: [{ phone }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  const handOver = new StickyHandOver(performance.timeOrigin);
  /**
   * An Update to a phone's workflow and its tries again, bounded in time (a batch runs outside any
   * activity), once the workflow's next task can reach a live worker.
   */
  const bounded = <T>(via: Client, phone: string, update: () => Promise<T>): Promise<T> =>
    via.connection.withDeadline(Date.now() + BATCH_DEADLINE_MS, async () => {
      await handOver.before(idOf(phone), via);
      return retriedWhileRefused(update);
    });
  // Keyed by phone number: each has one workflow id here.
  const pages = new PhoneBatches<PageRequest, PagePlan, Client>((phone, requests, via) =>
    bounded(via, phone, () => via.workflow.executeUpdateWithStart(pagesUpdate, { args: [requests], startWorkflowOperation: startPhone(phone) })),
  );
  const rings = new PhoneBatches<RingRequest, boolean, Client>((phone, requests, via) =>
    bounded(via, phone, () => via.workflow.executeUpdateWithStart(ringsUpdate, { args: [requests], startWorkflowOperation: startPhone(phone) })),
  );

  /** What the phone's workflow last published (a describe: the server's own record, no worker task). */
  async function availabilityOf(phone: string): Promise<PhoneAvailability> {
    try {
      const { memo } = await client().workflow.getHandle(idOf(phone)).describe();
      return availability(publishedRecord(memo), Date.now());
    } catch (err) {
      // No workflow yet: never paged, so free and reachable.
      if (err instanceof WorkflowNotFoundError) return {};
      throw err;
    }
  }

  return {
    async onCallNow() {
      const byTier = await Promise.all(TIERS.map((tier) => opts.loadOnCall(tier)));
      const phones = [...new Set(byTier.flat().map((t) => t.phone))];
      const known = new Map(await Promise.all(phones.map(async (phone) => [phone, await availabilityOf(phone)] as const)));
      const withAvailability = (t: Technician): OnCallTechnician => ({ ...t, ...known.get(t.phone) });
      return { 1: byTier[0]!.map(withAvailability), 2: byTier[1]!.map(withAvailability), 3: byTier[2]!.map(withAvailability) };
    },

    async pageTechnician({ callReceivedAt, ...req }) {
      // A retried attempt gets the answer the first one got: the phone's ledger knows the page by its key.
      const plan = await untilCancelled(pages.submit(req.phone, req, client()));
      if (plan.held) return { replyCode: plan.replyCode, held: true, sendAt: plan.sendAt };
      const body = pageText({ ...req.page, replyCode: plan.replyCode, busyWith: plan.busyWith });
      const result = await opts.twilio.sendSms({
        idempotencyKey: req.key,
        callId: req.callId,
        to: req.phone,
        body,
        kind: req.kind,
        ...(req.validitySeconds === undefined ? {} : { validitySeconds: req.validitySeconds }),
        ...(callReceivedAt === undefined ? {} : { callReceivedAt }),
      });
      if (!result.ok && flagsRoster(result.errorCode)) {
        await client().workflow.getHandle(idOf(req.phone)).signal(unreachableSignal, { errorCode: result.errorCode });
      }
      return { replyCode: plan.replyCode, held: false, result };
    },

    async tellPhones(notices) {
      await Promise.all(
        notices.map(async ({ phone, ...notice }) => {
          // News that opens something starts the phone's workflow; news that closes needs one running.
          if (notice.change === 'assigned' || notice.change === 'caller-open') {
            await client().workflow.signalWithStart('phoneWorkflow', {
              workflowId: idOf(phone),
              taskQueue: phoneTaskQueueFor(opts.taskQueue),
              args: [{ phone }],
              signal: jobNoticeSignal,
              signalArgs: [notice],
            });
            return;
          }
          await client()
            .workflow.getHandle(idOf(phone))
            .signal(jobNoticeSignal, notice)
            .catch((err: unknown) => {
              if (!(err instanceof WorkflowNotFoundError)) throw err;
            });
        }),
      );
    },

    async tellDispatches(news) {
      await Promise.all(
        news.map(async ({ callId, pageSent, delivery }) => {
          const handle = client().workflow.getHandle(workflowIdFor(callId));
          try {
            if (pageSent) await handle.signal(pageSentSignal, pageSent);
            if (delivery) await handle.signal(deliverySignal, delivery);
          } catch (err) {
            // A dispatch that has ended no longer needs it.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
        }),
      );
    },

    async wakeTechnician({ windowMs, at, ...req }) {
      const ring = await untilCancelled(rings.submit(req.to, { key: req.idempotencyKey, callId: req.callId, windowMs, at }, client()));
      if (!ring) return { ok: false, skipped: true };
      return opts.twilio.ringTechnician(req);
    },
  };
}
