// The phones' side of a dispatch in simulated time: each phone's ledger in memory, run by the same
// pure rules its workflow runs (src/domain/phone/phoneLedger.ts), at the simulated moment each
// activity was scheduled. The phone workflow itself runs against the real server in the end-to-end
// tests (a storm, replies, restarts): the time-skipping test server stops skipping time for good
// after some of its exchanges with other workflows under load, which no simulated-time test survives.
import type { PhoneActivities } from '../../../src/contract/activities';
import { pageText } from '../../../src/domain/dispatch/messages';
import { applyNotice, availability, emptyLedger, mayRing, planPage, type PhoneLedger } from '../../../src/domain/phone/phoneLedger';
import { flagsRoster } from '../../../src/domain/twilio/errorClassification';
import type { SmsRequest, SmsResult, Technician, Tier, VoiceCallRequest, VoiceCallResult } from '../../../src/domain/types';

const TIERS: Tier[] = [1, 2, 3];

export interface FakePhoneDeps {
  /** the simulated moment the running activity acts at */
  now(): Promise<number>;
  loadOnCall(tier: Tier): Promise<Technician[]>;
  sendSms(req: SmsRequest): Promise<SmsResult>;
  ringTechnician(req: VoiceCallRequest): Promise<VoiceCallResult>;
}

export class FakePhones {
  private readonly ledgers = new Map<string, PhoneLedger>();

  /** Every phone forgets everything: the next test starts with phones that know nothing. */
  forget(): void {
    this.ledgers.clear();
  }

  /** The phone's ledger as its workflow would hold it. */
  ledger(phone: string): PhoneLedger {
    let ledger = this.ledgers.get(phone);
    if (!ledger) this.ledgers.set(phone, (ledger = emptyLedger(phone)));
    return ledger;
  }

  activities(deps: FakePhoneDeps): PhoneActivities {
    return {
      onCallNow: async () => {
        const byTier = await Promise.all(TIERS.map((tier) => deps.loadOnCall(tier)));
        const at = await deps.now();
        const withAvailability = (t: Technician) => ({ ...t, ...availability(this.ledger(t.phone), at) });
        return { 1: byTier[0]!.map(withAvailability), 2: byTier[1]!.map(withAvailability), 3: byTier[2]!.map(withAvailability) };
      },
      pageTechnician: async ({ callReceivedAt, ...req }) => {
        const ledger = this.ledger(req.phone);
        const at = await deps.now();
        const plan = planPage(ledger, req, at);
        // Simulated-time tests page a phone at most once per bundling window; bundles are end to end.
        if (plan.held) throw new Error(`a page to ${req.phone} was held for a bundle: the simulation sends none`);
        const result = await deps.sendSms({
          idempotencyKey: req.key,
          callId: req.callId,
          to: req.phone,
          body: pageText({ ...req.page, replyCode: plan.replyCode, busyWith: plan.busyWith }),
          kind: req.kind,
          ...(req.validitySeconds === undefined ? {} : { validitySeconds: req.validitySeconds }),
          ...(callReceivedAt === undefined ? {} : { callReceivedAt }),
        });
        if (!result.ok && flagsRoster(result.errorCode)) ledger.unreachable = { errorCode: result.errorCode, since: at };
        return { replyCode: plan.replyCode, held: false, result };
      },
      tellPhones: async (notices) => {
        const at = await deps.now();
        for (const { phone, ...notice } of notices) applyNotice(this.ledger(phone), notice, at);
      },
      wakeTechnician: async ({ windowMs, at, ...req }) => {
        if (!mayRing(this.ledger(req.to), { key: req.idempotencyKey, callId: req.callId, windowMs, at })) return { ok: false, skipped: true };
        return deps.ringTechnician(req);
      },
      tellDispatches: async () => {
        throw new Error('the simulation holds no bundles, so no phone tells dispatches of one');
      },
    };
  }
}
