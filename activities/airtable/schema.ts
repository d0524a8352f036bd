// Builds and checks the Airtable base through the Meta API, from the same schema the gateway
// writes with (src/domain/airtable/fields.ts). Setup only adds: existing tables and fields —
// and anything an office added — are left as they are.
import type { Logger } from '../../src/observability/logger';
import { AirtableRequestError, classifyStatus } from './errors';
import { SCHEMA, schemaInTimeZone, tableFields, type FieldSpec, type TableSpec } from '../../src/domain/airtable/fields';

export interface AirtableConnection {
  apiKey: string;
  baseId: string;
  /** default https://api.airtable.com */
  endpointUrl?: string;
}

/** A table of the spec that the base lacks (no `field`), or a field its table lacks. */
export interface SchemaGap {
  table: string;
  field?: string;
  /** part of an optional table (the on-call schedule's): the product works without it */
  optional?: true;
}

/** The base's gaps, split by what they cost. */
export interface SchemaReview {
  /** tables and fields the product writes or reads the roster from: rows are refused until added */
  required: SchemaGap[];
  /** the on-call schedule's tables and fields: without them everyone Active is on call */
  optional: SchemaGap[];
}

interface MetaTable {
  id: string;
  name: string;
  fields: { name: string }[];
}

const DEFAULT_ENDPOINT = 'https://api.airtable.com';
/** Keeps setup and check under Airtable's 5 requests/s per base, which counts schema calls too. */
const REQUEST_SPACING_MS = 250;
let nextRequestAt = 0;

/** The spec's required tables and fields the base lacks; empty when the product can write to it.
 *  The optional schedule tables are left out: see reviewAirtableBase. */
export async function checkAirtableBase(conn: AirtableConnection): Promise<SchemaGap[]> {
  return (await reviewAirtableBase(conn)).required;
}

/** Every gap of the base, required and optional (one Meta API request). */
export async function reviewAirtableBase(conn: AirtableConnection): Promise<SchemaReview> {
  const gaps = findGaps(await listTables(conn));
  return { required: gaps.filter((g) => !g.optional), optional: gaps.filter((g) => g.optional) };
}

export interface SetupOptions {
  /** IANA zone the schedule's Start and End are shown and typed in (the business time zone);
   *  default: each viewer's own */
  timeZone?: string;
}

/** Creates the missing tables and fields, the optional schedule tables included; returns what it
 *  created. Safe to run again. */
export async function setupAirtableBase(conn: AirtableConnection, options: SetupOptions = {}): Promise<SchemaGap[]> {
  const schema = options.timeZone ? schemaInTimeZone(options.timeZone) : SCHEMA;
  const existing = await listTables(conn);
  const gaps = findGaps(existing, schema);
  for (const gap of gaps) {
    const spec = schema.find((table) => table.name === gap.table);
    if (!spec) continue;
    if (gap.field === undefined) {
      await metaRequest<MetaTable>(conn, 'POST', '/tables', { name: spec.name, description: spec.description, fields: tableFields(spec) });
    } else {
      const table = existing.find((t) => t.name === gap.table) as MetaTable;
      const field = tableFields(spec).find((f) => f.name === gap.field) as FieldSpec;
      await metaRequest(conn, 'POST', `/tables/${table.id}/fields`, field);
    }
  }
  return gaps;
}

export function describeGaps(gaps: SchemaGap[]): string[] {
  return gaps.map((gap) => (gap.field === undefined ? `table "${gap.table}"` : `field "${gap.field}" in table "${gap.table}"`));
}

/**
 * The start-up check's log lines: an error for required gaps (rows refused until someone runs
 * `npm run airtable:setup`), and for the schedule's tables an info line when they are absent —
 * a base without them pages everyone Active, as before schedules — or a warning when a table is
 * there but lacks a field (rows that need it are skipped).
 */
export function logSchemaReview(review: SchemaReview, logger: Logger): void {
  const { required, optional } = review;
  if (required.length) {
    logger.error({ alert: 'airtable-schema', missing: describeGaps(required) }, `Airtable base lacks ${describeGaps(required).join(', ')}: run npm run airtable:setup`);
  }
  const absentTables = optional.filter((g) => g.field === undefined);
  const absentFields = optional.filter((g) => g.field !== undefined);
  if (absentTables.length) {
    const missing = describeGaps(absentTables);
    logger.info({ missing }, `schedule tables missing (${missing.join(', ')}): everyone Active pages as before; run npm run airtable:setup to add them`);
  }
  if (absentFields.length) {
    const missing = describeGaps(absentFields);
    logger.warn({ alert: 'airtable-schedule-schema', missing }, `on-call schedule tables incomplete: base lacks ${missing.join(', ')} (rows needing it are skipped): run npm run airtable:setup`);
  }
}

function findGaps(existing: MetaTable[], schema: readonly TableSpec[] = SCHEMA): SchemaGap[] {
  const gaps: SchemaGap[] = [];
  for (const spec of schema) {
    const optional = spec.optional ? ({ optional: true } as const) : {};
    const table = existing.find((t) => t.name === spec.name);
    if (!table) {
      gaps.push({ table: spec.name, ...optional });
      continue;
    }
    for (const field of tableFields(spec)) {
      if (!table.fields.some((f) => f.name === field.name)) gaps.push({ table: spec.name, field: field.name, ...optional });
    }
  }
  return gaps;
}

async function listTables(conn: AirtableConnection): Promise<MetaTable[]> {
  return (await metaRequest<{ tables: MetaTable[] }>(conn, 'GET', '/tables')).tables;
}

async function metaRequest<T>(conn: AirtableConnection, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const url = `${conn.endpointUrl ?? DEFAULT_ENDPOINT}/v0/meta/bases/${encodeURIComponent(conn.baseId)}${path}`;
  const action = `${method} meta${path}`;
  await takeRequestSlot();
  let response: globalThis.Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${conn.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    throw new AirtableRequestError('transient', action, undefined, undefined, err instanceof Error ? err.message : String(err));
  }
  const text = await response.text();
  if (response.ok) return JSON.parse(text) as T;
  const error = parseError(text);
  throw new AirtableRequestError(classifyStatus(response.status), action, response.status, error.type, error.message ?? text);
}

async function takeRequestSlot(): Promise<void> {
  const now = Date.now();
  const wait = nextRequestAt - now;
  nextRequestAt = Math.max(now, nextRequestAt) + REQUEST_SPACING_MS;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Airtable answers `{error: {type, message}}`, `{error: "TYPE"}` or `{errors: [{error, message}]}`. */
function parseError(text: string): { type?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown; errors?: { error?: string; message?: string }[] };
    if (typeof body.error === 'string') return { type: body.error };
    if (typeof body.error === 'object' && body.error !== null) return body.error as { type?: string; message?: string };
    const first = body.errors?.[0];
    return { type: first?.error, message: first?.message };
  } catch {
    return {};
  }
}
