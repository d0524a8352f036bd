// Airtable gateway over the official client. Every write is one HTTP request of the ≤10 rows the
// writer batched (src/domain/airtable/pendingRows.ts merges and caps them), with the client's own 429 retry loop turned off: that loop backs off
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
