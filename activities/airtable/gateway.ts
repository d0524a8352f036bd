// Airtable gateway over the official client. Every write is one HTTP request of the ≤10 rows the
// writer batched (src/domain/airtable/pendingRows.ts merges and caps them), with the client's own 429 retry loop turned off: that loop backs off
// randomly and without bound inside a single activity attempt, while Temporal can retry the
// whole activity after Airtable's 30 s lock-out and keep the attempt visible to ops.
import Airtable from 'airtable';
import type { Override, Rotation } from '../../src/domain/roster/schedule';
import type { CallRow, DispatchEventRow, Technician } from '../../src/domain/types';
import type { Logger } from '../../src/observability/logger';
import { parseOverrides, parseRotations } from '../roster/scheduleRows';
import { parseTechnicians, type LabelledRow } from '../roster/technicianRows';
import { AirtableRequestError, toAirtableRequestError } from './errors';
import {
  CALLS,
  DISPATCH_EVENTS,
  OVERRIDES,
  ROTATIONS,
  TECHNICIANS,
  fromAirtableFields,
  primaryFieldName,
  toAirtableFields,
  type AirtableFields,
  type FieldSpec,
  type TableSpec,
} from '../../src/domain/airtable/fields';
import { DEFAULT_REQUESTS_PER_SECOND, requestIntervalMs } from '../../src/domain/airtable/pace';
import { MAX_RECORDS_PER_REQUEST } from '../../src/domain/airtable/pendingRows';


export interface UpsertResult {
  created: number;
  updated: number;
}

export interface AirtableGateway {
  upsertCalls(rows: CallRow[]): Promise<UpsertResult>;
  upsertEvents(rows: DispatchEventRow[]): Promise<UpsertResult>;
  /** active technicians, validated; invalid rows are skipped with a warning */
  listTechnicians(): Promise<Technician[]>;
  /**
   * The on-call schedule: every valid Rotations row (inactive ones flagged) and Overrides row,
   * links to Technicians resolved to names, invalid rows skipped with a warning. A base without
   * the tables reads as an empty schedule; an unreachable Airtable rejects (keep the last one).
   */
  listSchedule(): Promise<ScheduleTables>;
}

/** The Rotations and Overrides tables as read; src/domain/roster/schedule adds the roster and zone. */
export interface ScheduleTables {
  rotations: Rotation[];
  overrides: Override[];
}

export interface AirtableGatewayOptions {
  apiKey: string;
  baseId: string;
  /** default https://api.airtable.com; the local emulator's url in development and tests */
  endpointUrl?: string;
  logger: Logger;
  /** per request; default 20 s so a hung connection fails the attempt, not the activity timeout */
  requestTimeoutMs?: number;
  /**
   * Most requests this process starts in any second (default 4; Airtable allows 5 per base). The
   * audit task queue's server-side limit alone lets bursts through: the server splits it across
   * the queue's partitions and lets each burst, so up to about twice the rate reaches Airtable
   * within one second. Spacing the requests here keeps one worker under the limit whatever the
   * server hands it.
   */
  requestsPerSecond?: number;
  /** the business time zone: how the schedule's rows compare a Start and End typed without an offset */
  timeZone?: string;
}

interface AirtableRecordJson {
  id: string;
  createdTime: string;
  fields: AirtableFields;
}

interface UpsertResponse {
  records: AirtableRecordJson[];
  createdRecords: string[];
  updatedRecords: string[];
}

interface ListResponse {
  records: AirtableRecordJson[];
  offset?: string;
}

export function createAirtableGateway(options: AirtableGatewayOptions): AirtableGateway {
  const { logger } = options;
  const base = new Airtable({
    apiKey: options.apiKey,
    endpointUrl: options.endpointUrl,
    noRetryIfRateLimited: true,
    requestTimeout: options.requestTimeoutMs ?? 20_000,
  }).base(options.baseId);

  const paced = pacer(requestIntervalMs(options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND));

  async function request<T>(action: string, req: { method: string; table: string; qs?: Record<string, unknown>; body?: unknown }): Promise<T> {
    await paced();
    try {
      // makeRequest (rather than table.update) because it returns the whole body: the typed
      // upsert result with createdRecords/updatedRecords, and the list offset.
      const response = await base.makeRequest({
        method: req.method,
        path: `/${encodeURIComponent(req.table)}`,
        qs: req.qs,
        body: req.body,
      });
      return response.body as T;
    } catch (err) {
      throw toAirtableRequestError(err, action);
    }
  }

  /** One request: the rows come merged by key and at most 10, as the writer batches them. */
  async function upsert<K extends string>(table: TableSpec<K>, rows: Partial<Record<K, unknown>>[]): Promise<UpsertResult> {
    if (rows.length > MAX_RECORDS_PER_REQUEST) throw new RangeError(`Airtable takes at most ${MAX_RECORDS_PER_REQUEST} records a request, got ${rows.length}`);
    const mergeOn = primaryFieldName(table);
    const body = await request<UpsertResponse>(`upsert into "${table.name}"`, {
      method: 'PATCH',
      table: table.name,
      body: {
        performUpsert: { fieldsToMergeOn: [mergeOn] },
        records: rows.map((row) => ({ fields: toAirtableFields(table, row) })),
        // Lets Airtable add a select option a hand-built base lacks instead of rejecting the row.
        typecast: true,
      },
    });
    const result: UpsertResult = { created: body.createdRecords.length, updated: body.updatedRecords.length };
    logger.debug({ table: table.name, rows: rows.length, ...result }, 'airtable upsert');
    return result;
  }

  /** Every record of the table, page by page (Airtable's pages hold at most 100). */
  async function listAll(table: TableSpec, qs: Record<string, unknown> = {}): Promise<AirtableRecordJson[]> {
    const records: AirtableRecordJson[] = [];
    let offset: string | undefined;
    do {
      const page = await request<ListResponse>(`list "${table.name}"`, {
        method: 'GET',
        table: table.name,
        qs: { pageSize: 100, ...qs, ...(offset ? { offset } : {}) },
      });
      records.push(...page.records);
      offset = page.offset;
    } while (offset);
    return records;
  }

  /**
   * An optional table's records, or undefined when the base seems to lack it: Airtable answers a
   * personal access token 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND for a table that does not
   * exist (the official client reports it as NOT_AUTHORIZED), older keys 404 TABLE_NOT_FOUND. Both
   * also mean "no access to the base", so the caller confirms the base is readable.
   */
  async function listOptional(table: TableSpec): Promise<AirtableRecordJson[] | undefined> {
    try {
      return await listAll(table);
    } catch (err) {
      if (err instanceof AirtableRequestError && (err.status === 403 || err.status === 404)) return undefined;
      throw err;
    }
  }

  /** Record id → Name of every Technicians row, active or not: what links point at. */
  async function technicianNamesById(): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const record of await listAll(TECHNICIANS, { fields: [TECHNICIANS.columns.name.name] })) {
      const name = record.fields[TECHNICIANS.columns.name.name];
      if (typeof name === 'string' && name.trim() !== '') names.set(record.id, name.trim());
    }
    return names;
  }

  let missingScheduleTables = '';
  /** Logs the schedule tables' absence once, and again only when it changes. */
  function noteMissing(tables: string[]): void {
    const now = tables.join(', ');
    if (now === missingScheduleTables) return;
    if (tables.length) {
      logger.info({ missing: tables }, `schedule tables missing (${now}): read as empty; where a tier has no rotation everyone Active pages as before`);
    } else {
      logger.info('schedule tables found: the on-call schedule is read from Rotations and Overrides');
    }
    missingScheduleTables = now;
  }

  return {
    upsertCalls: (rows) => upsert(CALLS, rows),
    upsertEvents: (rows) => upsert(DISPATCH_EVENTS, rows),

    async listTechnicians() {
      const records = await listAll(TECHNICIANS, { filterByFormula: `{${TECHNICIANS.columns.active.name}}` });
      const rows = records.map((record) => ({ label: record.id, row: fromAirtableFields(TECHNICIANS, record.fields) }));
      return parseTechnicians(rows, `Airtable ${TECHNICIANS.name}`, logger);
    },

    async listSchedule() {
      const rotations = await listOptional(ROTATIONS);
      const overrides = await listOptional(OVERRIDES);
      const missing = [rotations === undefined ? ROTATIONS.name : [], overrides === undefined ? OVERRIDES.name : []].flat();
      // A cell holding an array is a link (or lookup) field: its record ids need the names.
      const linked = (records: AirtableRecordJson[] | undefined, fields: FieldSpec[]) =>
        (records ?? []).some((r) => fields.some((field) => Array.isArray(r.fields[field.name])));
      const needsNames =
        linked(rotations, [ROTATIONS.columns.members]) || linked(overrides, [OVERRIDES.columns.technician, OVERRIDES.columns.replaces]);
      // One listing of Technicians serves both: the names links point at, and the proof that a
      // 403/404 above meant a missing table rather than a base this token cannot read (it throws).
      const technicianNames = needsNames || missing.length ? await technicianNamesById() : undefined;
      noteMissing(missing);

      const parse = { technicianNames, timeZone: options.timeZone };
      const rows = (table: TableSpec, records: AirtableRecordJson[] | undefined): LabelledRow[] =>
        (records ?? []).map((record) => {
          const name = record.fields[primaryFieldName(table)];
          return { label: `${record.id}${typeof name === 'string' && name.trim() ? ` (${name.trim()})` : ''}`, row: fromAirtableFields(table, record.fields) };
        });
      const labels = (table: TableSpec) => Object.fromEntries(Object.entries(table.columns).map(([key, spec]) => [key, `"${spec.name}"`]));
      return {
        rotations: parseRotations(rows(ROTATIONS, rotations), `Airtable ${ROTATIONS.name}`, logger, { ...parse, fieldLabels: labels(ROTATIONS) }),
        overrides: parseOverrides(rows(OVERRIDES, overrides), `Airtable ${OVERRIDES.name}`, logger, { ...parse, fieldLabels: labels(OVERRIDES) }),
      };
    },
  };
}

/**
 * One caller at a time, each at least `intervalMs` after the previous one actually went: a timer
 * that fires late (a busy event loop) delays the callers behind it instead of bunching them.
 */
function pacer(intervalMs: number): () => Promise<void> {
  let lastStart = -Infinity;
  let queue: Promise<void> = Promise.resolve();
  return () => {
    const turn = queue.then(async () => {
      const wait = lastStart + intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastStart = Date.now();
    });
    queue = turn;
    return turn;
  };
}
