// What the dispatch asks of the messages it has sent: who was paged, who can still answer, whom
// to stand down. Pure: the workflow runs these and the tests read them as tables.
import type { OnCallTechnician } from '../phone/phoneLedger';
import type { DeliveryStatus, SentMessage, Technician, Tier } from '../types';

/** Someone a message goes to: a technician, or the caller. */
export interface Recipient {
  phone: string;
  name: string;
  tier?: Tier;
}

export const isPage = (message: Pick<SentMessage, 'kind'>): boolean => message.kind === 'PAGE' || message.kind === 'FOLLOW_UP';

/** A page with this status never reached its technician: nobody waits on it. */
export const cannotReach = (status: DeliveryStatus): boolean => status === 'failed' || status === 'undelivered';

/** The page may still be answered: it was not refused by the carrier and its technician did not decline. */
export const mayStillAnswer = (page: SentMessage, declined: readonly string[]): boolean =>
  !cannotReach(page.status) && !declined.includes(page.to);

/** Every phone paged so far, in paging order (repeats included). */
export const pagedPhones = (messages: readonly SentMessage[]): string[] => messages.filter(isPage).map((m) => m.to);

export const attemptsTo = (messages: readonly SentMessage[], phone: string): number =>
  messages.filter((m) => m.to === phone && isPage(m)).length;

/** The technician's name as the dispatch paged them, or the number itself. */
export const nameOf = (messages: readonly SentMessage[], phone: string): string =>
  messages.find((m) => m.to === phone && m.technician)?.technician ?? phone;

/** Technicians whose page or follow-up since message `from` failed or went undelivered. */
export const unreachableSince = (messages: readonly SentMessage[], from: number): Set<string> =>
  new Set(messages.slice(from).filter((m) => isPage(m) && cannotReach(m.status)).map((m) => m.to));

/** Whether anybody paged in the current step can still accept: if not, the ladder moves on at once. */
export const stepCanStillAnswer = (pagedInStep: readonly SentMessage[], declined: readonly string[]): boolean =>
  pagedInStep.some((page) => mayStillAnswer(page, declined));

/** Whom a step pages: its tier's active technicians, less those who declined or could not be reached. */
export function stepRecipients(roster: readonly Technician[], tier: Tier, declined: readonly string[], unreachable: ReadonlySet<string>): Technician[] {
  return roster.filter((t) => t.active && t.tier === tier && !declined.includes(t.phone) && !unreachable.has(t.phone));
}

const TIERS: readonly Tier[] = [1, 2, 3];

/**
 * Whom a step pages (spec section 10): its tier's free on-call technicians; nobody when all of them
 * are busy but another tier has someone free (the ladder moves on at once); when no tier has anyone
 * free, its busy ones, each page naming the job they are on. Declined, unreachable and opted-out
 * numbers are never paged.
 */
export function whomToPage(onCall: Readonly<Record<Tier, readonly OnCallTechnician[]>>, tier: Tier, declined: readonly string[], unreachable: ReadonlySet<string>): OnCallTechnician[] {
  const candidates = (t: Tier) => onCall[t].filter((x) => x.active && !declined.includes(x.phone) && !unreachable.has(x.phone) && !x.unreachable);
  const free = (t: Tier) => candidates(t).filter((x) => !x.busyWith);
  if (free(tier).length > 0) return free(tier);
  return TIERS.some((t) => free(t).length > 0) ? [] : candidates(tier);
}

/** Paged technicians other than `except` whose pages reached them, once each: they get a stand-down. */
export function whomToStandDown(messages: readonly SentMessage[], except: string | undefined): Recipient[] {
  const seen = new Map<string, Recipient>();
  for (const m of messages) {
    if (!isPage(m) || m.to === except || cannotReach(m.status) || m.withdrawn) continue;
    seen.set(m.to, { phone: m.to, name: m.technician ?? m.to, tier: m.tier });
  }
  return [...seen.values()];
}
