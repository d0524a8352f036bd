// The roster and the on-call schedule: Airtable's Technicians, Rotations and Overrides tables when
// Airtable is configured, else a local JSON file in the same shape. Read at most once per
// ROSTER_REFRESH; paging must not depend on Airtable being up, so the last snapshot that loaded is
// kept and served when a later read fails.
import { readFile } from 'node:fs/promises';
import type { Technician } from '../../src/domain/types';
import type { Logger } from '../../src/observability/logger';
import type { AirtableGateway } from '../airtable/gateway';
import { parseTechnicians } from './technicianRows';

export interface RosterSource {
  loadSnapshot(): Promise<{ technicians: Technician[]; rotations: import("../../src/domain/roster/schedule").Rotation[]; overrides: import("../../src/domain/roster/schedule").Override[] }>;
  loadRoster(): Promise<Technician[]>;
}

export interface RosterSourceOptions {
  gateway?: AirtableGateway;
  /** JSON array of {name, phone, tier, active}; used when no gateway is given */
  rosterFile?: string;
  logger: Logger;
  /** how long a loaded roster is served before it is read again */
  cacheTtlMs?: number;
}

export function createRosterSource(options: RosterSourceOptions): RosterSource {
  const { gateway, rosterFile, logger, cacheTtlMs = 30_000 } = options;
  if (!gateway && !rosterFile) throw new Error('roster: give an Airtable gateway or a roster file');
  const source = gateway ? 'Airtable Technicians' : `roster file ${rosterFile}`;
  const fetchRoster = gateway ? () => gateway.listTechnicians() : () => readRosterFile(rosterFile as string, logger);

  let lastGood: { technicians: Technician[]; loadedAt: number } | undefined;

  return {
    async loadRoster() {
      if (lastGood && Date.now() - lastGood.loadedAt < cacheTtlMs) return lastGood.technicians;
      let technicians: Technician[];
      try {
        technicians = await fetchRoster();
      } catch (err) {
        if (!lastGood) throw new Error(`roster: cannot load from ${source} and no earlier roster is known: ${String(err)}`);
        logger.warn({ err, source, loadedAt: new Date(lastGood.loadedAt).toISOString() }, 'roster load failed; using the last roster that loaded');
        return lastGood.technicians;
      }
      if (!technicians.some((t) => t.active && t.tier === 1)) {
        logger.error({ source, alert: 'roster-no-tier-1' }, `roster from ${source} has no active tier-1 technician: first pages will reach nobody`);
      }
      lastGood = { technicians, loadedAt: Date.now() };
      return technicians;
    },
  };
}

async function readRosterFile(path: string, logger: Logger): Promise<Technician[]> {
  const rows: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(rows)) throw new Error(`roster file ${path} must hold a JSON array of technicians`);
  return parseTechnicians(
    rows.map((row, index) => ({ label: `#${index + 1}${nameOf(row)}`, row })),
    `roster file ${path}`,
    logger,
  );
}

function nameOf(row: unknown): string {
  const name = typeof row === 'object' && row !== null ? (row as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? ` (${name})` : '';
}
