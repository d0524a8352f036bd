// Delivery status arithmetic shared by the workflow and the webhook layer.
// Pure: imports types only, because the workflow sandbox bundles it.
import type { DeliveryStatus } from '../types';

/** Position on the way to the handset; the three final statuses share the last rank. */
const RANK: Record<DeliveryStatus, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
};

/** Twilio's message statuses (outbound and pre-send) in our vocabulary. */
const FROM_TWILIO: Readonly<Record<string, DeliveryStatus>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** Maps a Twilio status string; undefined for statuses that do not describe an outbound SMS. */
export function toDeliveryStatus(twilioStatus: string): DeliveryStatus | undefined {
  return Object.hasOwn(FROM_TWILIO, twilioStatus) ? FROM_TWILIO[twilioStatus] : undefined;
}

export function isFinal(status: DeliveryStatus): boolean {
  return RANK[status] === RANK.delivered;
}

/**
 * The status after a report of `next` arrives while we know `current`.
 * Status only moves forward and a final status never changes, so duplicate and
 * out-of-order callbacks are harmless.
 */
export function advance(current: DeliveryStatus, next: DeliveryStatus): DeliveryStatus {
  if (isFinal(current)) return current;
  return RANK[next] > RANK[current] ? next : current;
}
