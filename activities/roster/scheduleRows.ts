// Validation of the on-call schedule's rows (spec section 9), wherever they come from: Airtable's
// Rotations and Overrides tables or a roster file. A row that cannot be read is skipped with a
// warning naming it and each problem, in the words of its source (Airtable's field names, or the
// file's keys); the rest of the schedule still holds.
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Override, Rotation } from '../../src/domain/roster/schedule';
import type { Technician, Tier } from '../../src/domain/types';
import type { Logger } from '../../src/observability/logger';
import type { LabelledRow } from './technicianRows';

export interface ScheduleRowOptions {
  /** Airtable record id → technician name, for Members, Technician or Replaces given as links */
  technicianNames?: ReadonlyMap<string, string>;
  /** the business time zone: how a Start or End without an offset is read when comparing them
   *  (default UTC; the schedule itself is read in the business zone by src/domain/roster) */
  timeZone?: string;
  /** how a problem names a property, e.g. `shiftHours` → `Shift Hours` for Airtable rows */
  fieldLabels?: Readonly<Record<string, string>>;
}

/** An Airtable record id, as a linked-record cell holds them. */
const RECORD_ID = /^rec[A-Za-z0-9]{14}$/;

const describe = (raw: unknown): string => JSON.stringify(raw) ?? String(raw);

/** Free text, trimmed; empty or left out → undefined (Airtable leaves empty cells out). */
const optionalText = z
  .unknown()
  .transform((raw) => {
    if (typeof raw === 'number') return String(raw);
    return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
  })
  .optional();

// Airtable number cells come back as numbers, a single select or hand-edited JSON may say "1".
const tier = z.unknown().transform((raw, ctx): Tier => {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (n === 1 || n === 2 || n === 3) return n;
  ctx.addIssue({ code: 'custom', message: raw === undefined || raw === '' ? 'is empty' : `must be 1, 2 or 3 (got ${describe(raw)})` });
  return z.NEVER;
});

const shiftHours = z.unknown().transform((raw, ctx): number => {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n === 'number' && Number.isFinite(n) && n > 0) return n;
  ctx.addIssue({ code: 'custom', message: raw === undefined || raw === '' ? 'is empty' : `must be a number of hours above 0 (got ${describe(raw)})` });
  return z.NEVER;
});

// Airtable leaves an unticked checkbox out of the record entirely.
const active = z.boolean({ error: 'must be a checkbox (true or false)' }).default(false);

/** ISO date-time text as the schedule keeps it; "2026-01-02 17:00" is read as "2026-01-02T17:00". */
function dateTime(timeZone: string) {
  return z.unknown().transform((raw, ctx): string => {
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      ctx.addIssue({ code: 'custom', message: 'is empty' });
      return z.NEVER;
    }
    const text = typeof raw === 'string' ? raw.trim().replace(/^(\d{4}-\d\d-\d\d) +(?=\d)/, '$1T') : undefined;
    if (text === undefined || !DateTime.fromISO(text, { zone: timeZone }).isValid) {
      ctx.addIssue({ code: 'custom', message: `${describe(raw)} is not a date-time (write e.g. 2026-01-02T17:00)` });
      return z.NEVER;
    }
    return text;
  });
}

/** What a transform's context offers for reporting a problem. */
interface Ctx {
  addIssue(issue: { code: 'custom'; message: string }): void;
}

/** One technician: a name, or a linked Technicians record id resolved to its name. */
function technicianName(item: unknown, ctx: Ctx, names: ReadonlyMap<string, string> | undefined): string | undefined {
  if (typeof item !== 'string') {
    ctx.addIssue({ code: 'custom', message: `${describe(item)} is not a technician name` });
    return undefined;
  }
  const text = item.trim();
  if (!RECORD_ID.test(text)) return text === '' ? undefined : text;
  const name = names?.get(text);
  if (name === undefined) ctx.addIssue({ code: 'custom', message: `links record ${text}, which is not a named row of Technicians` });
  return name;
}

/** Rotation members in order: comma-separated (or one per line) names, or an array of names or links. */
function members(names: ReadonlyMap<string, string> | undefined) {
  return z.unknown().transform((raw, ctx): string[] => {
    const items = typeof raw === 'string' ? raw.split(/[,\n]/) : Array.isArray(raw) ? (raw as unknown[]) : undefined;
    if (items === undefined && raw !== undefined && raw !== null) {
      ctx.addIssue({ code: 'custom', message: `must be technician names separated by commas, or links to Technicians (got ${describe(raw)})` });
      return z.NEVER;
    }
    const found = (items ?? []).map((item) => technicianName(item, ctx, names)).filter((n): n is string => n !== undefined);
    if (found.length === 0 && (items ?? []).every((item) => typeof item === 'string' && !RECORD_ID.test(item.trim()))) {
      ctx.addIssue({ code: 'custom', message: 'names no technician' });
    }
    return found;
  });
}

/** One technician, by name or by a link to one Technicians row; `required` false allows empty. */
function oneTechnician(names: ReadonlyMap<string, string> | undefined, required: boolean) {
  return z.unknown().transform((raw, ctx): string | undefined => {
    const items = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined || raw === null || raw === '' ? [] : [raw];
    if (items.length > 1) {
      ctx.addIssue({ code: 'custom', message: `links ${items.length} technicians; link one` });
      return z.NEVER;
    }
    const name = items.length ? technicianName(items[0], ctx, names) : undefined;
    if (name === undefined && required && items.length === 0) ctx.addIssue({ code: 'custom', message: 'is empty' });
    return name;
  });
}

function rotationSchema(options: ScheduleRowOptions) {
  return z.object({
    name: optionalText,
    tier,
    members: members(options.technicianNames),
    start: dateTime(options.timeZone ?? 'UTC'),
    shiftHours,
    active,
  });
}

function overrideSchema(options: ScheduleRowOptions) {
  const zone = options.timeZone ?? 'UTC';
  const instant = (text: string) => DateTime.fromISO(text, { zone }).toMillis();
  return z
    .object({
      name: optionalText,
      technician: oneTechnician(options.technicianNames, true),
      tier,
      start: dateTime(zone),
      end: dateTime(zone),
      replaces: oneTechnician(options.technicianNames, false).optional(),
    })
    .superRefine((row, ctx) => {
      if (instant(row.end) <= instant(row.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after the start (${row.start})` });
    });
}

/** A row with no value at all: a blank line in Airtable, `{}` in a file. Not a mistake. */
function isBlank(row: unknown): boolean {
  return typeof row === 'object' && row !== null && !Array.isArray(row) && Object.values(row).every((v) => v === undefined || v === null || v === '');
}

function parseRows<S extends z.ZodType, T>(
  kind: 'rotation' | 'override',
  rows: LabelledRow[],
  schema: S,
  toValue: (parsed: z.output<S>, label: string) => T,
  source: string,
  logger: Logger,
  options: ScheduleRowOptions,
): T[] {
  const values: T[] = [];
  for (const { label, row } of rows) {
    if (isBlank(row)) continue;
    const parsed = schema.safeParse(row);
    if (parsed.success) {
      values.push(toValue(parsed.data, label));
      continue;
    }
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      return key ? `${options.fieldLabels?.[key] ?? key} ${issue.message}` : issue.message;
    });
    logger.warn({ source, row: label, problems }, `${kind} row ${label} skipped: ${problems.join('; ')}`);
  }
  return values;
}

/** The valid rotations, inactive ones included (flagged); each invalid row is skipped with a warning. */
export function parseRotations(rows: LabelledRow[], source: string, logger: Logger, options: ScheduleRowOptions = {}): Rotation[] {
  return parseRows(
    'rotation',
    rows,
    rotationSchema(options),
    (r, label): Rotation => ({ name: r.name ?? label, tier: r.tier, members: r.members, start: r.start, shiftHours: r.shiftHours, active: r.active }),
    source,
    logger,
    options,
  );
}

/** The valid overrides; each invalid row is skipped with a warning. */
export function parseOverrides(rows: LabelledRow[], source: string, logger: Logger, options: ScheduleRowOptions = {}): Override[] {
  return parseRows(
    'override',
    rows,
    overrideSchema(options),
    (o, label): Override => ({
      name: o.name ?? label,
      technician: o.technician as string,
      tier: o.tier,
      start: o.start,
      end: o.end,
      ...(o.replaces === undefined ? {} : { replaces: o.replaces }),
    }),
    source,
    logger,
    options,
  );
}

export interface UnknownScheduleName {
  /** the rotation or override naming them */
  row: string;
  name: string;
}

/**
 * Names in the schedule that match no technician of the roster (a typo, or someone removed from
 * Technicians), each logged as a warning: nobody is paged for such a turn, so it shows as a
 * coverage gap. Names match as on-call does, ignoring case and surrounding spaces.
 */
export function warnUnknownScheduleNames(
  schedule: { technicians: readonly Technician[]; rotations: readonly Rotation[]; overrides: readonly Override[] },
  source: string,
  logger: Logger,
): UnknownScheduleName[] {
  const known = new Set(schedule.technicians.map((t) => t.name.trim().toLowerCase()));
  const named = [
    ...schedule.rotations.flatMap((r) => r.members.map((name) => ({ row: r.name, name }))),
    ...schedule.overrides.flatMap((o) => [o.technician, ...(o.replaces ? [o.replaces] : [])].map((name) => ({ row: o.name, name }))),
  ];
  const unknown = named.filter((n, i) => !known.has(n.name.trim().toLowerCase()) && named.findIndex((m) => m.row === n.row && m.name === n.name) === i);
  for (const { row, name } of unknown) {
    logger.warn({ source, row, technician: name }, `schedule row "${row}" names "${name}", who is not in the roster: nobody is on call for that turn`);
  }
  return unknown;
}
