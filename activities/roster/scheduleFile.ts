// The local roster file (used when Airtable is not configured): either a JSON array of technicians,
// as before schedules, or an object holding the on-call schedule too:
//   { "technicians": [{name, phone, tier, active}],
//     "rotations":   [{name, tier, members, start, shiftHours, active}],
//     "overrides":   [{name, technician, tier, start, end, replaces?}] }
// with the shapes of the Airtable tables (members as an array of names or one comma-separated string).
import type { Override, Rotation } from '../../src/domain/roster/schedule';
import type { Technician } from '../../src/domain/types';
import type { Logger } from '../../src/observability/logger';
import { parseOverrides, parseRotations, warnUnknownScheduleNames } from './scheduleRows';
import { parseTechnicians, type LabelledRow } from './technicianRows';

export interface RosterFileContents {
  technicians: Technician[];
  /** empty for the array form */
  rotations: Rotation[];
  /** empty for the array form */
  overrides: Override[];
}

export interface ScheduleFileOptions {
  /** the business time zone, to compare an override's Start and End written without an offset */
  timeZone?: string;
}

/**
 * The roster file's technicians, rotations and overrides, each row validated: an invalid row is
 * skipped with a warning naming it (`rotations #2 (Weekly)`) and its problems, and a schedule name
 * that matches no technician is warned about. `json` is the file's text or its parsed value.
 * Throws when the file is not JSON or has neither form.
 */
export function parseScheduleFile(json: unknown, source: string, logger: Logger, options: ScheduleFileOptions = {}): RosterFileContents {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new Error(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  if (Array.isArray(value)) {
    return { technicians: parseTechnicians(labelled(value, ''), source, logger), rotations: [], overrides: [] };
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { technicians?: unknown }).technicians)) {
    throw new Error(`${source} must hold a JSON array of technicians, or an object {"technicians": [...], "rotations": [...], "overrides": [...]}`);
  }
  const file = value as { technicians: unknown[]; rotations?: unknown; overrides?: unknown };
  const list = (key: 'rotations' | 'overrides'): unknown[] => {
    const rows = file[key];
    if (rows === undefined || rows === null) return [];
    if (!Array.isArray(rows)) throw new Error(`${source}: "${key}" must be an array`);
    return rows;
  };

  const contents: RosterFileContents = {
    technicians: parseTechnicians(labelled(file.technicians, 'technicians '), source, logger),
    rotations: parseRotations(labelled(list('rotations'), 'rotations '), source, logger, options),
    overrides: parseOverrides(labelled(list('overrides'), 'overrides '), source, logger, options),
  };
  warnUnknownScheduleNames(contents, source, logger);
  return contents;
}

/** `#2 (Alex Rivera)`: how a person finds a row of the file. */
function labelled(rows: unknown[], prefix: string): LabelledRow[] {
  return rows.map((row, index) => {
    const name = typeof row === 'object' && row !== null ? (row as { name?: unknown }).name : undefined;
    return { label: `${prefix}#${index + 1}${typeof name === 'string' && name.trim() ? ` (${name.trim()})` : ''}`, row };
  });
}
