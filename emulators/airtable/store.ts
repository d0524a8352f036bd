// The emulated base: tables with typed fields and their records, with Airtable's write rules
// (unknown field → 422, wrong type → 422, ≤10 records per write, upsert on merge fields), and
// linked-record fields holding arrays of record ids, as the REST API returns them.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA, tableFields, type FieldSpec, type FieldType } from '../../src/domain/airtable/fields';
import { compileFormula, FormulaError } from './formula';

export class EmulatorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }

  toBody(): unknown {
    return { error: { type: this.type, message: this.message } };
  }
}

/** The product's field types, and those an office may choose by hand that the emulator knows. */
export type EmulatorFieldType = FieldType | 'email' | 'url' | 'multipleRecordLinks';

export interface FieldDef extends Omit<FieldSpec, 'type'> {
  id: string;
  type: EmulatorFieldType;
}

export interface TableDef {
  id: string;
  name: string;
  description?: string;
  primaryFieldId: string;
  fields: FieldDef[];
}

export interface EmulatorRecord {
  id: string;
  createdTime: string;
  fields: Record<string, unknown>;
}

interface StoredTable extends TableDef {
  records: EmulatorRecord[];
}

export interface RecordInput {
  id?: string;
  fields?: Record<string, unknown>;
}

export interface UpdateOptions {
  destructive: boolean;
  typecast: boolean;
  fieldsToMergeOn?: string[];
}

const MAX_RECORDS_PER_WRITE = 10;
const MAX_PAGE_SIZE = 100;
const SUPPORTED_TYPES = new Set<string>(['singleLineText', 'multilineText', 'phoneNumber', 'singleSelect', 'number', 'dateTime', 'checkbox', 'email', 'url', 'multipleRecordLinks']);
const RECORD_ID = /^rec[A-Za-z0-9]{14}$/;

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Airtable-style id: a 3-letter prefix and 14 letters/digits. */
export function newId(prefix: 'rec' | 'tbl' | 'fld'): string {
  return prefix + [...randomBytes(14)].map((byte) => ALPHANUM[byte % ALPHANUM.length]).join('');
}

export class BaseStore {
  private tables: StoredTable[] = [];

  constructor(
    private readonly opts: { createSchema: boolean; dataFile?: string },
  ) {
    if (opts.dataFile) this.tables = load(opts.dataFile);
    this.ensureSchema();
    this.persist();
  }

  /** Back to a fresh base: the spec's tables, empty — or no tables at all with createSchema false. */
  reset(): void {
    this.tables = [];
    this.ensureSchema();
    this.persist();
  }

  // ---- Meta API --------------------------------------------------------------------------

  listTables(): TableDef[] {
    return this.tables.map(({ records: _records, ...table }) => table);
  }

  createTable(input: { name?: unknown; description?: unknown; fields?: unknown }): TableDef {
    if (typeof input.name !== 'string' || input.name.trim() === '') throw invalid('INVALID_REQUEST_UNKNOWN', 'table name is required');
    if (this.findTable(input.name)) throw invalid('DUPLICATE_TABLE_NAME', `Table "${input.name}" already exists`);
    if (!Array.isArray(input.fields) || input.fields.length === 0) throw invalid('INVALID_REQUEST_UNKNOWN', 'a table needs at least one field');
    const fields: FieldDef[] = [];
    for (const spec of input.fields) {
      const field = this.checkLinkTarget(validateFieldSpec(spec));
      if (fields.some((f) => f.name === field.name)) throw invalid('DUPLICATE_OR_EMPTY_FIELD_NAME', `Duplicate field name "${field.name}"`);
      fields.push(field);
    }
    if (fields[0]?.type === 'multipleRecordLinks') throw invalid('INVALID_FIELD_TYPE', 'A primary field cannot be a linked record field');
    const table: StoredTable = {
      id: newId('tbl'),
      name: input.name,
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      primaryFieldId: (fields[0] as FieldDef).id,
      fields,
      records: [],
    };
    this.tables.push(table);
    this.persist();
    return this.listTables().find((t) => t.id === table.id) as TableDef;
  }

  createField(tableIdOrName: string, spec: unknown): FieldDef {
    const table = this.table(tableIdOrName);
    const field = this.checkLinkTarget(validateFieldSpec(spec));
    if (table.fields.some((f) => f.name === field.name)) throw invalid('DUPLICATE_OR_EMPTY_FIELD_NAME', `Field "${field.name}" already exists`);
    table.fields.push(field);
    this.persist();
    return field;
  }

  /** Test hook: a hand-built base that lacks a field (the Meta API cannot delete fields). */
  removeField(tableIdOrName: string, fieldName: string): void {
    const table = this.table(tableIdOrName);
    table.fields = table.fields.filter((f) => f.name !== fieldName);
    for (const record of table.records) delete record.fields[fieldName];
    this.persist();
  }

  // ---- Records ---------------------------------------------------------------------------

  records(tableIdOrName: string): EmulatorRecord[] {
    return structuredClone(this.table(tableIdOrName).records);
  }

  listRecords(
    tableIdOrName: string,
    query: { pageSize?: unknown; offset?: unknown; filterByFormula?: unknown; maxRecords?: unknown; fields?: unknown; 'fields[]'?: unknown },
  ): { records: EmulatorRecord[]; offset?: string } {
    const table = this.table(tableIdOrName);
    // `fields[]=Name&fields[]=Tier` (GET) or `fields: [...]` (POST listRecords): only those cells.
    const only = query['fields[]'] ?? query.fields;
    const wanted = only === undefined ? undefined : (Array.isArray(only) ? only : [only]).map((name) => this.field(table, String(name)).name);
    let matching = table.records;
    if (typeof query.filterByFormula === 'string' && query.filterByFormula.trim() !== '') {
      let predicate: (fields: Record<string, unknown>) => boolean;
      try {
        predicate = compileFormula(query.filterByFormula, new Set(table.fields.map((f) => f.name)));
      } catch (err) {
        if (err instanceof FormulaError) throw invalid('INVALID_FILTER_BY_FORMULA', `The formula for filtering records is invalid: ${err.message}`);
        throw err;
      }
      matching = matching.filter((record) => predicate(record.fields));
    }
    const maxRecords = toPositiveInt(query.maxRecords, 'maxRecords') ?? Infinity;
    matching = matching.slice(0, maxRecords);
    const pageSize = Math.min(toPositiveInt(query.pageSize, 'pageSize') ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const start = query.offset === undefined || query.offset === '' ? 0 : decodeOffset(query.offset);
    const page = matching.slice(start, start + pageSize);
    const next = start + pageSize < matching.length ? { offset: encodeOffset(start + pageSize) } : {};
    const records = structuredClone(page);
    if (wanted) for (const record of records) record.fields = Object.fromEntries(Object.entries(record.fields).filter(([name]) => wanted.includes(name)));
    return { records, ...next };
  }

  createRecords(tableIdOrName: string, inputs: unknown, typecast: boolean): EmulatorRecord[] {
    const table = this.table(tableIdOrName);
    // Validate everything first: Airtable applies a write request all or nothing.
    const validated = checkRecordList(inputs).map((input) => coerceFields(table, input.fields ?? {}, typecast, this.linkResolver()));
    const records = validated.map((fields) => this.insert(table, fields));
    this.persist();
    return structuredClone(records);
  }

  /** PATCH/PUT records, or with fieldsToMergeOn an upsert: update the record whose merge fields
   *  all equal the input's, create one when none does. */
  updateRecords(tableIdOrName: string, inputs: unknown, options: UpdateOptions): { records: EmulatorRecord[]; createdRecords: string[]; updatedRecords: string[] } {
    const table = this.table(tableIdOrName);
    const list = checkRecordList(inputs);
    const mergeOn = options.fieldsToMergeOn;
    if (mergeOn) {
      if (mergeOn.length === 0 || mergeOn.length > 3) throw invalid('INVALID_REQUEST_UNKNOWN', 'fieldsToMergeOn takes 1 to 3 field names');
      for (const name of mergeOn) this.field(table, name);
    }
    // Validate everything first (see createRecords).
    const planned = list.map((input) => {
      const fields = coerceFields(table, input.fields ?? {}, options.typecast, this.linkResolver());
      if (!mergeOn) {
        if (typeof input.id !== 'string') throw invalid('INVALID_RECORDS', 'each record needs an id');
        return { target: this.recordById(table, input.id), fields };
      }
      for (const name of mergeOn) {
        if (fields[name] === undefined || fields[name] === null) throw invalid('INVALID_VALUE_FOR_COLUMN', `Upsert needs a value for merge field "${name}"`);
      }
      return { target: undefined, fields };
    });

    const result = { records: [] as EmulatorRecord[], createdRecords: [] as string[], updatedRecords: [] as string[] };
    for (const { target: byId, fields } of planned) {
      const target = byId ?? (mergeOn ? this.findByMergeFields(table, mergeOn, fields) : undefined);
      if (target) {
        target.fields = options.destructive ? {} : target.fields;
        applyFields(target, fields);
        result.updatedRecords.push(target.id);
        result.records.push(target);
      } else {
        const record = this.insert(table, fields);
        result.createdRecords.push(record.id);
        result.records.push(record);
      }
    }
    this.persist();
    return structuredClone(result);
  }

  // ---- internals -------------------------------------------------------------------------

  private ensureSchema(): void {
    if (!this.opts.createSchema) return;
    for (const spec of SCHEMA) {
      const existing = this.findTable(spec.name);
      if (!existing) {
        this.createTable({ name: spec.name, description: spec.description, fields: tableFields(spec) });
        continue;
      }
      for (const field of tableFields(spec)) {
        if (!existing.fields.some((f) => f.name === field.name)) existing.fields.push({ id: newId('fld'), ...structuredClone(field) });
      }
    }
  }

  private persist(): void {
    const file = this.opts.dataFile;
    if (!file) return;
    // Write-then-rename so a crash mid-write never leaves a truncated base behind.
    writeFileSync(`${file}.tmp`, JSON.stringify({ tables: this.tables }, null, 2));
    renameSync(`${file}.tmp`, file);
  }

  private findTable(idOrName: string): StoredTable | undefined {
    return this.tables.find((t) => t.id === idOrName || t.name === idOrName);
  }

  private table(idOrName: string): StoredTable {
    const table = this.findTable(idOrName);
    // What Airtable answers a personal access token for a table the base lacks: it does not tell
    // a missing table from one the token may not see.
    if (!table) throw new EmulatorHttpError(403, 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND', MODEL_NOT_FOUND);
    return table;
  }

  /** A link field must name an existing table (`options.linkedTableId`), as the Meta API insists. */
  private checkLinkTarget(field: FieldDef): FieldDef {
    if (field.type !== 'multipleRecordLinks') return field;
    const target = field.options?.linkedTableId;
    if (typeof target !== 'string' || !this.tables.some((t) => t.id === target)) {
      throw invalid('INVALID_FIELD_TYPE_OPTIONS_FOR_CREATE', `Field "${field.name}": linkedTableId ${String(target)} is not a table of this base`);
    }
    return field;
  }

  /** For link cells: the linked table's record ids, and its records by primary field value. */
  private linkResolver(): LinkResolver {
    return (field, item, typecast) => {
      const target = this.tables.find((t) => t.id === field.options?.linkedTableId);
      if (!target) return undefined;
      if (target.records.some((r) => r.id === item)) return item;
      if (!typecast || RECORD_ID.test(item)) return undefined;
      const primary = target.fields.find((f) => f.id === target.primaryFieldId)?.name as string;
      return target.records.find((r) => r.fields[primary] === item)?.id;
    };
  }

  private field(table: StoredTable, name: string): FieldDef {
    const field = table.fields.find((f) => f.name === name || f.id === name);
    if (!field) throw invalid('UNKNOWN_FIELD_NAME', `Unknown field name: "${name}"`);
    return field;
  }

  private recordById(table: StoredTable, id: string): EmulatorRecord {
    const record = table.records.find((r) => r.id === id);
    if (!record) throw new EmulatorHttpError(404, 'NOT_FOUND', `Could not find record ${id}`);
    return record;
  }

  private findByMergeFields(table: StoredTable, mergeOn: string[], fields: Record<string, unknown>): EmulatorRecord | undefined {
    const matches = table.records.filter((record) => mergeOn.every((name) => record.fields[name] === fields[name]));
    if (matches.length > 1) throw invalid('INVALID_RECORDS', `Upsert matched ${matches.length} records on ${mergeOn.join(', ')}`);
    return matches[0];
  }

  private insert(table: StoredTable, fields: Record<string, unknown>): EmulatorRecord {
    const record: EmulatorRecord = { id: newId('rec'), createdTime: new Date().toISOString(), fields: {} };
    applyFields(record, fields);
    table.records.push(record);
    return record;
  }
}

const MODEL_NOT_FOUND =
  'Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.';

/** A link cell's item → the linked record's id, or undefined when there is none. */
type LinkResolver = (field: FieldDef, item: string, typecast: boolean) => string | undefined;

function load(file: string): StoredTable[] {
  mkdirSync(dirname(file), { recursive: true });
  if (!existsSync(file)) return [];
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { tables: StoredTable[] }).tables;
  } catch (err) {
    throw new Error(`Airtable emulator: cannot read its data file ${file}: ${String(err)}`);
  }
}

function invalid(type: string, message: string): EmulatorHttpError {
  return new EmulatorHttpError(422, type, message);
}

function checkRecordList(inputs: unknown): RecordInput[] {
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalid('INVALID_RECORDS', 'records must be a non-empty array');
  if (inputs.length > MAX_RECORDS_PER_WRITE) {
    throw invalid('INVALID_RECORDS', `You can write at most ${MAX_RECORDS_PER_WRITE} records per request, got ${inputs.length}`);
  }
  return inputs.map((input) => {
    if (typeof input !== 'object' || input === null) throw invalid('INVALID_RECORDS', 'each record must be an object');
    return input as RecordInput;
  });
}

function applyFields(record: EmulatorRecord, fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    // Airtable stores an unticked checkbox, empty text or no links as an absent cell.
    if (value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0)) delete record.fields[name];
    else record.fields[name] = value;
  }
}

function coerceFields(table: StoredTable, fields: Record<string, unknown>, typecast: boolean, links: LinkResolver): Record<string, unknown> {
  if (typeof fields !== 'object' || fields === null) throw invalid('INVALID_RECORDS', 'fields must be an object');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const field = table.fields.find((f) => f.name === name || f.id === name);
    if (!field) throw invalid('UNKNOWN_FIELD_NAME', `Unknown field name: "${name}"`);
    out[field.name] = value === null ? null : coerceValue(field, value, typecast, links);
  }
  return out;
}

function coerceValue(field: FieldDef, value: unknown, typecast: boolean, links: LinkResolver): unknown {
  const reject = () => invalid('INVALID_VALUE_FOR_COLUMN', `Field "${field.name}" cannot accept the provided value ${JSON.stringify(value)}`);
  switch (field.type) {
    case 'singleLineText':
    case 'multilineText':
    case 'phoneNumber':
    case 'email':
    case 'url':
      if (typeof value === 'string') return value;
      if (typecast && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
      throw reject();
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return roundTo(value, field);
      if (typecast && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return roundTo(Number(value), field);
      throw reject();
    case 'checkbox':
      if (typeof value === 'boolean') return value;
      throw reject();
    case 'dateTime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw reject();
      return new Date(value).toISOString();
    }
    case 'singleSelect': {
      if (typeof value !== 'string') throw reject();
      const choices = (field.options?.choices ?? []) as { name: string }[];
      if (choices.some((c) => c.name === value)) return value;
      // With typecast Airtable adds the missing option; without, it refuses the write.
      if (!typecast) throw invalid('INVALID_MULTIPLE_CHOICE_OPTIONS', `Insufficient permissions to create new select option "${value}" in field "${field.name}"`);
      choices.push({ name: value });
      field.options = { ...field.options, choices };
      return value;
    }
    case 'multipleRecordLinks': {
      // An array of record ids; with typecast also the linked rows' primary field values (where
      // Airtable would create a row for a value no row has, the emulator refuses the write).
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw reject();
      return (value as string[]).map((item) => {
        const id = links(field, item, typecast);
        if (id === undefined) throw invalid('ROW_DOES_NOT_EXIST', `Record ID ${item} does not exist in the table linked from field "${field.name}"`);
        return id;
      });
    }
    default:
      throw reject();
  }
}

function roundTo(value: number, field: FieldDef): number {
  const precision = typeof field.options?.precision === 'number' ? field.options.precision : 0;
  const factor = 10 ** precision;
  return Math.round(value * factor) / factor;
}

function validateFieldSpec(spec: unknown): FieldDef {
  if (typeof spec !== 'object' || spec === null) throw invalid('INVALID_REQUEST_UNKNOWN', 'field must be an object');
  const { name, type, options, description } = spec as Record<string, unknown>;
  if (typeof name !== 'string' || name.trim() === '') throw invalid('DUPLICATE_OR_EMPTY_FIELD_NAME', 'field name is required');
  if (typeof type !== 'string' || !SUPPORTED_TYPES.has(type)) throw invalid('INVALID_FIELD_TYPE', `Field "${name}": unsupported type ${String(type)}`);
  const opts = (typeof options === 'object' && options !== null ? options : undefined) as Record<string, unknown> | undefined;
  // The Meta API insists on these options when it creates such a field.
  const required: Record<string, string[]> = {
    number: ['precision'],
    singleSelect: ['choices'],
    dateTime: ['timeZone', 'dateFormat', 'timeFormat'],
    checkbox: ['icon', 'color'],
    multipleRecordLinks: ['linkedTableId'],
  };
  const missing = (required[type] ?? []).filter((key) => opts?.[key] === undefined);
  if (missing.length) throw invalid('INVALID_FIELD_TYPE_OPTIONS_FOR_CREATE', `Field "${name}" (${type}) needs options ${missing.join(', ')}`);
  return { id: newId('fld'), name, type: type as EmulatorFieldType, ...(opts ? { options: structuredClone(opts) } : {}), ...(typeof description === 'string' ? { description } : {}) };
}

function toPositiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalid('INVALID_REQUEST_UNKNOWN', `${name} must be a positive integer`);
  return n;
}

const OFFSET_PREFIX = 'itr';
const encodeOffset = (index: number) => `${OFFSET_PREFIX}${index.toString(36)}/${newId('rec')}`;
function decodeOffset(offset: unknown): number {
  const match = typeof offset === 'string' ? /^itr([0-9a-z]+)\//.exec(offset) : null;
  if (!match) throw invalid('LIST_RECORDS_ITERATOR_NOT_AVAILABLE', 'Invalid offset');
  return parseInt(match[1] as string, 36);
}
