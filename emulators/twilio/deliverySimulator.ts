// Moves accepted messages through Twilio's statuses over time and reports them by callback.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { EmulatorConfig } from './config';
import type { CallbackMode, PhoneBehaviour } from './faults';
import type { EmulatedMessage, EmulatedStatus, MessageStore } from './messageStore';
import { statusCallbackParams, type StatusCallbackSender } from './statusCallbacks';

interface DeliveryStep {
  status: EmulatedStatus;
  errorCode?: number;
  /** Twilio calls back for sent and the final statuses, not for queued/sending */
  notify: boolean;
}

export function deliverySteps(behaviour: PhoneBehaviour | undefined): DeliveryStep[] {
  const sending: DeliveryStep = { status: 'sending', notify: false };
  const sent: DeliveryStep = { status: 'sent', notify: true };
  switch (behaviour?.kind) {
    case 'reject': // only TwiML replies get here: Twilio logs them as failed
    case 'fail':
      return [sending, { status: 'failed', errorCode: behaviour.errorCode, notify: true }];
    case 'undeliverable':
      return [sending, sent, { status: 'undelivered', errorCode: behaviour.errorCode, notify: true }];
    default:
      return [sending, sent, { status: 'delivered', notify: true }];
  }
}

export class DeliverySimulator {
  private aborter = new AbortController();

  constructor(
    private readonly store: MessageStore,
    private readonly callbacks: StatusCallbackSender,
    private readonly config: EmulatorConfig,
    private readonly logger: Logger,
  ) {}

  /** Runs in the background; `mode` is fixed when the message is accepted. */
  start(message: EmulatedMessage, behaviour: PhoneBehaviour | undefined, mode: CallbackMode): void {
    const signal = this.aborter.signal;
    this.run(message, deliverySteps(behaviour), mode, signal).catch((err: unknown) => {
      if (!signal.aborted) this.logger.error({ err, messageSid: message.sid }, 'delivery simulation failed');
    });
  }

  /** Stops every message in flight (reset, close). */
  stopAll(): void {
    this.aborter.abort();
    this.aborter = new AbortController();
  }

  private async run(message: EmulatedMessage, steps: DeliveryStep[], mode: CallbackMode, signal: AbortSignal) {
    const outbox = message.statusCallback ? this.callbacks.outbox(message.statusCallback, mode) : undefined;
    for (const step of steps) {
      await sleep(this.config.callbackDelayMs, undefined, { signal });
      const updated = this.store.setStatus(message.sid, step.status, step.errorCode);
      if (!updated) return; // removed by a reset
      if (step.notify) await outbox?.emit(statusCallbackParams(updated, this.config.accountSid));
    }
    await outbox?.flush();
  }
}
