// The roster and the on-call schedule: Airtable's Technicians, Rotations and Overrides tables when
// Airtable is configured, else a local JSON file in the same shape. Read at most once per
// ROSTER_REFRESH; paging must not depend on Airtable being up, so the last snapshot that loaded is
// kept and served when a later read fails.
import { readFile } from 'node:fs/promises';
import type { Override, Rotation } from '../../src/domain/roster/schedule';
import type { Technician } from '../../src/domain/types';
import type { Logger } from '../../src/observability/logger';
import type { AirtableGateway } from '../airtable/gateway';
import { parseScheduleFile } from './scheduleFile';

/** The roster and the schedule as read together, so the two always agree. */
export interface RosterSnapshot {
  technicians: Technician[];
  rotations: Rotation[];
  overrides: Override[];
}

export interface RosterSource {
  loadRoster(): Promise<Technician[]>;
  loadSnapshot(): Promise<RosterSnapshot>;
}

export interface RosterSourceOptions {
  gateway?: AirtableGateway;
  /** a JSON array of technicians, or {technicians, rotations, overrides}; used when no gateway is given */
  rosterFile?: string;
  logger: Logger;
  /** ROSTER_REFRESH: how long a snapshot is served before it is read again */
  cacheTtlMs?: number;
  /** the business time zone, to check an override's Start and End written without an offset */
  timeZone?: string;
}

/** Airtable locks a base out for 30 s after a 429: no read of the roster within that. */
const RETRY_AFTER_FAILURE_MS = 30_000;

export function createRosterSource(options: RosterSourceOptions): RosterSource {
  const { gateway, rosterFile, logger, cacheTtlMs = 30_000 } = options;
  if (!gateway && !rosterFile) throw new Error('roster: give an Airtable gateway or a roster file');
  const source = gateway ? 'Airtable Technicians, Rotations and Overrides' : `roster file ${rosterFile}`;
  const read = gateway
    ? async (): Promise<RosterSnapshot> => {
        const [technicians, schedule] = await Promise.all([gateway.listTechnicians(), gateway.listSchedule()]);
        return { technicians, ...schedule };
      }
    : async (): Promise<RosterSnapshot> => parseScheduleFile(await readFile(rosterFile!, 'utf8'), `roster file ${rosterFile}`, logger, { timeZone: options.timeZone });

  let lastGood: { snapshot: RosterSnapshot; loadedAt: number } | undefined;
  let failedAt = -Infinity;

  async function loadSnapshot(): Promise<RosterSnapshot> {
    if (lastGood && Date.now() - lastGood.loadedAt < cacheTtlMs) return lastGood.snapshot;
    // After a failed read (a 429 locks the base for 30 s) the last roster serves a while: every
    // page asking again would only extend Airtable's lock-out.
    if (lastGood && Date.now() - failedAt < RETRY_AFTER_FAILURE_MS) return lastGood.snapshot;
    let snapshot: RosterSnapshot;
    try {
      snapshot = await read();
    } catch (err) {
      failedAt = Date.now();
      if (!lastGood) throw new Error(`roster: cannot load from ${source} and no earlier roster is known: ${String(err)}`);
      logger.warn({ err, source, loadedAt: new Date(lastGood.loadedAt).toISOString() }, 'roster load failed; using the last roster that loaded');
      return lastGood.snapshot;
    }
    if (!snapshot.technicians.some((t) => t.active && t.tier === 1)) {
      logger.error({ source, alert: 'roster-no-tier-1' }, `roster from ${source} has no active tier-1 technician: first pages will reach nobody`);
    }
    lastGood = { snapshot, loadedAt: Date.now() };
    return snapshot;
  }

  return { loadSnapshot, loadRoster: async () => (await loadSnapshot()).technicians };
}
