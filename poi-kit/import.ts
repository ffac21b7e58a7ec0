// Bulk import of a POI's own data from CSV or JSON files: libraries, branches, contracts, tickets,
// knowledge articles and libraries' harmonised Wise settings, each matched on its natural key. Every row is checked with the kit's
// validation first (the file read as a stream, a batch of rows at a time); any bad row: nothing is
// written. Then the new rows are inserted and only the rows whose values differ updated (version
// + 1), every change audited (`via: 'import'`), in batches of WRITE_BATCH rows, each batch its own
// transaction, with the event loop free between batches, so the POI keeps answering during a large
// import. A failure while writing (ImportInterrupted) says which rows earlier batches committed.
//
// Used in two ways: `importRows` directly on a database (the CLI against MySQL, the bench, tests),
// and `importRoute`, the POST /import route of every POI subgraph (the CLI against a subgraph on
// its embedded database, which lives inside the subgraph's process).
import { PassThrough, Readable, pipeline } from 'node:stream';
import { parse as parseCsvStream } from 'csv-parse';
import express from 'express';
import { GraphQLError } from 'graphql';
import { DataSource, EntityManager, EntitySchema, In, ObjectLiteral } from 'typeorm';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from '../shared/config';
import type { Logger } from '../shared/logger';
import { poiScope, type Identity } from '../shared/auth/identity';
import type { Poi } from '../shared/registry';
import type { ChangeBus, ChangeEvent } from '../shared/changes';
import { insertInChunks, transaction } from '../shared/db';
import { AgendaItemLookup, COLLABORATION_TOKEN_HEADER, unknownAgendaItem } from './agenda-items';
import { Actor, applyChanges, auditEntry, Changes, diff } from '../shared/versioned-writes';
import {
  AuditEntityName,
  AuditEntryEntity,
  Branch,
  BranchEntity,
  Contract,
  CONTRACT_STATUSES,
  ContractEntity,
  ContractService,
  ContractStatus,
  KnowledgeArticle,
  KnowledgeArticleEntity,
  Library,
  LibraryEntity,
  LibrarySettings,
  LibrarySettingsEntity,
  Ticket,
  TicketCategory,
  TicketEntity,
  TicketPriority,
  TicketStatus,
  TicketType,
} from './entities';
import { ticketReference } from './seed';
import { indexArticles } from './search-index';
import { BranchInput, Checks, checkBranch, checkContract, checkKnowledgeArticle, checkLibrary, checkTicketFields, normalisePostalCode } from './validation';
import { isCalendarDate } from '../shared/dates';
import { checkWiseSettings, FINE_POLICY_KINDS, FinePolicyKind, toColumns } from '../shared/wise-settings';

export const IMPORT_ENTITIES = ['libraries', 'branches', 'contracts', 'tickets', 'knowledge', 'settings'] as const;
export type ImportEntity = (typeof IMPORT_ENTITIES)[number];
export type ImportFormat = 'csv' | 'json';

/** One bad row (or header, or file): `line N, column <name>: <reason>`; in JSON `line` is the item number. */
export interface ImportError {
  /** CSV: the line in the file (the header is line 1). JSON: the item's position in the array, from 1. 0: the file as a whole. */
  line: number;
  /** The column (CSV) or key (JSON); empty when the problem is not one value's. */
  column: string;
  reason: string;
}

/** What an import did, or (dry run, or with errors) would do. */
export interface ImportResult {
  entity: ImportEntity;
  format: ImportFormat;
  dryRun: boolean;
  /** Data rows read from the file. */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** The first MAX_REPORTED_ERRORS problems, in file order; any at all means nothing was written. */
  errors: ImportError[];
  /** All problems, also those not listed. */
  errorCount: number;
  /** On a dry run: the first MAX_REPORTED_CHANGES rows that would be created or updated. */
  changes: ImportChange[];
  /** Write transactions committed (WRITE_BATCH changed rows each); 0 for a dry run or a refused file. */
  batches: number;
  durationMs: number;
}

export interface ImportChange {
  line: number;
  key: string;
  action: 'create' | 'update';
  /** The fields that change (all of them for a create). */
  fields: string[];
}

export interface ImportProgress {
  /** checking: each row on its own; matching: looking up existing rows and references; writing: inserts and updates. */
  phase: 'checking' | 'matching' | 'writing';
  done: number;
  /** Unknown while the file is still being read. */
  total?: number;
}

/** The file: all of it as text, or a stream of its bytes (an upload, a file being read). */
export type ImportContent = string | AsyncIterable<Buffer | string>;

export interface ImportOptions {
  entity: ImportEntity;
  format: ImportFormat;
  content: ImportContent;
  actor: Actor;
  dryRun?: boolean;
  /** After each committed write batch the import waits for what this returns. */
  onProgress?: (progress: ImportProgress) => void | Promise<void>;
  /** Default: DEFAULT_IMPORT_LIMITS (the subgraph and the CLI pass the configured ones). */
  limits?: ImportLimits;
  /** Which of these work-agenda ids exist (the collaboration subgraph, on behalf of the importer); without it a file with agendaItemIds is refused. */
  agendaItems?: (ids: readonly string[]) => Promise<Set<string>>;
}

export const MAX_REPORTED_ERRORS = 1000;
export const MAX_REPORTED_CHANGES = 1000;
/** Keys per `IN (…)` when looking existing rows up. */
const CHUNK_ROWS = 500;
/** Rows checked between two turns of the event loop (other requests run in between). */
const CHECK_BATCH = 500;
/** Changed rows per write transaction; each batch is committed on its own. */
export const WRITE_BATCH = 500;
/** Lets other requests run: every CHECK_BATCH rows checked, every lookup and every batch written. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface ColumnSpec {
  name: string;
  required: boolean;
}

const col = (name: string, required = true): ColumnSpec => ({ name, required });

/** The columns of each file, in the order the samples and the README give them. */
export const IMPORT_COLUMNS: Record<ImportEntity, readonly ColumnSpec[]> = {
  libraries: [col('name'), col('province'), col('municipalities'), col('mainCity', false), col('memberCount'), col('wisePlatform', false)],
  branches: [col('libraryName'), col('name'), col('city'), col('postalCode'), col('isMain')],
  contracts: [col('libraryName'), col('services'), col('startsOn'), col('endsOn'), col('status', false), col('annualFee'), col('noticePeriodMonths')],
  tickets: [
    col('reference'),
    col('libraryName'),
    col('title'),
    col('category'),
    col('priority'),
    col('status', false),
    col('openedAt'),
    col('resolvedAt', false),
    col('assignee', false),
    col('agendaItemId', false),
    col('type', false),
    col('vendorCaseReference', false),
    col('firstResponseAt', false),
  ],
  knowledge: [col('title'), col('summary'), col('body'), col('tags'), col('source'), col('updatedAt', false)],
  settings: [col('libraryName'), col('loanPeriodDays'), col('reservationFeeCents'), col('membershipFeeTypes'), col('finePolicy'), col('perDayCents', false)],
};

type Cells = Record<string, unknown>;
interface SourceRow {
  line: number;
  /** Null: the row's shape is wrong (reported already), so its values cannot be read. */
  cells: Cells | null;
}

export function isImportEntity(value: unknown): value is ImportEntity {
  return (IMPORT_ENTITIES as readonly unknown[]).includes(value);
}

/** `line 4, column postalCode: …` (CSV), `item 4, column …` (JSON), or the file's own problem. */
export function formatImportError(error: ImportError, format: ImportFormat): string {
  const where = error.line === 0 ? 'file' : `${format === 'csv' ? 'line' : 'item'} ${error.line}`;
  return `${where}${error.column ? `, column ${error.column}` : ''}: ${error.reason}`;
}

/** "0 created, 0 updated, 10000 unchanged". */
export function importSummary(result: Pick<ImportResult, 'created' | 'updated' | 'unchanged'>): string {
  return `${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged`;
}

/** Case- and accent-insensitive, like MySQL's utf8mb4_unicode_ci, so a key matches the row MySQL would find. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

function keyOf(...parts: (string | number)[]): string {
  return parts.map((p) => fold(String(p))).join('\u0000');
}

class ErrorList {
  readonly list: ImportError[] = [];
  count = 0;
  add(line: number, column: string, reason: string): void {
    this.count += 1;
    if (this.list.length < MAX_REPORTED_ERRORS) this.list.push({ line, column, reason });
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the file

/** The file's bytes in pieces of at most 64 KiB, so no one step of parsing holds the event loop for long. */
async function* bytesOf(content: ImportContent, state: ReadState): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of typeof content === 'string' ? [content] : content) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buffer.length;
    if (total > state.limits.maxBytes) throw new FileTooLarge(state.limits.maxBytes);
    for (let i = 0; i < buffer.length; i += 65_536) yield buffer.subarray(i, i + 65_536);
  }
}

class FileTooLarge extends Error {
  constructor(maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes (IMPORT_MAX_BYTES)`);
  }
}

/** What reading a file shares with the import: its errors, the caps, and whether reading stopped at one. */
interface ReadState {
  errors: ErrorList;
  limits: ImportLimits;
  /** The file as a whole was refused (too large, too many rows): nothing of it is looked up. */
  refused: boolean;
}

/** One more data row: false (and the file refused) past IMPORT_MAX_ROWS. */
function withinRowCap(rows: number, state: ReadState): boolean {
  if (rows <= state.limits.maxRows) return true;
  refuseFile(state, `the file has more than ${state.limits.maxRows} rows (IMPORT_MAX_ROWS): split it into files of at most ${state.limits.maxRows} rows`);
  return false;
}

function refuseFile(state: ReadState, reason: string): void {
  state.errors.add(0, '', reason);
  state.refused = true;
}

/** Maps a header's names to the file's columns (case-insensitively); null, with the problems reported, when it does not fit. */
function readHeader(names: string[], headerLine: number, columns: readonly ColumnSpec[], errors: ErrorList): string[] | null {
  if (names.length === 1 && names[0].includes(';')) {
    errors.add(headerLine, '', 'the header is separated by semicolons: save the file as CSV with commas between columns (a list inside one cell uses ;)');
    return null;
  }
  const byLowerName = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  const canonical: (string | undefined)[] = [];
  let headerOk = true;
  names.forEach((name, i) => {
    const known = byLowerName.get(name.toLowerCase());
    if (!name) {
      errors.add(headerLine, String(i + 1), 'the header has no name for this column');
      headerOk = false;
    } else if (!known) {
      errors.add(headerLine, name, `is not a column of this file (columns: ${columns.map((c) => c.name).join(', ')})`);
      headerOk = false;
    } else if (canonical.includes(known)) {
      errors.add(headerLine, known, 'appears twice in the header');
      headerOk = false;
    }
    canonical.push(known);
  });
  for (const column of columns) {
    if (column.required && !canonical.includes(column.name)) {
      errors.add(headerLine, column.name, 'is missing from the header');
      headerOk = false;
    }
  }
  return headerOk ? (canonical as string[]) : null;
}

/** The rows of a CSV file, parsed as a stream: the header first, then one row at a time. */
async function* readCsv(content: ImportContent, columns: readonly ColumnSpec[], state: ReadState): AsyncGenerator<SourceRow> {
  const { errors } = state;
  const parser = parseCsvStream({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
  });
  // Errors of the source (e.g. FileTooLarge) reach the parser, and so the loop below.
  pipeline(Readable.from(bytesOf(content, state)), parser, () => undefined);
  let canonical: string[] | undefined;
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (canonical === undefined) {
        const header = readHeader(
          record.map((name) => name.trim()),
          info.lines,
          columns,
          errors,
        );
        if (!header) return void (state.refused = true);
        canonical = header;
        continue;
      }
      rows += 1;
      if (!withinRowCap(rows, state)) return;
      // info.lines is the record's last line; a quoted value may span lines.
      let newlines = 0;
      for (const value of record) for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) newlines += 1;
      const line = info.lines - newlines;
      if (record.length < canonical.length) {
        errors.add(line, canonical[record.length], `is missing: the row has ${record.length} values, the header ${canonical.length} columns`);
        yield { line, cells: null };
        continue;
      }
      const extra = record.slice(canonical.length).findIndex((value) => value.trim() !== '');
      if (extra !== -1) {
        errors.add(line, String(canonical.length + extra + 1), `the row has more values than the header has columns (${canonical.length})`);
        yield { line, cells: null };
        continue;
      }
      const cells: Cells = {};
      canonical.forEach((name, i) => (cells[name] = record[i]));
      yield { line, cells };
    }
  } catch (error) {
    if (error instanceof FileTooLarge) return refuseFile(state, error.message);
    const e = error as Error & { lines?: number };
    errors.add(e.lines ?? 0, '', `not valid CSV: ${e.message.replace(/^Invalid Record Length: |^Quote Not Closed: /, '')}`);
    state.refused = true;
    return;
  }
  if (canonical === undefined) refuseFile(state, 'the file is empty: it needs a header row with the column names');
}

/** The items of a JSON file. JSON is parsed whole (within IMPORT_MAX_BYTES); CSV is the format for large files. */
async function* readJson(content: ImportContent, columns: readonly ColumnSpec[], state: ReadState): AsyncGenerator<SourceRow> {
  const { errors } = state;
  let data: unknown;
  try {
    const buffers: Buffer[] = [];
    for await (const chunk of bytesOf(content, state)) buffers.push(chunk);
    data = JSON.parse(
      Buffer.concat(buffers)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
  } catch (error) {
    return refuseFile(state, error instanceof FileTooLarge ? error.message : `not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) return refuseFile(state, 'must be a JSON array of objects, one per row');
  if (!withinRowCap(data.length, state)) return;
  const byLowerName = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  for (const [index, item] of data.entries()) {
    const line = index + 1;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      errors.add(line, '', 'must be an object with the columns as keys');
      yield { line, cells: null };
      continue;
    }
    const cells: Cells = {};
    let ok = true;
    for (const [key, value] of Object.entries(item)) {
      const known = byLowerName.get(key.toLowerCase());
      if (!known) {
        errors.add(line, key, `is not a column of this file (columns: ${columns.map((c) => c.name).join(', ')})`);
        ok = false;
      } else cells[known] = value;
    }
    yield { line, cells: ok ? cells : null };
  }
}

// ---------------------------------------------------------------------------------------------
// Turning cells into values. `undefined`: the column is absent (the row's field is left as it is);
// `null`: present but empty (cleared, or "is required" from the checks).

const TRUE = new Set(['true', 'ja', 'yes', 'waar', '1', 'j', 'y']);
const FALSE = new Set(['false', 'nee', 'no', 'onwaar', '0', 'n']);
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

class CellReader {
  constructor(
    readonly cells: Cells,
    private readonly checks: Checks,
  ) {}

  private bad(column: string, message: string): undefined {
    this.checks.fail(column, message);
    return undefined;
  }

  text(column: string): string | null | undefined {
    const value = this.cells[column];
    if (value === undefined || value === null) return value;
    if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return this.bad(column, 'must be text');
  }

  /** Upper case, spaces and hyphens as underscores: "Noord-Brabant" → NOORD_BRABANT, "p1" → P1. */
  code(column: string): string | null | undefined {
    const value = this.text(column);
    return typeof value === 'string' ? value.toUpperCase().replace(/[\s-]+/g, '_') : value;
  }

  /** A `;`-separated cell, or a JSON array of strings; empty: []. */
  list(column: string, transform: (item: string) => string = (item) => item): string[] | undefined {
    const value = this.cells[column];
    if (value === undefined) return undefined;
    if (value === null) return [];
    if (Array.isArray(value)) {
      if (!value.every((item) => typeof item === 'string' || typeof item === 'number')) return this.bad(column, 'must be a list of text');
      return value.map((item) => transform(String(item).trim()));
    }
    if (typeof value === 'string' || typeof value === 'number') {
      return String(value)
        .split(';')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map(transform);
    }
    return this.bad(column, 'must be a list of text separated by ;');
  }

  /** A number from a JSON number or a cell like 1200 or 1234.50 (1234,50 too); anything else is left for the checks to refuse (with the value). */
  number(column: string): unknown {
    const value = this.cells[column];
    if (typeof value === 'number') return value;
    const text = this.text(column);
    if (typeof text !== 'string') return text;
    // 12.000 is twelve thousand to a Dutch reader and twelve to JavaScript: refused, not guessed.
    if (/^\d{1,3}(\.\d{3})+$/.test(text)) {
      return this.bad(
        column,
        'is ambiguous: write numbers without thousands separators (12000, not 12.000) and amounts with a decimal point and at most two decimals (1234.50)',
      );
    }
    if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (/^[+-]?\d+,\d{1,2}$/.test(text)) return Number(text.replace(',', '.'));
    return text;
  }

  bool(column: string): unknown {
    const value = this.cells[column];
    if (typeof value === 'boolean') return value;
    const text = this.text(column);
    if (typeof text !== 'string') return text;
    if (TRUE.has(text.toLowerCase())) return true;
    if (FALSE.has(text.toLowerCase())) return false;
    return text;
  }

  /**
   * A moment: 2025-03-14T09:30:00Z, 2025-03-14 09:30 (UTC), 2025-03-14T10:30+01:00 or a day
   * (midnight UTC). Whole seconds: MySQL's DATETIME keeps no fractions, so they are dropped.
   */
  dateTime(column: string): Date | null | undefined {
    const text = this.text(column);
    if (typeof text !== 'string') return text;
    const match = DATE_TIME.exec(text);
    const [, day, hour = '00', minute = '00', second = '00', zone = 'Z'] = match ?? [];
    if (!match || !isCalendarDate(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
      return this.bad(column, 'must be a date and time like 2025-03-14T09:30:00Z (UTC unless it has an offset such as +01:00)');
    }
    const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    return new Date(`${day}T${hour}:${minute}:${second}${offset}`);
  }
}

// ---------------------------------------------------------------------------------------------
// One handler per entity: parse a row (with the kit's checks), its natural key, and the plan.

/**
 * One readable row, also one with problems: a row whose key columns are valid is still checked
 * for duplicates and its library looked up, so every problem of a file shows in one answer.
 */
interface Parsed<P> {
  line: number;
  /** The natural key, folded; null when a key column has a problem. */
  key: string | null;
  /** For messages: Bibliotheek Venlo, "Bibliotheek Venlo / Vestiging Blerick", … */
  label: string;
  /** As read: a value whose column is in `bad` is not to be trusted. */
  value: P;
  /** The columns with a problem (a duplicate key counts as one on its last key column). */
  bad: ReadonlySet<string>;
}

/** A row without any problem: only such rows are planned for writing. */
const valid = (row: Parsed<unknown>) => row.bad.size === 0;

/** A row whose values in these columns can be trusted (for the rules across rows). */
const trusted = (row: Parsed<unknown>, columns: readonly string[]) => row.key !== null && columns.every((c) => !row.bad.has(c));

interface Create<T> {
  line: number;
  label: string;
  row: Partial<T>;
}

interface Update<T> {
  line: number;
  label: string;
  current: T;
  changes: Changes;
}

interface Plan<T> {
  creates: Create<T>[];
  updates: Update<T>[];
  unchanged: number;
  /** The ids of these created rows, read back by natural key after their insert. */
  createdIds(manager: EntityManager, creates: Create<T>[]): Promise<Map<Create<T>, number>>;
}

interface PlanContext {
  manager: EntityManager;
  poi: Poi;
  errors: ErrorList;
  now: Date;
  agendaItems?: ImportOptions['agendaItems'];
}

interface Handler<P, T> {
  entity: EntitySchema<T>;
  auditName: AuditEntityName;
  versioned: boolean;
  /** The natural key's columns; a duplicate is reported on the last. */
  keyColumns: readonly string[];
  /** The row's values as read, with the kit's checks; key and label are only used when the key columns passed them. */
  parse(reader: CellReader, checks: Checks, poi: Poi): { key: string; label: string; value: P };
  plan(rows: Parsed<P>[], context: PlanContext): Promise<Plan<T>>;
  /** What else the written rows need, in their batch's transaction (knowledge: the search index). */
  afterWrite?(manager: EntityManager, ids: number[]): Promise<void>;
}

/** `IN (…)` in chunks, so a 100,000-key lookup is 200 statements, never one per row. */
async function findIn<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntitySchema<T>,
  field: keyof T & string,
  values: unknown[],
  where: object = {},
  /** Only these columns (e.g. the id and the key, to read back ids). */
  select?: (keyof T & string)[],
): Promise<T[]> {
  const unique = [...new Set(values)];
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += CHUNK_ROWS) {
    const chunk = unique.slice(i, i + CHUNK_ROWS);
    const query = manager.createQueryBuilder(entity, 'row').where({ ...where, [field]: In(chunk) });
    if (select) query.select(select.map((column) => `row.${column}`));
    found.push(...(await query.getMany()));
    // Between lookups other requests run; never inside a transaction (on the embedded database
    // another request's transaction would nest inside it).
    if (!manager.queryRunner) await yieldToEventLoop();
  }
  return found;
}

/** `fn` for every row, letting other requests run every CHECK_BATCH rows. */
async function eachRow<R>(rows: R[], fn: (row: R) => void): Promise<void> {
  for (let i = 0; i < rows.length; i++) {
    fn(rows[i]);
    if ((i + 1) % CHECK_BATCH === 0) await yieldToEventLoop();
  }
}

/** Looks a key up exactly first, then case/accent-insensitively (MySQL finds both). */
class KeyIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly folded = new Map<string, T>();
  constructor(rows: T[], exactKey: (row: T) => string) {
    for (const row of rows) {
      const key = exactKey(row);
      this.exact.set(key, row);
      if (!this.folded.has(fold(key))) this.folded.set(fold(key), row);
    }
  }
  get(key: string): T | undefined {
    return this.exact.get(key) ?? this.folded.get(fold(key));
  }
}

/** libraryName → the library in this POI's database (its name, the natural key); unknown names are errors. */
async function resolveLibraries<P extends { libraryName: string }>(allRows: Parsed<P>[], context: PlanContext): Promise<Map<Parsed<P>, Library>> {
  const rows = allRows.filter((row) => !row.bad.has('libraryName'));
  const libraries = new KeyIndex(
    await findIn(
      context.manager,
      LibraryEntity,
      'name',
      rows.map((r) => r.value.libraryName),
    ),
    (l) => l.name,
  );
  const resolved = new Map<Parsed<P>, Library>();
  await eachRow(rows, (row) => {
    const library = libraries.get(row.value.libraryName);
    if (library) resolved.set(row, library);
    else context.errors.add(row.line, 'libraryName', `no library ${row.value.libraryName} in ${context.poi.name}'s database (import the libraries first)`);
  });
  return resolved;
}

/** Sorts the rows of a plan into creates, updates (changed fields only) and unchanged. */
function planner<T>() {
  const plan = { creates: [] as Create<T>[], updates: [] as Update<T>[], unchanged: 0 };
  return {
    plan,
    add(line: number, label: string, current: T | undefined, next: Partial<T>) {
      if (!current) return void plan.creates.push({ line, label, row: next });
      const changes = diff(current as T & object, next);
      if (Object.keys(changes).length > 0) plan.updates.push({ line, label, current, changes });
      else plan.unchanged += 1;
    },
  };
}

interface LibraryRow {
  name: string;
  province: Library['province'];
  municipalities: string[];
  mainCity: string | null | undefined;
  memberCount: number;
  wisePlatform: string | null | undefined;
}

const libraries: Handler<LibraryRow, Library> = {
  entity: LibraryEntity,
  auditName: 'LIBRARY',
  versioned: true,
  keyColumns: ['name'],
  parse(reader, checks, poi) {
    const platform = reader.text('wisePlatform');
    const input = {
      name: reader.text('name'),
      province: reader.code('province'),
      municipalities: reader.list('municipalities'),
      mainCity: reader.text('mainCity'),
      memberCount: reader.number('memberCount'),
      wisePlatform: typeof platform === 'string' ? platform.toUpperCase() : platform,
    };
    checkLibrary(checks, poi, input);
    const value = input as LibraryRow;
    return { key: keyOf(value.name), label: value.name, value };
  },
  async plan(allRows, { manager }) {
    const rows = allRows.filter(valid);
    const existing = new KeyIndex(
      await findIn(
        manager,
        LibraryEntity,
        'name',
        rows.map((r) => r.value.name),
      ),
      (l) => l.name,
    );
    const { plan, add } = planner<Library>();
    await eachRow(rows, (row) => {
      const current = existing.get(row.value.name);
      const { mainCity, wisePlatform, ...fields } = row.value;
      // An optional column left out of the file leaves an existing library's value as it is.
      const keep = <V>(value: V | null | undefined) => (value === undefined && current ? undefined : (value ?? null));
      const next: Partial<Library> = { ...fields, mainCity: keep(mainCity), wisePlatformCode: keep(wisePlatform) };
      add(row.line, row.label, current, current ? next : { ...next, version: 1 });
    });
    return {
      ...plan,
      async createdIds(m, creates) {
        const found = new KeyIndex(
          await findIn(
            m,
            LibraryEntity,
            'name',
            creates.map((c) => c.row.name),
            {},
            ['id', 'name'],
          ),
          (l) => l.name,
        );
        return new Map(creates.map((c) => [c, found.get(c.row.name!)!.id]));
      },
    };
  },
};

interface BranchRow extends BranchInput {
  libraryName: string;
}

const branches: Handler<BranchRow, Branch> = {
  entity: BranchEntity,
  auditName: 'BRANCH',
  versioned: false,
  keyColumns: ['libraryName', 'name'],
  parse(reader, checks) {
    const input = {
      libraryName: reader.text('libraryName'),
      name: reader.text('name'),
      city: reader.text('city'),
      postalCode: reader.text('postalCode'),
      isMain: reader.bool('isMain'),
    };
    checks.text('libraryName', input.libraryName, 200);
    checkBranch(checks, 'branch', input);
    const value = { ...input, postalCode: normalisePostalCode(input.postalCode ?? '') ?? input.postalCode } as BranchRow;
    return { key: keyOf(value.libraryName, value.name), label: `${value.libraryName} / ${value.name}`, value };
  },
  async plan(rows, context) {
    const { manager, errors } = context;
    const resolved = await resolveLibraries(rows, context);
    const existing = await findIn(
      manager,
      BranchEntity,
      'libraryId',
      [...resolved.values()].map((l) => l.id),
    );
    const index = new KeyIndex(existing, (b) => `${b.libraryId}\u0000${b.name}`);
    const { plan, add } = planner<Branch>();
    /** Per library: its branches after the import, by folded name → isMain; uncertain when a row of it has a bad name or isMain. */
    const after = new Map<number, { library?: Library; isMain: Map<string, boolean>; rows: Parsed<BranchRow>[]; uncertain: boolean }>();
    for (const branch of existing) {
      if (!after.has(branch.libraryId)) after.set(branch.libraryId, { isMain: new Map(), rows: [], uncertain: false });
      after.get(branch.libraryId)!.isMain.set(fold(branch.name), branch.isMain);
    }
    await eachRow(rows, (row) => {
      const library = resolved.get(row);
      if (!library) return;
      const { libraryName: _code, ...fields } = row.value;
      if (valid(row)) add(row.line, row.label, index.get(`${library.id}\u0000${row.value.name}`), { ...fields, libraryId: library.id });
      const group = after.get(library.id) ?? { library, isMain: new Map<string, boolean>(), rows: [], uncertain: false };
      group.library = library;
      if (trusted(row, ['isMain'])) {
        group.isMain.set(fold(row.value.name), row.value.isMain);
        group.rows.push(row);
      } else group.uncertain = true;
      after.set(library.id, group);
    });
    for (const { library, isMain, rows: fileRows, uncertain } of after.values()) {
      if (!library || fileRows.length === 0 || uncertain) continue;
      const mains = [...isMain.values()].filter(Boolean).length;
      if (mains === 0) {
        errors.add(fileRows[0].line, 'isMain', `library ${library.name} would have no main branch: exactly one of its branches must have isMain true`);
      } else if (mains > 1) {
        for (const row of fileRows.filter((r) => r.value.isMain)) {
          errors.add(
            row.line,
            'isMain',
            `library ${library.name} would have ${mains} main branches: exactly one may have isMain true (set the other one to false in the same file)`,
          );
        }
      }
    }
    return {
      ...plan,
      async createdIds(m, creates) {
        const found = new KeyIndex(
          await findIn(
            m,
            BranchEntity,
            'libraryId',
            creates.map((c) => c.row.libraryId),
            {},
            ['id', 'libraryId', 'name'],
          ),
          (b) => `${b.libraryId}\u0000${b.name}`,
        );
        return new Map(creates.map((c) => [c, found.get(`${c.row.libraryId}\u0000${c.row.name}`)!.id]));
      },
    };
  },
};

interface ContractRow {
  libraryName: string;
  services: ContractService[];
  startsOn: string;
  endsOn: string;
  status: ContractStatus | null | undefined;
  annualFee: number;
  noticePeriodMonths: number;
}

const contracts: Handler<ContractRow, Contract> = {
  entity: ContractEntity,
  auditName: 'CONTRACT',
  versioned: true,
  keyColumns: ['libraryName', 'startsOn'],
  parse(reader, checks) {
    const input = {
      libraryName: reader.text('libraryName'),
      services: reader.list('services', (s) => s.toUpperCase().replace(/[\s-]+/g, '_')),
      startsOn: reader.text('startsOn'),
      endsOn: reader.text('endsOn'),
      status: reader.code('status'),
      annualFee: reader.number('annualFee'),
      noticePeriodMonths: reader.number('noticePeriodMonths'),
    };
    checks.text('libraryName', input.libraryName, 200);
    // The kit's status rule is for new agreements made by hand (DRAFT or ACTIVE); an import also brings their history.
    checkContract(checks, { ...input, status: undefined });
    checks.oneOf('status', input.status, CONTRACT_STATUSES, false);
    const value = { ...input, services: [...new Set(input.services)] } as ContractRow;
    return { key: keyOf(value.libraryName, value.startsOn), label: `${value.libraryName} from ${value.startsOn}`, value };
  },
  async plan(rows, context) {
    const { manager, errors } = context;
    const resolved = await resolveLibraries(rows, context);
    const existing = await findIn(
      manager,
      ContractEntity,
      'libraryId',
      [...resolved.values()].map((l) => l.id),
    );
    const index = new KeyIndex(existing, (c) => `${c.libraryId}\u0000${c.startsOn}`);
    const { plan, add } = planner<Contract>();
    /** Per library: status after the import, by start date. */
    const after = new Map<number, { library?: Library; status: Map<string, ContractStatus>; rows: Parsed<ContractRow>[]; uncertain: boolean }>();
    for (const contract of existing) {
      if (!after.has(contract.libraryId)) after.set(contract.libraryId, { status: new Map(), rows: [], uncertain: false });
      after.get(contract.libraryId)!.status.set(contract.startsOn, contract.status);
    }
    await eachRow(rows, (row) => {
      const library = resolved.get(row);
      if (!library) return;
      const current = index.get(`${library.id}\u0000${row.value.startsOn}`);
      const { libraryName: _code, status, services, ...fields } = row.value;
      // Services are a set: the same services in another order are no change.
      const sameServices = current && current.services.length === services.length && services.every((s) => current.services.includes(s));
      const next: Partial<Contract> = {
        ...fields,
        libraryId: library.id,
        services: sameServices ? undefined : services,
        status: status ?? (current ? undefined : 'ACTIVE'),
      };
      if (valid(row)) add(row.line, row.label, current, current ? next : { ...next, version: 1 });
      const group = after.get(library.id) ?? { status: new Map<string, ContractStatus>(), rows: [], uncertain: false };
      group.library = library;
      if (trusted(row, ['status'])) {
        group.status.set(row.value.startsOn, next.status ?? current!.status);
        group.rows.push(row);
      } else group.uncertain = true;
      after.set(library.id, group);
    });
    for (const { library, status, rows: fileRows, uncertain } of after.values()) {
      if (uncertain) continue;
      const active = [...status]
        .filter(([, s]) => s === 'ACTIVE')
        .map(([startsOn]) => startsOn)
        .sort();
      if (library!.status === 'MERGED') {
        for (const row of fileRows.filter((r) => status.get(r.value.startsOn) === 'ACTIVE')) {
          errors.add(row.line, 'status', `library ${library!.name} merged into its successor on ${library!.activeUntil}: it can have no ACTIVE agreement`);
        }
        continue;
      }
      if (active.length <= 1) continue;
      for (const row of fileRows.filter((r) => status.get(r.value.startsOn) === 'ACTIVE')) {
        errors.add(
          row.line,
          'status',
          `library ${library!.name} would have ${active.length} ACTIVE agreements (starting ${active.join(', ')}): at most one may be ACTIVE (set the older one to EXPIRED or TERMINATED in the same file)`,
        );
      }
    }
    return {
      ...plan,
      async createdIds(m, creates) {
        const found = new KeyIndex(
          await findIn(
            m,
            ContractEntity,
            'libraryId',
            creates.map((c) => c.row.libraryId),
            {},
            ['id', 'libraryId', 'startsOn'],
          ),
          (c) => `${c.libraryId}\u0000${c.startsOn}`,
        );
        return new Map(creates.map((c) => [c, found.get(`${c.row.libraryId}\u0000${c.row.startsOn}`)!.id]));
      },
    };
  },
};

interface TicketRow {
  reference: string;
  libraryName: string;
  title: string;
  category: TicketCategory;
  priority: TicketPriority;
  status: TicketStatus | null | undefined;
  openedAt: Date;
  resolvedAt: Date | null | undefined;
  assignee: string | null | undefined;
  agendaItemId: string | null | undefined;
  type: TicketType | null | undefined;
  vendorCaseReference: string | null | undefined;
  firstResponseAt: Date | null | undefined;
}

const RESOLVED_STATUSES: readonly string[] = ['RESOLVED', 'CLOSED'];

/** Every agendaItemId of the file must be an item of the work agenda; when that cannot be asked, the file is refused as a whole. */
async function checkAgendaItems(rows: Parsed<TicketRow>[], { agendaItems, errors }: PlanContext): Promise<void> {
  const withItem = rows.filter((row) => row.value.agendaItemId && !row.bad.has('agendaItemId'));
  if (withItem.length === 0) return;
  let known: Set<string>;
  try {
    if (!agendaItems) throw new Error('agendaItemId cannot be checked: this import has no connection to the collaboration subgraph');
    known = await agendaItems([...new Set(withItem.map((row) => row.value.agendaItemId!))]);
  } catch (error) {
    return errors.add(0, '', (error as Error).message);
  }
  for (const row of withItem) if (!known.has(row.value.agendaItemId!)) errors.add(row.line, 'agendaItemId', unknownAgendaItem(row.value.agendaItemId!));
}

const tickets: Handler<TicketRow, Ticket> = {
  entity: TicketEntity,
  auditName: 'TICKET',
  versioned: true,
  keyColumns: ['reference'],
  parse(reader, checks) {
    const input = {
      reference: reader.text('reference'),
      libraryName: reader.text('libraryName'),
      title: reader.text('title'),
      category: reader.code('category'),
      priority: reader.code('priority'),
      status: reader.code('status'),
      openedAt: reader.dateTime('openedAt'),
      resolvedAt: reader.dateTime('resolvedAt'),
      assignee: reader.text('assignee'),
      agendaItemId: reader.text('agendaItemId')?.toUpperCase() ?? reader.text('agendaItemId'),
      type: reader.code('type'),
      vendorCaseReference: reader.text('vendorCaseReference'),
      firstResponseAt: reader.dateTime('firstResponseAt'),
    };
    checks.text('reference', input.reference, 40);
    checks.text('libraryName', input.libraryName, 200);
    checkTicketFields(checks, input, true);
    if (input.openedAt === null || input.openedAt === undefined) checks.fail('openedAt', 'is required');
    checks.text('assignee', input.assignee, 100, false);
    const value = input as TicketRow;
    return { key: keyOf(value.reference), label: value.reference, value };
  },
  async plan(rows, context) {
    const { manager, errors, poi } = context;
    const resolved = await resolveLibraries(rows, context);
    await checkAgendaItems(rows, context);
    const keyed = rows.filter((r) => r.key !== null);
    const existing = new KeyIndex(
      await findIn(
        manager,
        TicketEntity,
        'reference',
        keyed.map((r) => r.value.reference),
      ),
      (t) => t.reference,
    );
    // The form of the numbers this POI gives its own new tickets (CUBI-000123, by id): an imported new ticket must not take one.
    const ownForm = new RegExp(`^${ticketReference(poi.code, 0).replace(/0+$/, '').replace(/[-]/g, '\\-')}\\d{6}$`, 'i');
    const { plan, add } = planner<Ticket>();
    await eachRow(keyed, (row) => {
      const current = existing.get(row.value.reference);
      const library = resolved.get(row);
      const before = errors.count;
      if (!current && ownForm.test(row.value.reference)) {
        errors.add(
          row.line,
          'reference',
          `${row.value.reference} has the form of ${poi.name}'s own ticket numbers (${ticketReference(poi.code, 123)}), which new tickets get from their id; a new ticket from elsewhere keeps its own reference, e.g. the number in the system it comes from`,
        );
      }
      const { libraryName: _code, ...value } = row.value;
      const next: Partial<Ticket> = {
        ...value,
        libraryId: library?.id,
        status: value.status ?? (current ? undefined : 'OPEN'),
        resolvedAt: value.resolvedAt === undefined && current ? undefined : (value.resolvedAt ?? null),
        assignee: value.assignee === undefined && current ? undefined : (value.assignee ?? null),
        agendaItemId: value.agendaItemId === undefined && current ? undefined : (value.agendaItemId ?? null),
        type: value.type ?? (current ? undefined : 'INCIDENT'),
        vendorCaseReference: value.vendorCaseReference === undefined && current ? undefined : value.vendorCaseReference?.trim() || null,
        firstResponseAt: value.firstResponseAt === undefined && current ? undefined : (value.firstResponseAt ?? null),
      };
      if (next.firstResponseAt && next.openedAt && next.firstResponseAt.getTime() < next.openedAt.getTime()) {
        errors.add(row.line, 'firstResponseAt', `must not be before openedAt (${next.openedAt.toISOString()})`);
      } else if (next.firstResponseAt && next.resolvedAt && next.firstResponseAt.getTime() > next.resolvedAt.getTime()) {
        errors.add(row.line, 'firstResponseAt', `must not be after resolvedAt (${next.resolvedAt.toISOString()})`);
      }
      if (trusted(row, ['status', 'openedAt', 'resolvedAt'])) {
        const status = next.status ?? current!.status;
        const resolvedAt = next.resolvedAt === undefined ? current!.resolvedAt : next.resolvedAt;
        if (RESOLVED_STATUSES.includes(status) && !resolvedAt) {
          errors.add(row.line, 'resolvedAt', `is required when status is ${status}`);
        } else if (!RESOLVED_STATUSES.includes(status) && resolvedAt) {
          errors.add(row.line, 'resolvedAt', `must be empty while status is ${status}`);
        } else if (resolvedAt && resolvedAt.getTime() < next.openedAt!.getTime()) {
          errors.add(row.line, 'resolvedAt', `must not be before openedAt (${next.openedAt!.toISOString()})`);
        }
      }
      if (valid(row) && library && errors.count === before) add(row.line, row.label, current, current ? next : { ...next, version: 1 });
    });
    return {
      ...plan,
      async createdIds(m, creates) {
        const found = new KeyIndex(
          await findIn(
            m,
            TicketEntity,
            'reference',
            creates.map((c) => c.row.reference),
            {},
            ['id', 'reference'],
          ),
          (t) => t.reference,
        );
        return new Map(creates.map((c) => [c, found.get(c.row.reference!)!.id]));
      },
    };
  },
};

interface KnowledgeRow {
  title: string;
  summary: string;
  body: string;
  tags: string[];
  source: string;
  updatedAt: Date | null | undefined;
}

async function findKnowledge(
  manager: EntityManager,
  keys: { source: string; title: string }[],
  select?: (keyof KnowledgeArticle)[],
): Promise<KnowledgeArticle[]> {
  const bySource = new Map<string, string[]>();
  for (const { source, title } of keys) {
    if (!bySource.has(source)) bySource.set(source, []);
    bySource.get(source)!.push(title);
  }
  const found: KnowledgeArticle[] = [];
  for (const [source, titles] of bySource) found.push(...(await findIn(manager, KnowledgeArticleEntity, 'title', titles, { source }, select)));
  return found;
}

const knowledge: Handler<KnowledgeRow, KnowledgeArticle> = {
  entity: KnowledgeArticleEntity,
  auditName: 'KNOWLEDGE_ARTICLE',
  versioned: true,
  keyColumns: ['source', 'title'],
  afterWrite: indexArticles,
  parse(reader, checks) {
    const body = reader.cells.body;
    const input = {
      title: reader.text('title'),
      summary: reader.text('summary'),
      // The body keeps its own white space (line breaks as \n); only an all-blank body counts as empty.
      body: typeof body === 'string' ? (body.trim() === '' ? null : body.replace(/\r\n?/g, '\n')) : reader.text('body'),
      tags: reader.list('tags'),
      source: reader.text('source'),
      updatedAt: reader.dateTime('updatedAt'),
    };
    checkKnowledgeArticle(checks, input, true);
    const value = input as KnowledgeRow;
    return { key: keyOf(value.source, value.title), label: `${value.source} / ${value.title}`, value };
  },
  async plan(allRows, { manager, now }) {
    const rows = allRows.filter(valid);
    const existing = new KeyIndex(
      await findKnowledge(
        manager,
        rows.map((r) => r.value),
      ),
      (a) => `${a.source}\u0000${a.title}`,
    );
    const { plan, add } = planner<KnowledgeArticle>();
    await eachRow(rows, (row) => {
      const current = existing.get(`${row.value.source}\u0000${row.value.title}`);
      const { updatedAt, ...fields } = row.value;
      const next: Partial<KnowledgeArticle> = { ...fields };
      // Without an updatedAt in the file, a changed article is updated now, like an edit.
      if (updatedAt) next.updatedAt = updatedAt;
      else if (!current || Object.keys(diff(current, next)).length > 0) next.updatedAt = now;
      add(row.line, row.label, current, current ? next : { ...next, version: 1 });
    });
    return {
      ...plan,
      async createdIds(m, creates) {
        const found = new KeyIndex(
          await findKnowledge(
            m,
            creates.map((c) => ({ source: c.row.source!, title: c.row.title! })),
            ['id', 'source', 'title'],
          ),
          (a) => `${a.source}\u0000${a.title}`,
        );
        return new Map(creates.map((c) => [c, found.get(`${c.row.source}\u0000${c.row.title}`)!.id]));
      },
    };
  },
};

interface SettingsRow {
  libraryName: string;
  loanPeriodDays: number;
  reservationFeeCents: number;
  membershipFeeTypes: string[];
  finePolicy: { kind: FinePolicyKind; perDayCents: number | null };
}

/** A library's harmonised Wise settings, all of them per row (the columns named as the write's input: perDayCents for PER_DAY). */
const settings: Handler<SettingsRow, LibrarySettings> = {
  entity: LibrarySettingsEntity,
  auditName: 'LIBRARY_SETTINGS',
  versioned: true,
  keyColumns: ['libraryName'],
  parse(reader, checks) {
    const kind = reader.code('finePolicy');
    const input = {
      libraryName: reader.text('libraryName'),
      loanPeriodDays: reader.number('loanPeriodDays'),
      reservationFeeCents: reader.number('reservationFeeCents'),
      membershipFeeTypes: reader.list('membershipFeeTypes', (code) => code.toUpperCase()),
      finePolicy: kind ? { kind: kind as FinePolicyKind, perDayCents: reader.number('perDayCents') as number | null | undefined } : null,
    };
    checks.text('libraryName', input.libraryName, 200);
    checks.oneOf('finePolicy', kind, FINE_POLICY_KINDS);
    checkWiseSettings(checks, input as Parameters<typeof checkWiseSettings>[1], true);
    const value = input as SettingsRow;
    return { key: keyOf(value.libraryName), label: value.libraryName, value };
  },
  async plan(allRows, context) {
    const rows = allRows.filter(valid);
    const resolved = await resolveLibraries(rows, context);
    const existing = new Map(
      (
        await findIn(
          context.manager,
          LibrarySettingsEntity,
          'libraryId',
          [...resolved.values()].map((l) => l.id),
        )
      ).map((s) => [s.libraryId, s]),
    );
    const { plan, add } = planner<LibrarySettings>();
    await eachRow(rows, (row) => {
      const library = resolved.get(row);
      if (!library) return;
      const { libraryName: _code, ...values } = row.value;
      const next: Partial<LibrarySettings> = toColumns(values);
      const current = existing.get(library.id);
      add(row.line, row.label, current, current ? next : { ...next, libraryId: library.id, version: 1 });
    });
    return {
      ...plan,
      async createdIds(m, creates) {
        const found = new Map(
          (
            await findIn(
              m,
              LibrarySettingsEntity,
              'libraryId',
              creates.map((c) => c.row.libraryId),
              {},
              ['id', 'libraryId'],
            )
          ).map((s) => [s.libraryId, s.id]),
        );
        return new Map(creates.map((c) => [c, found.get(c.row.libraryId!)!]));
      },
    };
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one table of handlers of different row types
const HANDLERS: Record<ImportEntity, Handler<any, any>> = { libraries, branches, contracts, tickets, knowledge, settings };

// ---------------------------------------------------------------------------------------------
// The import

/** Where a problem of the kit's checks is: `row.municipalities[1]` → municipalities. */
function columnOf(field: string): string {
  return field
    .split('.')
    .pop()!
    .replace(/\[\d+\]$/, '');
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Imports one file into a POI's database: see the file comment. Never throws for bad rows (they
 * are in `errors`, and nothing is written); throws for a conflict with a concurrent write
 * (ImportInterrupted, CONFLICT) or a database failure while writing, saying what earlier batches
 * committed.
 */
export async function importRows(dataSource: DataSource, poi: Poi, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const handler = HANDLERS[options.entity];
  const columns = IMPORT_COLUMNS[options.entity];
  const errors = new ErrorList();
  const progress = options.onProgress ?? (() => undefined);
  const dryRun = options.dryRun ?? false;
  const state: ReadState = { errors, limits: options.limits ?? DEFAULT_IMPORT_LIMITS, refused: false };

  const source = options.format === 'csv' ? readCsv(options.content, columns, state) : readJson(options.content, columns, state);
  const parsed: Parsed<unknown>[] = [];
  const firstLine = new Map<string, number>();
  let rows = 0;
  progress({ phase: 'checking', done: 0 });
  for await (const { line, cells } of source) {
    rows += 1;
    if (rows % CHECK_BATCH === 0) {
      progress({ phase: 'checking', done: rows });
      await yieldToEventLoop();
    }
    if (!cells) continue;
    const checks = new Checks('row');
    const { key, label, value } = handler.parse(new CellReader(cells, checks), checks, poi);
    // One problem per column: a value that is not text is not also "required".
    const bad = new Set<string>();
    for (const problem of checks.problems) {
      const column = columnOf(problem.field);
      if (bad.has(column)) continue;
      bad.add(column);
      const cell = cells[column];
      const got = problem.message !== 'is required' && cell !== undefined && cell !== null && String(cell).trim() !== '' ? ` (got "${shown(cell)}")` : '';
      errors.add(line, column, `${problem.message}${got}`);
    }
    const keyValid = handler.keyColumns.every((column) => !bad.has(column));
    const first = keyValid ? firstLine.get(key) : undefined;
    if (first !== undefined) {
      const keyColumn = handler.keyColumns[handler.keyColumns.length - 1];
      errors.add(
        line,
        keyColumn,
        `${label} is also on ${options.format === 'csv' ? 'line' : 'item'} ${first}: each row must have its own ${handler.keyColumns.join(' and ')}`,
      );
      bad.add(keyColumn);
    } else if (keyValid) firstLine.set(key, line);
    parsed.push({ line, key: keyValid && first === undefined ? key : null, label, value, bad });
  }
  progress({ phase: 'checking', done: rows, total: rows });

  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const result: ImportResult = {
    entity: options.entity,
    format: options.format,
    dryRun,
    rows,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: errors.list,
    errorCount: 0,
    changes: [],
    batches: 0,
    durationMs: 0,
  };
  const finish = () => {
    errors.list.sort((a, b) => a.line - b.line);
    result.errorCount = errors.count;
    result.durationMs = Math.round(performance.now() - started);
    return result;
  };
  // A file that could not be read, or was refused as a whole, has nothing to look up.
  if (state.refused || rows === 0) return finish();

  // Looked up outside any transaction; the writes below check each updated row's version.
  progress({ phase: 'matching', done: 0, total: parsed.length });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the handler's own row type, chosen at run time
  const plan: Plan<any> = await handler.plan(parsed, { manager: dataSource.manager, poi, errors, now, agendaItems: options.agendaItems });
  progress({ phase: 'matching', done: parsed.length, total: parsed.length });
  result.created = plan.creates.length;
  result.updated = plan.updates.length;
  result.unchanged = plan.unchanged;
  if (errors.count > 0) return finish();
  if (dryRun) {
    const changes: ImportChange[] = [
      ...plan.creates.map((c) => ({ line: c.line, key: c.label, action: 'create' as const, fields: Object.keys(diff(null, c.row)) })),
      ...plan.updates.map((u) => ({ line: u.line, key: u.label, action: 'update' as const, fields: Object.keys(u.changes) })),
    ];
    result.changes = changes.sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED_CHANGES);
    return finish();
  }
  await yieldToEventLoop();
  await write(dataSource, handler, plan, { actor: options.actor, at: now, progress, result });
  return finish();
}

/**
 * An import stopped while writing: the batches before it are committed and stay (re-running the
 * same file finishes the job: their rows then count as unchanged), the failed batch and the rest
 * are not written. `code` is CONFLICT when a row was changed by someone else meanwhile.
 */
/** Set on an import's answer when the subgraph announced it on the change bus (through Redis, so every gateway heard it). */
export const CHANGES_ANNOUNCED_HEADER = 'x-changes-announced';

/** The types each import writes (as the audit trail names the kinds, shared/written.ts). */
const IMPORTED_TYPES: Record<ImportEntity, string[]> = {
  libraries: ['Library'],
  branches: ['Branch'],
  contracts: ['Contract'],
  tickets: ['Ticket'],
  knowledge: ['KnowledgeArticle'],
  settings: ['LibrarySettings'],
};

/** What a committed import into this POI changed. */
export function importChange(poi: Poi, entity: ImportEntity): ChangeEvent {
  return { subgraph: poi.subgraphName, poi: poi.code, types: IMPORTED_TYPES[entity], at: new Date().toISOString() };
}

export class ImportInterrupted extends GraphQLError {
  constructor(reason: string, code: 'CONFLICT' | 'INTERNAL_SERVER_ERROR', committed: { rows: number; throughLine: number }) {
    super(
      `${reason}. ${committed.rows === 0 ? 'Nothing was written' : `The first ${committed.rows} changed rows (through line ${committed.throughLine}) were written and stay; the rest was not written`}: run the same file again to finish the import`,
      { extensions: { code, committedRows: committed.rows, committedThroughLine: committed.throughLine } },
    );
  }
}

/** The plan's creates and updates in file order, written WRITE_BATCH rows per transaction, each batch with its audit rows. */
async function write<T extends { id: number; version?: number }>(
  dataSource: DataSource,
  handler: Handler<unknown, T>,
  plan: Plan<T>,
  run: { actor: Actor; at: Date; progress: (p: ImportProgress) => void | Promise<void>; result: ImportResult },
): Promise<void> {
  type Change = { line: number; create?: Create<T>; update?: Update<T> };
  const changes: Change[] = [
    ...plan.creates.map((create) => ({ line: create.line, create })),
    ...plan.updates.map((update) => ({ line: update.line, update })),
  ].sort((a, b) => a.line - b.line);
  const auditRow = (entityId: number, action: 'CREATE' | 'UPDATE', changes: Changes) =>
    auditEntry(run.actor, handler.auditName, entityId, action, changes, run.at);
  const committed = { rows: 0, throughLine: 0 };
  run.progress({ phase: 'writing', done: 0, total: changes.length });
  for (let i = 0; i < changes.length; i += WRITE_BATCH) {
    const batch = changes.slice(i, i + WRITE_BATCH);
    try {
      await transaction(dataSource, async (manager) => {
        const creates = batch.flatMap((c) => (c.create ? [c.create] : []));
        const audits: object[] = [];
        const written: number[] = [];
        await insertInChunks(
          manager,
          handler.entity,
          creates.map((c) => c.row),
        );
        if (creates.length > 0) {
          const ids = await plan.createdIds(manager, creates);
          for (const create of creates) audits.push(auditRow(ids.get(create)!, 'CREATE', diff(null, create.row as T)));
          written.push(...ids.values());
        }
        for (const { update } of batch) {
          if (!update) continue;
          if (!(await applyChanges(manager, handler.entity, update.current.id, handler.versioned ? update.current.version : undefined, update.changes))) {
            throw new ImportInterrupted(`${update.label} (line ${update.line}) was changed by someone else during the import`, 'CONFLICT', committed);
          }
          audits.push(auditRow(update.current.id, 'UPDATE', update.changes));
          written.push(update.current.id);
        }
        await handler.afterWrite?.(manager, written);
        await insertInChunks(manager, AuditEntryEntity, audits);
      });
    } catch (error) {
      if (error instanceof ImportInterrupted) throw error;
      throw new ImportInterrupted(`writing failed at line ${batch[0].line}: ${(error as Error).message}`, 'INTERNAL_SERVER_ERROR', committed);
    }
    committed.rows += batch.length;
    committed.throughLine = batch[batch.length - 1].line;
    run.result.batches += 1;
    await run.progress({ phase: 'writing', done: committed.rows, total: changes.length });
    await yieldToEventLoop();
  }
}

// ---------------------------------------------------------------------------------------------
// POST /import on every POI subgraph

/**
 * `POST /import?entity=tickets&dryRun=false`, the file as the body (text/csv or
 * application/json, at most IMPORT_MAX_BYTES, at most IMPORT_MAX_ROWS rows), read as a stream.
 * Answers the ImportResult: 200, or 422 when rows (or the file) were refused (nothing written);
 * `{ error }` with 400/403/413/415 otherwise, and 409/500 (with `committedRows`,
 * `committedThroughLine`) when writing stopped midway. Imports run one at a time.
 *
 * Like /graphql, only for a token signed with the gateway's key (the subgraph checks it before
 * this runs); it must hold the POI's write scope, and its name is the actor in the audit trail.
 */
export function importRoute(
  poi: Poi,
  dataSource: DataSource,
  logger: Logger,
  limits: ImportLimits,
  agendaItems: AgendaItemLookup,
  /** The bus through Redis (REDIS_URL), when this subgraph has one: a committed import is announced on it. */
  changes?: ChangeBus,
): (app: express.Express) => void {
  let queue: Promise<unknown> = Promise.resolve();
  // Before the answer: every gateway replica then treats the cached answers it may have changed as
  // stale. Without a bus the CLI asks the gateway to (scripts/import.ts), seeing no CHANGES_ANNOUNCED_HEADER.
  const announce = async (res: express.Response, entity: ImportEntity, committedRows: number) => {
    if (!changes || committedRows === 0) return;
    try {
      await changes.publish(importChange(poi, entity));
      res.setHeader(CHANGES_ANNOUNCED_HEADER, 'true');
    } catch (error) {
      logger.warn({ err: error, entity }, 'the import could not be announced');
    }
  };
  const handle: express.RequestHandler = async (req, res) => {
    const entity = req.query.entity;
    if (!isImportEntity(entity)) {
      return void res.status(400).json({ error: `entity must be one of ${IMPORT_ENTITIES.join(', ')}` });
    }
    const dryRunParam = String(req.query.dryRun ?? 'false').toLowerCase();
    if (!['true', 'false', '1', '0'].includes(dryRunParam)) return void res.status(400).json({ error: 'dryRun must be true or false' });
    const identity = res.locals.identity as Identity | undefined;
    if (!identity || !identity.scopes.includes(poiScope(poi, 'write'))) {
      return void res.status(403).json({ error: `importing into ${poi.name} needs the scope ${poiScope(poi, 'write')}` });
    }
    const actorName = identity.name;
    const format: ImportFormat | null = req.is('text/csv') ? 'csv' : req.is('application/json') ? 'json' : null;
    if (!format) return void res.status(415).json({ error: 'send the file as text/csv or application/json' });
    if (Number(req.headers['content-length'] ?? 0) > limits.maxBytes) {
      return void res.status(413).json({ error: `the file is larger than ${limits.maxBytes} bytes (IMPORT_MAX_BYTES)` });
    }
    // Read through a pass-through: when the import stops reading early (a cap, a bad header), the
    // request is left to be drained rather than its connection reset, so the answer arrives.
    const content = req.pipe(new PassThrough());
    const run = queue.then(() =>
      importRows(dataSource, poi, {
        entity,
        format,
        content,
        actor: { name: actorName, via: 'import' },
        dryRun: dryRunParam === 'true' || dryRunParam === '1',
        limits,
        // Asked with the importer's token for the collaboration subgraph, which the CLI sends along.
        agendaItems: (ids) => agendaItems(ids, req.header(COLLABORATION_TOKEN_HEADER)),
      }),
    );
    queue = run.catch(() => undefined);
    try {
      const result = await run;
      logger.info(
        {
          entity,
          format,
          dryRun: result.dryRun,
          rows: result.rows,
          created: result.created,
          updated: result.updated,
          unchanged: result.unchanged,
          errorCount: result.errorCount,
          batches: result.batches,
          durationMs: result.durationMs,
          actor: actorName,
        },
        result.errorCount > 0 ? 'import refused' : 'import completed',
      );
      if (!result.dryRun) await announce(res, entity, result.created + result.updated);
      res.status(result.errorCount > 0 ? 422 : 200).json(result);
    } catch (error) {
      logger.error({ err: error, entity }, 'import failed');
      if (error instanceof ImportInterrupted) {
        const { code, committedRows, committedThroughLine } = error.extensions;
        await announce(res, entity, Number(committedRows));
        return void res.status(code === 'CONFLICT' ? 409 : 500).json({ error: error.message, committedRows, committedThroughLine });
      }
      res.status(500).json({ error: `import failed: ${(error as Error).message}` });
    }
  };
  return (app) => {
    app.post('/import', handle);
  };
}
