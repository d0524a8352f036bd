// Airtable gateway over the official client. Every call is one HTTP request per ≤10 records,
// made in sequence, with the client's own 429 retry loop turned off: that loop backs off
// randomly and without bound inside a single activity attempt, while Temporal can retry the
// whole activity after Airtable's 30 s lock-out and keep the attempt visible to ops.
import Airtable from 'airtable';
import type { CallRow, DispatchEventRow, Technician } from '../../src/domain/types';
import type { Logger } from '../../src/observability/logger';
import { parseTechnicians } from '../roster/technicianRows';
import { toAirtableRequestError } from './errors';
import {
  CALLS,
  DISPATCH_EVENTS,
  TECHNICIANS,
  fromAirtableFields,
  primaryFieldName,
  toAirtableFields,
  type AirtableFields,
  type TableSpec,
} from '../../src/domain/airtable/fields';

/** Airtable accepts at most 10 records per create/update request. */
export const MAX_RECORDS_PER_REQUEST = 10;
/** Under Airtable's 5 requests/s per base, with room for network jitter. */
export const DEFAULT_REQUESTS_PER_SECOND = 4;

export interface UpsertResult {
  created: number;
  updated: number;
}

export interface AirtableGateway {
  upsertCalls(rows: CallRow[]): Promise<UpsertResult>;
  upsertEvents(rows: DispatchEventRow[]): Promise<UpsertResult>;
  /** active technicians, validated; invalid rows are skipped with a warning */
  listTechnicians(): Promise<Technician[]>;
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

  const paced = pacer(1000 / (options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND));

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

  async function upsert<K extends string>(table: TableSpec<K>, rows: Partial<Record<K, unknown>>[]): Promise<UpsertResult> {
    const mergeOn = primaryFieldName(table);
    const records = mergeByKey(rows.map((row) => toAirtableFields(table, row)), mergeOn);
    const result: UpsertResult = { created: 0, updated: 0 };
    for (let start = 0; start < records.length; start += MAX_RECORDS_PER_REQUEST) {
      const chunk = records.slice(start, start + MAX_RECORDS_PER_REQUEST);
      const body = await request<UpsertResponse>(`upsert into "${table.name}"`, {
        method: 'PATCH',
        table: table.name,
        body: {
          performUpsert: { fieldsToMergeOn: [mergeOn] },
          records: chunk.map((fields) => ({ fields })),
          // Lets Airtable add a select option a hand-built base lacks instead of rejecting the row.
          typecast: true,
        },
      });
      result.created += body.createdRecords.length;
      result.updated += body.updatedRecords.length;
    }
    logger.debug({ table: table.name, rows: rows.length, ...result }, 'airtable upsert');
    return result;
  }

  return {
    upsertCalls: (rows) => upsert(CALLS, rows),
    upsertEvents: (rows) => upsert(DISPATCH_EVENTS, rows),

    async listTechnicians() {
      const rows: { label: string; row: unknown }[] = [];
      let offset: string | undefined;
      do {
        const page = await request<ListResponse>(`list "${TECHNICIANS.name}"`, {
          method: 'GET',
          table: TECHNICIANS.name,
          qs: { pageSize: 100, filterByFormula: `{${TECHNICIANS.columns.active.name}}`, ...(offset ? { offset } : {}) },
        });
        for (const record of page.records) rows.push({ label: record.id, row: fromAirtableFields(TECHNICIANS, record.fields) });
        offset = page.offset;
      } while (offset);
      return parseTechnicians(rows, `Airtable ${TECHNICIANS.name}`, logger);
    },
  };
}

/** One record per key, later rows' fields laid over earlier ones: two writes of the same key
 *  in one request would be ambiguous for Airtable's upsert. Keeps first-seen order. */
function mergeByKey(records: AirtableFields[], keyField: string): AirtableFields[] {
  const byKey = new Map<unknown, AirtableFields>();
  for (const fields of records) {
    const key = fields[keyField];
    byKey.set(key, { ...byKey.get(key), ...fields });
  }
  return [...byKey.values()];
}

/**
 * One caller at a time, each at least `intervalMs` after the previous one actually went: a timer
 * that fires late (a busy event loop) delays the callers behind it instead of bunching them.
 */
function pacer(intervalMs: number): () => Promise<void> {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError('requestsPerSecond must be a positive number');
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
