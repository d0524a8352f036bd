// Local stand-in for Airtable's REST API (the subset the product and its setup command use).
// Tests start it on a random port; `npm start` without Airtable credentials runs it with a data
// file so the business's tables survive restarts. Control and inspection live under /_emulator/.
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { BaseStore, EmulatorHttpError, type EmulatorRecord, type TableDef } from './store';
import { Traffic, type RequestLogEntry, type TrafficStats } from './traffic';

export type { EmulatorRecord, TableDef } from './store';
export type { RequestLogEntry, TrafficStats } from './traffic';

export interface AirtableEmulatorOptions {
  /** 0 (default) picks a free port */
  port?: number;
  host?: '127.0.0.1';
  apiKey: string;
  baseId: string;
  /** persist the base here (JSON) and load it on start */
  dataFile?: string;
  /** Airtable's per-base limit; default 5 */
  requestsPerSecond?: number;
  /** default true: the spec's tables (the schedule's included) exist from the start; false: an empty base */
  createSchema?: boolean;
}

export interface AirtableEmulatorState {
  /** make every /v0 request answer this status (e.g. 503) until set back to null */
  setOutage(status: number | null): void;
  stats(): TrafficStats;
  requestLog(): RequestLogEntry[];
  tables(): TableDef[];
  records(table: string): EmulatorRecord[];
  /** simulate a hand-built base that lacks a field */
  removeField(table: string, field: string): void;
  /** fresh base (spec tables empty, or none with createSchema false), empty log and stats, no outage */
  reset(): void;
}

export interface AirtableEmulator {
  /** pass as endpointUrl / AIRTABLE_ENDPOINT_URL */
  url: string;
  close(): Promise<void>;
  state: AirtableEmulatorState;
}

export async function startAirtableEmulator(opts: AirtableEmulatorOptions): Promise<AirtableEmulator> {
  const store = new BaseStore({ createSchema: opts.createSchema ?? true, dataFile: opts.dataFile });
  const traffic = new Traffic(opts.requestsPerSecond ?? 5);
  let outage: number | null = null;

  const state: AirtableEmulatorState = {
    setOutage: (status) => {
      outage = status;
    },
    stats: () => traffic.stats(outage),
    requestLog: () => traffic.requestLog(),
    tables: () => store.listTables(),
    records: (table) => store.records(table),
    removeField: (table, field) => store.removeField(table, field),
    reset: () => {
      store.reset();
      traffic.reset();
      outage = null;
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '5mb' }));
  app.use('/_emulator', controlRoutes(state));
  app.use('/v0', gatekeeper(opts, traffic, () => outage));
  app.use('/v0', apiRoutes(opts.baseId, store));
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { type: 'NOT_FOUND', message: 'Could not find what you are looking for' } });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof EmulatorHttpError) {
      res.status(err.status).json(err.toBody());
    } else if (isBodyParseError(err)) {
      res.status(422).json({ error: { type: 'INVALID_REQUEST_BODY', message: 'Could not parse the request body as JSON' } });
    } else {
      res.status(500).json({ error: { type: 'SERVER_ERROR', message: String(err) } });
    }
  });

  const server = app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address}:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Clients keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

/** Outage, auth and rate limit, in that order, and the request log for every /v0 request. */
function gatekeeper(opts: AirtableEmulatorOptions, traffic: Traffic, outage: () => number | null) {
  return (req: Request, res: Response, next: NextFunction) => {
    // Read now: a request that fails leaves the /v0 router, and by 'finish' its path is the app's.
    const path = req.path;
    res.on('finish', () => {
      const records = (req.body as { records?: unknown } | undefined)?.records;
      traffic.record({
        time: new Date().toISOString(),
        method: req.method,
        path,
        table: tableOf(path),
        status: res.statusCode,
        ...(Array.isArray(records) ? { records: records.length } : {}),
      });
    });
    const down = outage();
    if (down !== null) {
      res.status(down).json({ error: { type: 'SERVICE_UNAVAILABLE', message: 'The service is temporarily unavailable (emulated outage)' } });
      return;
    }
    if (req.get('authorization') !== `Bearer ${opts.apiKey}`) {
      res.status(401).json({ error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } });
      return;
    }
    if (!traffic.admit()) {
      res.status(429).json({ errors: [{ error: 'RATE_LIMIT_REACHED', message: 'Rate limit exceeded. Please try again later' }] });
      return;
    }
    next();
  };
}

/** Table name or id from a /v0 path, for the request log. */
function tableOf(path: string): string | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return parts[0] === 'meta' ? parts[4] : parts[1];
}

function apiRoutes(baseId: string, store: BaseStore) {
  const router = express.Router();
  router.param('baseId', (_req, _res, next, id: string) => {
    next(id === baseId ? undefined : new EmulatorHttpError(404, 'NOT_FOUND', `Could not find base ${id}`));
  });
  const body = (req: Request): Record<string, unknown> => (typeof req.body === 'object' && req.body !== null ? req.body : {});
  const param = (req: Request, name: string): string => req.params[name] as string;

  // Meta API first: "meta" would otherwise match :baseId.
  router.get('/meta/bases/:baseId/tables', (_req, res) => {
    res.json({ tables: store.listTables().map((t) => ({ ...t, views: [{ id: 'viwGrid', name: 'Grid view', type: 'grid' }] })) });
  });
  router.post('/meta/bases/:baseId/tables', (req, res) => {
    res.json(store.createTable(body(req)));
  });
  router.post('/meta/bases/:baseId/tables/:table/fields', (req, res) => {
    res.json(store.createField(param(req, 'table'), body(req)));
  });

  router.get('/:baseId/:table', (req, res) => {
    res.json(store.listRecords(param(req, 'table'), req.query));
  });
  router.post('/:baseId/:table/listRecords', (req, res) => {
    res.json(store.listRecords(param(req, 'table'), { ...req.query, ...body(req) }));
  });
  router.post('/:baseId/:table', (req, res) => {
    const { records, typecast } = body(req);
    res.json({ records: store.createRecords(param(req, 'table'), records, typecast === true) });
  });
  const update = (destructive: boolean) => (req: Request, res: Response) => {
    const { records, typecast, performUpsert } = body(req);
    const fieldsToMergeOn = (performUpsert as { fieldsToMergeOn?: unknown } | undefined)?.fieldsToMergeOn;
    if (performUpsert !== undefined && !Array.isArray(fieldsToMergeOn)) {
      throw new EmulatorHttpError(422, 'INVALID_REQUEST_UNKNOWN', 'performUpsert.fieldsToMergeOn must be an array of field names');
    }
    const result = store.updateRecords(param(req, 'table'), records, { destructive, typecast: typecast === true, fieldsToMergeOn: fieldsToMergeOn as string[] | undefined });
    res.json(performUpsert ? result : { records: result.records });
  };
  router.patch('/:baseId/:table', update(false));
  router.put('/:baseId/:table', update(true));
  return router;
}

function controlRoutes(state: AirtableEmulatorState) {
  const router = express.Router();
  router.get('/stats', (_req, res) => {
    res.json(state.stats());
  });
  router.get('/requests', (_req, res) => {
    res.json({ requests: state.requestLog() });
  });
  router.get('/tables', (_req, res) => {
    res.json({ tables: state.tables() });
  });
  router.get('/tables/:table/records', (req, res) => {
    res.json({ records: state.records(req.params.table) });
  });
  router.post('/outage', (req, res) => {
    const status = (req.body as { status?: unknown } | undefined)?.status ?? 503;
    if (typeof status !== 'number' || status < 400 || status > 599) throw new EmulatorHttpError(400, 'INVALID_REQUEST', 'status must be an HTTP error status');
    state.setOutage(status);
    res.json(state.stats());
  });
  router.delete('/outage', (_req, res) => {
    state.setOutage(null);
    res.json(state.stats());
  });
  router.post('/reset', (_req, res) => {
    state.reset();
    res.json(state.stats());
  });
  return router;
}

function isBodyParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
}
