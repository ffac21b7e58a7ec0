// Bulk import (poi-kit/import.ts, scripts/import.ts): every validation rule with its
// `line N, column X: reason`, all-or-nothing, idempotent re-imports, only changed rows updated and
// audited, CSV and JSON, dry runs, and the CLI end to end through a running subgraph's POST /import
// (and directly against MySQL when CUBISS_DATABASE_URL is set).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig, PROJECT_ROOT } from '../shared/config';
import { AuditEntryEntity, BranchEntity, ContractEntity, KnowledgeArticleEntity, LibraryEntity, TicketEntity } from '../poi-kit/entities';
import { formatImportError, ImportEntity, ImportFormat, ImportInterrupted, ImportProgress, ImportResult, importRows, WRITE_BATCH } from '../poi-kit/import';
import { POIS } from '../shared/registry';
import { readLibrarySources } from '../poi-kit/seed';
import { startStack, Stack } from './helpers/stack';
import { createIdentitySigner } from '../shared/auth/internal-token';

const CUBISS = POIS.find((p) => p.code === 'CUBISS')!;
/** The names of Cubiss's seeded libraries (its data/libraries.csv), the key other files name them by. */
const CUBISS_LIBRARIES = readLibrarySources(path.join(PROJECT_ROOT, 'subgraphs', 'cubiss', 'data', 'libraries.csv')).map((l) => l.organisation);
const ACTOR = { name: 'import:test', via: 'import' as const };

let stack: Stack;
let db: DataSource;
let tmp: string;

beforeAll(async () => {
  stack = await startStack();
  db = stack.subgraphs.get('cubiss')!.database.dataSource;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'poi-import-'));
});
afterAll(async () => {
  await stack?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function run(entity: ImportEntity, content: string, options: { format?: ImportFormat; dryRun?: boolean } = {}): Promise<ImportResult> {
  return importRows(db, CUBISS, { entity, format: options.format ?? 'csv', content, actor: ACTOR, dryRun: options.dryRun });
}

const messages = (result: ImportResult) => result.errors.map((e) => formatImportError(e, result.format));
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

async function counts() {
  const m = db.manager;
  return {
    libraries: await m.count(LibraryEntity),
    branches: await m.count(BranchEntity),
    contracts: await m.count(ContractEntity),
    tickets: await m.count(TicketEntity),
    knowledge: await m.count(KnowledgeArticleEntity),
    audit: await m.count(AuditEntryEntity),
  };
}

/** Expects these problems, in this order, and no change in the database. */
async function refused(entity: ImportEntity, content: string, expected: string[], format: ImportFormat = 'csv') {
  const before = await counts();
  const result = await run(entity, content, { format });
  expect(messages(result)).toEqual(expected);
  expect(result.errorCount).toBe(expected.length);
  expect(await counts()).toEqual(before);
}

describe('every bad row is reported as line N, column X: reason, and nothing is written', () => {
  it('the file: header, shape and syntax', async () => {
    await refused('libraries', '', ['file: the file is empty: it needs a header row with the column names']);
    await refused('libraries', csv('name,province,municipalities,memberCount,colour'), [
      'line 1, column colour: is not a column of this file (columns: name, province, municipalities, mainCity, memberCount, wisePlatform)',
    ]);
    await refused('libraries', csv('name,province,memberCount'), ['line 1, column municipalities: is missing from the header']);
    await refused('libraries', csv('name;province;municipalities;memberCount'), [
      'line 1: the header is separated by semicolons: save the file as CSV with commas between columns (a list inside one cell uses ;)',
    ]);
    await refused('libraries', csv('name,name,province,municipalities,memberCount'), ['line 1, column name: appears twice in the header']);
    await refused('libraries', csv('name,province,municipalities,memberCount', 'Bibliotheek A,LIMBURG,Venlo', 'Bibliotheek B,LIMBURG,Venlo,100,extra'), [
      'line 2, column memberCount: is missing: the row has 3 values, the header 4 columns',
      'line 3, column 5: the row has more values than the header has columns (4)',
    ]);
    const unclosed = await run('libraries', csv('name,province,municipalities,memberCount', '"Bibliotheek A,LIMBURG,Venlo,100'));
    expect(messages(unclosed)).toEqual([expect.stringMatching(/^line 2: not valid CSV: /)]);
    await refused('libraries', '[{"name": "Bibliotheek A",}]', [expect.stringMatching(/^file: not valid JSON: /) as unknown as string], 'json');
    await refused('libraries', '{"name": "Bibliotheek A"}', ['file: must be a JSON array of objects, one per row'], 'json');
    await refused(
      'libraries',
      '[{"name": "Bibliotheek A", "colour": "red"}, 7]',
      [
        'item 1, column colour: is not a column of this file (columns: name, province, municipalities, mainCity, memberCount, wisePlatform)',
        'item 2: must be an object with the columns as keys',
      ],
      'json',
    );
  });

  it("libraries: the kit's checks (province of this POI, municipalities, member count, lengths, platform code) and duplicate names", async () => {
    await refused(
      'libraries',
      csv(
        'name,province,municipalities,mainCity,memberCount,wisePlatform',
        'Bibliotheek A,UTRECHT,Tilburg,,100,',
        ',LIMBURG,Venlo,,100,',
        'Bibliotheek C,LIMBURG,,,100,',
        'Bibliotheek D,LIMBURG,Venlo,,-5,',
        'Bibliotheek E,LIMBURG,Venlo,,12.000,',
        `Bibliotheek ${'F'.repeat(200)},LIMBURG,Venlo,,100,`,
        'Bibliotheek G,LIMBURG,Venlo; ;Horst,,100,',
        'Bibliotheek H,Limburg,Venlo,,100,',
        'bibliotheek h,LIMBURG,Venlo,,100,',
        'Bibliotheek I,LIMBURG,Venlo,,100,Midden Zuid',
      ),
      [
        'line 2, column province: must be one of NOORD_BRABANT, LIMBURG (got "UTRECHT")',
        'line 3, column name: is required',
        'line 4, column municipalities: must name at least one municipality',
        'line 5, column memberCount: must be a whole number from 0 to 10000000 (got "-5")',
        'line 6, column memberCount: is ambiguous: write numbers without thousands separators (12000, not 12.000) and amounts with a decimal point and at most two decimals (1234.50) (got "12.000")',
        `line 7, column name: must be at most 200 characters (got "Bibliotheek ${'F'.repeat(25)}...")`,
        'line 10, column name: bibliotheek h is also on line 9: each row must have its own name',
        'line 11, column wisePlatform: must be a Wise platform code like MIDDEN-ZUID (2-40 capital letters, digits, - or _) (got "Midden Zuid")',
      ],
    );
  });

  it('branches: postal code, isMain, the library must exist, one main branch per library, duplicate names', async () => {
    await refused(
      'branches',
      csv(
        'libraryName,name,city,postalCode,isMain',
        'Bibliotheek Eindhoven,Vestiging Strijp,Eindhoven,0123 AB,false',
        'Bibliotheek Eindhoven,Vestiging Woensel,Eindhoven,5623 AB,misschien',
        'Bibliotheek Eindhoven,,Eindhoven,5623 AB,false',
        'Bibliotheek Nergens,Vestiging Nergens,Nergens,5623 AB,false',
        'Bibliotheek Eindhoven,Vestiging Meerhoven,Eindhoven,5658AB,nee',
        'Bibliotheek Eindhoven,vestiging meerhoven,Eindhoven,5658 AB,nee',
      ),
      [
        'line 2, column postalCode: must be a Dutch postal code like 3511 AB (got "0123 AB")',
        'line 3, column isMain: must be true or false (got "misschien")',
        'line 4, column name: is required',
        "line 5, column libraryName: no library Bibliotheek Nergens in Cubiss's database (import the libraries first)",
        'line 7, column name: Bibliotheek Eindhoven / vestiging meerhoven is also on line 6: each row must have its own libraryName and name',
      ],
    );
    // Checks across rows: exactly one main branch per library, counting the branches already there.
    await refused('branches', csv('libraryName,name,city,postalCode,isMain', 'Bibliotheek Eindhoven,Vestiging Meerhoven,Eindhoven,5658 AB,ja'), [
      'line 2, column isMain: library Bibliotheek Eindhoven would have 2 main branches: exactly one may have isMain true (set the other one to false in the same file)',
    ]);
    const main = await db.manager.findOneByOrFail(BranchEntity, { libraryId: 1, isMain: true });
    await refused('branches', csv('libraryName,name,city,postalCode,isMain', `Bibliotheek Eindhoven,"${main.name}",${main.city},${main.postalCode},false`), [
      'line 2, column isMain: library Bibliotheek Eindhoven would have no main branch: exactly one of its branches must have isMain true',
    ]);
  });

  it("contracts: the kit's checks, any status an import may bring, one ACTIVE agreement per library, duplicate start dates", async () => {
    await refused(
      'contracts',
      csv(
        'libraryName,services,startsOn,endsOn,status,annualFee,noticePeriodMonths',
        'Bibliotheek Eindhoven,HELPDESK,2027-01-01,2026-12-31,DRAFT,1000,6',
        'Bibliotheek Eindhoven,HELPDESK;WINDOW_CLEANING,2027-01-01,2029-12-31,DRAFT,1000,6',
        'Bibliotheek Eindhoven,HELPDESK,2027-02-30,2029-12-31,DRAFT,1000,6',
        'Bibliotheek Eindhoven,HELPDESK,2027-03-01,2029-12-31,LOPEND,1000,6',
        'Bibliotheek Eindhoven,HELPDESK,2027-04-01,2029-12-31,DRAFT,1000.005,6',
        'Bibliotheek Eindhoven,HELPDESK,2027-05-01,2029-12-31,DRAFT,1000,48',
        'Bibliotheek Eindhoven,,2027-06-01,2029-12-31,DRAFT,1000,6',
        'Bibliotheek Eindhoven,HELPDESK,2027-07-01,2029-12-31,DRAFT,"1234,50",6',
        'Bibliotheek Eindhoven,HELPDESK,2027-07-01,2029-12-31,EXPIRED,1000,6',
      ),
      [
        'line 2, column endsOn: must be after startsOn (got "2026-12-31")',
        'line 3, column services: must be one of WISE_HOSTING, FUNCTIONAL_MANAGEMENT, HELPDESK, CATALOGUING, INTERLIBRARY_LOAN, DATA_ANALYTICS (got "HELPDESK;WINDOW_CLEANING")',
        // Line 2 has a problem of its own, and line 3 still repeats its key: both in the same answer.
        'line 3, column startsOn: Bibliotheek Eindhoven from 2027-01-01 is also on line 2: each row must have its own libraryName and startsOn',
        'line 4, column startsOn: must be a date like 2026-11-23 (got "2027-02-30")',
        'line 5, column status: must be one of DRAFT, ACTIVE, EXPIRED, TERMINATED (got "LOPEND")',
        'line 6, column annualFee: must have at most two decimals (cents) (got "1000.005")',
        'line 7, column noticePeriodMonths: must be a whole number from 0 to 36 (got "48")',
        'line 8, column services: must list at least one service',
        'line 10, column startsOn: Bibliotheek Eindhoven from 2027-07-01 is also on line 9: each row must have its own libraryName and startsOn',
      ],
    );
    const active = await db.manager.findOneByOrFail(ContractEntity, { status: 'ACTIVE' });
    const library = await db.manager.findOneByOrFail(LibraryEntity, { id: active.libraryId });
    await refused(
      'contracts',
      csv('libraryName,services,startsOn,endsOn,status,annualFee,noticePeriodMonths', `${library.name},HELPDESK,2031-01-01,2033-12-31,ACTIVE,1000,6`),
      [
        `line 2, column status: library ${library.name} would have 2 ACTIVE agreements (starting ${active.startsOn}, 2031-01-01): at most one may be ACTIVE (set the older one to EXPIRED or TERMINATED in the same file)`,
      ],
    );
  });

  it("tickets: the kit's checks, moments, status and resolvedAt together, references this POI hands out itself, duplicates", async () => {
    const header = 'reference,libraryName,title,category,priority,status,openedAt,resolvedAt,assignee,agendaItemId';
    await refused(
      'tickets',
      csv(
        header,
        'T-1,Bibliotheek Eindhoven,Printer,PRINTING,P2,OPEN,2026-03-01T09:00:00Z,,,',
        'T-2,Bibliotheek Eindhoven,Printer,CIRCULATION,P5,OPEN,2026-03-01T09:00:00Z,,,',
        'T-3,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,OPEN,gisteren,,,',
        'T-4,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,CLOSED,2026-03-01T09:00:00Z,2026-02-28T09:00:00Z,,',
        'T-5,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,CLOSED,2026-03-01T09:00:00Z,,,',
        'T-6,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,OPEN,2026-03-01T09:00:00Z,2026-03-02T09:00:00Z,,',
        'CUBI-123456,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,OPEN,2026-03-01T09:00:00Z,,,',
        'T-8,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,OPEN,2026-03-01T09:00:00Z,,,WA-25',
        'T-9,Bibliotheek Nergens,Printer,CIRCULATION,P2,OPEN,2026-03-01T09:00:00Z,,,',
        'T-10,Bibliotheek Eindhoven,,CIRCULATION,P2,OPEN,2026-03-01T09:00:00Z,,,',
        't-9,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,OPEN,2026-03-01T09:00:00Z,,,',
        'T-12,Bibliotheek Eindhoven,Printer,CIRCULATION,P2,OPEN,2026-03-01 25:00,,,',
      ),
      [
        'line 2, column category: must be one of RESERVATIONS, FINES, MEMBERSHIP, CATALOGUE, CIRCULATION, REPORTING, INTERFACES (got "PRINTING")',
        'line 3, column priority: must be one of P1, P2, P3, P4 (got "P5")',
        'line 4, column openedAt: must be a date and time like 2025-03-14T09:30:00Z (UTC unless it has an offset such as +01:00) (got "gisteren")',
        'line 5, column resolvedAt: must not be before openedAt (2026-03-01T09:00:00.000Z)',
        'line 6, column resolvedAt: is required when status is CLOSED',
        'line 7, column resolvedAt: must be empty while status is OPEN',
        "line 8, column reference: CUBI-123456 has the form of Cubiss's own ticket numbers (CUBI-000123), which new tickets get from their id; a new ticket from elsewhere keeps its own reference, e.g. the number in the system it comes from",
        'line 9, column agendaItemId: must be a work-agenda id like WA-2025-03 (got "WA-25")',
        "line 10, column libraryName: no library Bibliotheek Nergens in Cubiss's database (import the libraries first)",
        'line 11, column title: is required',
        'line 12, column reference: t-9 is also on line 10: each row must have its own reference',
        'line 13, column openedAt: must be a date and time like 2025-03-14T09:30:00Z (UTC unless it has an offset such as +01:00) (got "2026-03-01 25:00")',
      ],
    );
  });

  it('every problem of a file in the first answer: field errors, duplicates of bad rows, missing libraries and rules across rows together', async () => {
    await refused(
      'branches',
      csv(
        'libraryName,name,city,postalCode,isMain',
        'Bibliotheek Eindhoven,Vestiging Zuid,Eindhoven,0123 AB,false',
        'Bibliotheek Eindhoven,Vestiging Zuid,Eindhoven,5611 AB,false',
        'Bibliotheek Nergens,Vestiging Nergens,Nergens,1234,false',
        'Bibliotheek Midden-Brabant,Vestiging Twee,Eindhoven,5611 AB,ja',
      ),
      [
        'line 2, column postalCode: must be a Dutch postal code like 3511 AB (got "0123 AB")',
        'line 3, column name: Bibliotheek Eindhoven / Vestiging Zuid is also on line 2: each row must have its own libraryName and name',
        'line 4, column postalCode: must be a Dutch postal code like 3511 AB (got "1234")',
        "line 4, column libraryName: no library Bibliotheek Nergens in Cubiss's database (import the libraries first)",
        'line 5, column isMain: library Bibliotheek Midden-Brabant would have 2 main branches: exactly one may have isMain true (set the other one to false in the same file)',
      ],
    );
    await refused(
      'tickets',
      csv(
        'reference,libraryName,title,category,priority,status,openedAt,resolvedAt,assignee,agendaItemId',
        'T-20,Bibliotheek Nergens,Printer,PRINTING,P2,CLOSED,2026-03-01T09:00:00Z,,,',
      ),
      [
        'line 2, column category: must be one of RESERVATIONS, FINES, MEMBERSHIP, CATALOGUE, CIRCULATION, REPORTING, INTERFACES (got "PRINTING")',
        "line 2, column libraryName: no library Bibliotheek Nergens in Cubiss's database (import the libraries first)",
        'line 2, column resolvedAt: is required when status is CLOSED',
      ],
    );
  });

  it("knowledge: the kit's checks, moments and duplicate (source, title)", async () => {
    await refused(
      'knowledge',
      csv(
        'title,summary,body,tags,source,updatedAt',
        'Inloggen,Kort,Lang,wise,eKIC,2026-13-01',
        'Uitloggen,,Lang,wise,eKIC,',
        `Afmelden,Kort,Lang,wise,${'x'.repeat(101)},`,
        'Wachtwoord,Kort,"   ",wise,eKIC,',
        'Reserveren,Kort,Lang,wise,eKIC,',
        'reserveren,Kort,Lang,wise,EKIC,',
      ),
      [
        'line 2, column updatedAt: must be a date and time like 2025-03-14T09:30:00Z (UTC unless it has an offset such as +01:00) (got "2026-13-01")',
        'line 3, column summary: is required',
        `line 4, column source: must be at most 100 characters (got "${'x'.repeat(37)}...")`,
        'line 5, column body: is required',
        'line 7, column title: EKIC / reserveren is also on line 6: each row must have its own source and title',
      ],
    );
  });
});

/** 10,000 tickets over the seeded libraries, references IMP-00001…; `change` edits rows. */
function ticketsCsv(count: number, change: (index: number, cells: string[]) => void = () => undefined): string {
  const lines = ['reference,libraryName,title,category,priority,status,openedAt,resolvedAt,assignee,agendaItemId'];
  const categories = ['RESERVATIONS', 'FINES', 'MEMBERSHIP', 'CATALOGUE', 'CIRCULATION', 'REPORTING', 'INTERFACES'];
  for (let i = 0; i < count; i++) {
    const opened = new Date(Date.UTC(2025, 0, 1) + i * 3_600_000);
    const closed = i % 3 === 0;
    const cells = [
      `IMP-${String(i + 1).padStart(5, '0')}`,
      CUBISS_LIBRARIES[i % CUBISS_LIBRARIES.length],
      `Melding ${i + 1}: uitleenstation geeft storing`,
      categories[i % categories.length],
      `P${(i % 4) + 1}`,
      closed ? 'CLOSED' : 'OPEN',
      opened.toISOString().replace('.000', ''),
      closed ? new Date(opened.getTime() + 7_200_000).toISOString().replace('.000', '') : '',
      i % 5 === 0 ? 'Sanne' : '',
      '',
    ];
    change(i, cells);
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('10,000 tickets: all or nothing, audited, idempotent, only changed rows updated', () => {
  const file = ticketsCsv(10_000);
  const importAudit = () => db.manager.countBy(AuditEntryEntity, { via: 'import', entity: 'TICKET' });

  it('one bad row in 10,000 writes nothing', async () => {
    const before = await counts();
    const bad = ticketsCsv(10_000, (i, cells) => {
      if (i === 4999) cells[4] = 'P9';
    });
    const result = await run('tickets', bad);
    expect(messages(result)).toEqual(['line 5001, column priority: must be one of P1, P2, P3, P4 (got "P9")']);
    expect(result.rows).toBe(10_000);
    expect(await counts()).toEqual(before);
  });

  it('a dry run reports what would change and writes nothing', async () => {
    const before = await counts();
    const result = await run('tickets', file, { dryRun: true });
    expect(result).toMatchObject({ dryRun: true, rows: 10_000, created: 10_000, updated: 0, unchanged: 0, errorCount: 0 });
    expect(result.changes[0]).toMatchObject({ line: 2, key: 'IMP-00001', action: 'create' });
    expect(await counts()).toEqual(before);
  });

  it('a good import writes every row, in batches of bulk statements, and audits each', async () => {
    const before = await counts();
    const statements = stack.statementCounts().cubiss;
    const result = await run('tickets', file);
    expect(result).toMatchObject({ created: 10_000, updated: 0, unchanged: 0, errorCount: 0 });
    // Inserts of 500 rows, lookups of 500 keys: never one statement per row.
    expect(stack.statementCounts().cubiss - statements).toBeLessThan(150);
    expect(await counts()).toEqual({ ...before, tickets: before.tickets + 10_000, audit: before.audit + 10_000 });
    const ticket = await db.manager.findOneByOrFail(TicketEntity, { reference: 'IMP-00001' });
    expect(ticket).toMatchObject({
      libraryId: 1,
      category: 'RESERVATIONS',
      priority: 'P1',
      status: 'CLOSED',
      assignee: 'Sanne',
      agendaItemId: null,
      version: 1,
    });
    expect(ticket.openedAt.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(ticket.resolvedAt!.toISOString()).toBe('2025-01-01T02:00:00.000Z');
    const audit = await db.manager.findOneByOrFail(AuditEntryEntity, { entity: 'TICKET', entityId: String(ticket.id) });
    expect(audit).toMatchObject({ actor: 'import:test', via: 'import', action: 'CREATE' });
    expect(audit.changes.reference).toEqual({ from: null, to: 'IMP-00001' });
    expect(audit.changes.status).toEqual({ from: null, to: 'CLOSED' });
  });

  it('the same file again changes nothing and audits nothing', async () => {
    const before = await counts();
    const result = await run('tickets', file);
    expect(result).toMatchObject({ created: 0, updated: 0, unchanged: 10_000, errorCount: 0 });
    expect(await counts()).toEqual(before);
  });

  it('a changed file updates only the changed rows (version + 1) and audits only the changed fields', async () => {
    const changed = ticketsCsv(10_000, (i, cells) => {
      if (i === 9) cells[2] = 'Melding 10: uitleenstation geeft storing (opgelost door herstart)';
      if (i === 19) [cells[5], cells[7]] = ['RESOLVED', '2025-01-02T00:00:00Z'];
      if (i === 29) cells[8] = 'Joost';
    });
    const dry = await run('tickets', changed, { dryRun: true });
    expect(dry).toMatchObject({ created: 0, updated: 3, unchanged: 9_997 });
    expect(dry.changes).toEqual([
      { line: 11, key: 'IMP-00010', action: 'update', fields: ['title'] },
      { line: 21, key: 'IMP-00020', action: 'update', fields: ['status', 'resolvedAt'] },
      { line: 31, key: 'IMP-00030', action: 'update', fields: ['assignee'] },
    ]);
    const auditBefore = await importAudit();
    const result = await run('tickets', changed);
    expect(result).toMatchObject({ created: 0, updated: 3, unchanged: 9_997 });
    expect(await importAudit()).toBe(auditBefore + 3);
    const t20 = await db.manager.findOneByOrFail(TicketEntity, { reference: 'IMP-00020' });
    expect(t20).toMatchObject({ status: 'RESOLVED', version: 2 });
    expect(t20.resolvedAt!.toISOString()).toBe('2025-01-02T00:00:00.000Z');
    expect((await db.manager.findOneByOrFail(TicketEntity, { reference: 'IMP-00011' })).version).toBe(1);
    const [latest] = await db.manager.find(AuditEntryEntity, { where: { entity: 'TICKET', entityId: String(t20.id) }, order: { id: 'DESC' }, take: 1 });
    expect(latest).toMatchObject({ action: 'UPDATE', via: 'import' });
    expect(Object.keys(latest.changes)).toEqual(['status', 'resolvedAt']);
    expect(latest.changes.status).toEqual({ from: 'OPEN', to: 'RESOLVED' });
    expect((await run('tickets', changed)).updated).toBe(0);
  });
});

describe('written in batches, each its own transaction', () => {
  it('a row changed by someone else midway: the batches before stay, the answer says so, nothing after is written, a re-run finishes', async () => {
    const file = ticketsCsv(2_500).replace(/IMP-/g, 'BAT-');
    expect(await run('tickets', file)).toMatchObject({ created: 2_500, batches: Math.ceil(2_500 / WRITE_BATCH) });
    const changed = ticketsCsv(2_500, (_i, cells) => (cells[2] = `${cells[2]} (bijgewerkt)`)).replace(/IMP-/g, 'BAT-');
    const interrupt = async (progress: ImportProgress) => {
      // After the first 1,000 rows are committed, someone edits a row of a later batch.
      if (progress.phase === 'writing' && progress.done === 1_000) await db.manager.increment(TicketEntity, { reference: 'BAT-01500' }, 'version', 1);
    };
    const error = await importRows(db, CUBISS, { entity: 'tickets', format: 'csv', content: changed, actor: ACTOR, onProgress: interrupt }).catch((e) => e);
    expect(error).toBeInstanceOf(ImportInterrupted);
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', committedRows: 1_000, committedThroughLine: 1_001 });
    expect(error.message).toBe(
      'BAT-01500 (line 1501) was changed by someone else during the import. The first 1000 changed rows (through line 1001) were written and stay; the rest was not written: run the same file again to finish the import',
    );
    const title = async (reference: string) => (await db.manager.findOneByOrFail(TicketEntity, { reference })).title;
    expect(await title('BAT-01000')).toMatch(/\(bijgewerkt\)$/);
    expect(await title('BAT-01001')).not.toMatch(/\(bijgewerkt\)$/);
    expect(await run('tickets', changed)).toMatchObject({ updated: 1_500, unchanged: 1_000, errorCount: 0 });
  });
});

describe('CSV and JSON', () => {
  it('JSON takes native values (numbers, booleans, arrays) as well as the CSV spellings, and reports items', async () => {
    const libraries = [
      { name: 'Bibliotheek Bergeijk', province: 'NOORD_BRABANT', municipalities: ['Bergeijk'], mainCity: 'Bergeijk', memberCount: 2100 },
      { name: 'Bibliotheek Echt-Susteren', province: 'Limburg', municipalities: 'Echt-Susteren;Roerdalen', memberCount: '3400' },
    ];
    const created = await run('libraries', JSON.stringify(libraries), { format: 'json' });
    expect(created).toMatchObject({ created: 2, updated: 0, unchanged: 0, errorCount: 0 });
    expect(await db.manager.findOneByOrFail(LibraryEntity, { name: 'Bibliotheek Echt-Susteren' })).toMatchObject({
      province: 'LIMBURG',
      municipalities: ['Echt-Susteren', 'Roerdalen'],
      mainCity: null,
      memberCount: 3400,
    });
    expect(await run('libraries', JSON.stringify(libraries), { format: 'json' })).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    // The same data as CSV is no change either.
    expect(
      await run('libraries', csv('name,province,municipalities,mainCity,memberCount', 'Bibliotheek Bergeijk,NOORD_BRABANT,Bergeijk,Bergeijk,2100')),
    ).toMatchObject({ created: 0, updated: 0, unchanged: 1 });

    const branches = [
      { libraryName: 'Bibliotheek Bergeijk', name: 'Hoofdvestiging Bergeijk', city: 'Bergeijk', postalCode: '5571 ca', isMain: true },
      { libraryName: 'Bibliotheek Bergeijk', name: 'Servicepunt Westerhoven', city: 'Westerhoven', postalCode: '5563AB', isMain: 'nee' },
    ];
    expect(await run('branches', JSON.stringify(branches), { format: 'json' })).toMatchObject({ created: 2, errorCount: 0 });
    expect((await db.manager.findOneByOrFail(BranchEntity, { name: 'Hoofdvestiging Bergeijk' })).postalCode).toBe('5571 CA');

    await refused(
      'libraries',
      JSON.stringify([libraries[0], { ...libraries[1], memberCount: 12.5, municipalities: [] }, { ...libraries[1], name: { nl: 'x' } }]),
      [
        'item 2, column municipalities: must name at least one municipality',
        'item 2, column memberCount: must be a whole number from 0 to 10000000 (got "12.5")',
        'item 3, column name: must be text (got "{"nl":"x"}")',
      ],
      'json',
    );
    // A key left out of a JSON item is a missing value like an empty cell when the field is required.
    await refused(
      'tickets',
      JSON.stringify([{ reference: 'J-1', libraryName: 'Bibliotheek Eindhoven', title: 'Pasje kwijt', category: 'MEMBERSHIP', priority: 'P4' }]),
      ['item 1, column openedAt: is required'],
      'json',
    );
  });

  it('a changed library is updated with version + 1; a column left out leaves its field alone, an empty cell clears it', async () => {
    const header = 'name,province,municipalities,mainCity,memberCount';
    const result = await run('libraries', csv(header, 'Bibliotheek Bergeijk,NOORD_BRABANT,Bergeijk,,2200'));
    expect(result).toMatchObject({ updated: 1, unchanged: 0 });
    expect(await db.manager.findOneByOrFail(LibraryEntity, { name: 'Bibliotheek Bergeijk' })).toMatchObject({ mainCity: null, memberCount: 2200, version: 2 });
    const without = await run('libraries', csv('name,province,municipalities,memberCount', 'Bibliotheek Echt-Susteren,LIMBURG,Echt-Susteren;Roerdalen,3400'));
    expect(without).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it('contracts, knowledge and branches re-import as no change; services are a set', async () => {
    const header = 'libraryName,services,startsOn,endsOn,status,annualFee,noticePeriodMonths';
    const file = csv(header, 'Bibliotheek Bergeijk,WISE_HOSTING;HELPDESK,2025-01-01,2027-12-31,ACTIVE,"4120,50",6');
    expect(await run('contracts', file)).toMatchObject({ created: 1, errorCount: 0 });
    expect(await run('contracts', csv(header, 'Bibliotheek Bergeijk,helpdesk;wise_hosting,2025-01-01,2027-12-31,,4120.5,6'))).toMatchObject({
      updated: 0,
      unchanged: 1,
    });
    const article = csv(
      'title,summary,body,tags,source',
      'Zelfservice herstarten,Als het uitleenstation hangt.,"Zet het station uit.\r\nWacht tien seconden.",zelfservice;storing,eKIC',
    );
    expect(await run('knowledge', article)).toMatchObject({ created: 1 });
    expect(await run('knowledge', article)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect((await db.manager.findOneByOrFail(KnowledgeArticleEntity, { title: 'Zelfservice herstarten' })).body).toBe(
      'Zet het station uit.\nWacht tien seconden.',
    );
    const branches = csv('libraryName,name,city,postalCode,isMain', 'Bibliotheek Bergeijk,Hoofdvestiging Bergeijk,Bergeijk,5571CA,ja');
    expect(await run('branches', branches)).toMatchObject({ updated: 0, unchanged: 1 });
  });
});

/** The CLI signs for the subgraph with the gateway's key: this stack's, not the clone's local one. */
const cliEnv = () => ({ ...process.env, GATEWAY_SIGNING_KEY: stack.config.security.gatewaySigningKey });

/** Runs the CLI as its own process (as `npm run import` does). */
function cli(args: string[], env: Record<string, string | undefined> = cliEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(PROJECT_ROOT, 'scripts', 'import.ts'), ...args],
      { cwd: PROJECT_ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const sample = (entity: string) => path.join(PROJECT_ROOT, 'samples', `${entity}.csv`);

describe('the CLI', () => {
  let url: string;
  beforeAll(() => {
    url = `http://127.0.0.1:${stack.subgraphs.get('cubiss')!.port}`;
  });

  it("imports the samples through the running subgraph's POST /import; a second run changes nothing; the gateway shows the libraries", async () => {
    const expected: Record<string, number> = { libraries: 3, branches: 6, contracts: 4, tickets: 6, knowledge: 3 };
    for (const [entity, rows] of Object.entries(expected)) {
      const result = await cli(['--poi', 'cubiss', '--entity', entity, '--file', sample(entity), '--url', url, '--actor', 'Anouk (Cubiss)']);
      expect({ entity, code: result.code, stdout: result.stdout }).toEqual({ entity, code: 0, stdout: `${rows} created, 0 updated, 0 unchanged\n` });
      // stderr is no terminal here: only the final summary line.
      expect(result.stderr).toMatch(new RegExp(`^cubiss ${entity}: ${rows} rows imported in \\d+\\.\\d s\\n$`));
    }
    const again = await cli(['--poi', 'CUBISS', '--entity', 'libraries', '--file', sample('libraries'), '--url', url]);
    expect(again).toMatchObject({ code: 0, stdout: '0 created, 0 updated, 3 unchanged\n' });
    const audit = await db.manager.findBy(AuditEntryEntity, { actor: 'Anouk (Cubiss)' });
    expect(audit).toHaveLength(22);
    expect(audit.every((a) => a.via === 'import' && a.action === 'CREATE')).toBe(true);

    const response = await stack.query(`{ cubiss { libraries(filter: { nameContains: "Land van Cuijk" }) { nodes {
      wisePlatform { code } name municipalities memberCount branches { name postalCode isMain } contract { status endsOn }
      tickets { totalCount } } } } }`);
    expect(response.errors).toBeUndefined();
    const [library] = response.data.cubiss.libraries.nodes;
    expect(library).toMatchObject({
      wisePlatform: { code: CUBISS.wisePlatform },
      name: 'Bibliotheek Land van Cuijk',
      municipalities: ['Land van Cuijk', 'Boxmeer'],
      memberCount: 14250,
    });
    expect(library.branches).toHaveLength(3);
    expect(library.contract).toEqual({ status: 'ACTIVE', endsOn: '2028-12-31' });
    expect(library.tickets.totalCount).toBe(2);
  });

  it('a dry run lists what would change and writes nothing', async () => {
    const file = path.join(tmp, 'libraries-changed.csv');
    fs.writeFileSync(file, fs.readFileSync(sample('libraries'), 'utf8').replace('14250', '14400') + 'Bibliotheek Boekel,NOORD_BRABANT,Boekel,Boekel,1900,\n');
    const before = await counts();
    const result = await cli(['--poi', 'cubiss', '--entity', 'libraries', '--file', file, '--url', url, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'line 2: would update Bibliotheek Land van Cuijk (memberCount)\nline 5: would create Bibliotheek Boekel\n1 created, 1 updated, 2 unchanged (dry run: nothing written)\n',
    );
    expect(await counts()).toEqual(before);
  });

  it('bad rows: every one on stderr, exit code 1, nothing written', async () => {
    const file = path.join(tmp, 'bad-branches.csv');
    fs.writeFileSync(
      file,
      csv(
        'libraryName,name,city,postalCode,isMain',
        'Bibliotheek Land van Cuijk,Vestiging Haps,Haps,1234 5,false',
        'Bibliotheek Mill,Vestiging Mill,Mill,5451 AA,false',
      ),
    );
    const before = await counts();
    const result = await cli(['--poi', 'cubiss', '--entity', 'branches', '--file', file, '--url', url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      'line 2, column postalCode: must be a Dutch postal code like 3511 AB (got "1234 5")',
      "line 3, column libraryName: no library Bibliotheek Mill in Cubiss's database (import the libraries first)",
    ]);
    expect(result.stderr).toMatch(/2 problems in 2 rows: nothing was written/);
    expect(await counts()).toEqual(before);
  });

  it('clear errors: unknown POI or entity, missing file, unsupported file type, subgraph not running', async () => {
    // A port nobody listens on.
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const cases: [string[], RegExp][] = [
      [['--poi', 'fryslan', '--entity', 'tickets', '--file', sample('tickets')], /^Unknown POI "fryslan"\. Known: bisc, cubiss, probiblio, rijnbrink\n$/],
      [
        ['--poi', 'cubiss', '--entity', 'loans', '--file', sample('tickets')],
        /^Unknown entity "loans": use libraries, branches, contracts, tickets, knowledge, settings\n$/,
      ],
      [['--poi', 'cubiss', '--entity', 'tickets', '--file', path.join(tmp, 'nope.csv')], /^Cannot read .*nope\.csv: no such file\n$/],
      [['--poi', 'cubiss', '--entity', 'tickets', '--file', path.join(tmp, 'tickets.xlsx')], /^Unsupported file type "\.xlsx" of .*: use a \.csv file/],
      [['--poi', 'cubiss', '--entity', 'tickets'], /--poi, --entity and --file are required\nUsage: npm run import/],
      [
        ['--poi', 'cubiss', '--entity', 'tickets', '--file', sample('tickets'), '--url', `http://127.0.0.1:${closed}`],
        new RegExp(`^Import failed: The cubiss subgraph is not running at http://127\\.0\\.0\\.1:${closed}: start it with npm start`),
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(cases[i][1]);
    });
  });

  it('the route refuses what is no import', async () => {
    const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
    const authorization = `Bearer ${await sign({ subject: 'i', name: 'i', scopes: ['poi:cubiss:write'], anonymous: false }, 'cubiss')}`;
    const post = (query: string, type: string, body: string) =>
      fetch(`${url}/import?${query}`, { method: 'POST', headers: { 'content-type': type, authorization }, body });
    expect((await post('entity=loans', 'text/csv', 'a')).status).toBe(400);
    expect((await post('entity=tickets&dryRun=maybe', 'text/csv', 'a')).status).toBe(400);
    const html = await post('entity=tickets', 'text/html', '<p>');
    expect(html.status).toBe(415);
    expect(await html.json()).toEqual({ error: 'send the file as text/csv or application/json' });
    const refused = await post('entity=libraries', 'application/json', '[{"mainCity":"Bergeijk"}]');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      created: 0,
      errorCount: 4,
      errors: [
        { line: 1, column: 'name', reason: 'is required' },
        { line: 1, column: 'province', reason: 'is required' },
        { line: 1, column: 'municipalities', reason: 'must name at least one municipality' },
        { line: 1, column: 'memberCount', reason: 'is required' },
      ],
    });
  });

  const direct = loadConfig().subgraphs.find((s) => s.name === 'cubiss')!.databaseUrl;
  (direct ? it : it.skip)(
    `with CUBISS_DATABASE_URL it writes to MySQL directly, and the running subgraph serves the result${direct ? '' : ' (skipped: MySQL only, on the MariaDB run of .ci/run)'}`,
    async () => {
      const file = path.join(tmp, 'libraries.json');
      fs.writeFileSync(
        file,
        JSON.stringify([{ name: 'Bibliotheek Sint-Oedenrode', province: 'NOORD_BRABANT', municipalities: ['Meierijstad'], memberCount: 5100 }]),
      );
      const result = await cli(['--poi', 'cubiss', '--entity', 'libraries', '--file', file]);
      expect(result).toMatchObject({ code: 0, stdout: '1 created, 0 updated, 0 unchanged\n' });
      expect((await cli(['--poi', 'cubiss', '--entity', 'libraries', '--file', file])).stdout).toBe('0 created, 0 updated, 1 unchanged\n');
      const response = await stack.query(`{ cubiss { libraries(filter: { nameContains: "Sint-Oedenrode" }) { nodes { name memberCount } } } }`);
      expect(response.data.cubiss.libraries.nodes).toEqual([{ name: 'Bibliotheek Sint-Oedenrode', memberCount: 5100 }]);
    },
  );
});
