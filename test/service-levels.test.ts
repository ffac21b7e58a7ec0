// Service levels (DVO): an agreement's response and resolution times per priority are contract
// terms (poi:<code>:contracts), and so are a request's due moments, which reveal them; whether a
// request breached them, and the compliance per month, are readable with the request. Request
// type and the vendor's case number: filter, writes, import. The migration, on SQLite (and on
// MySQL/MariaDB when the suite runs there).
import { DataSource } from 'typeorm';
import { ContractEntity, ContractServiceLevel, ContractServiceLevelEntity, Ticket, TicketEntity, TICKET_TYPES } from '../poi-kit/entities';
import { importRows } from '../poi-kit/import';
import { ServiceLevels1796510000000 } from '../poi-kit/migrations/1796510000000-ServiceLevels';
import { POIS } from '../shared/registry';
import { postGraphQL, startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  // Figures read right after writes: no response cache in between.
  stack = await startStack({ env: { RESPONSE_CACHE: 'off' } });
});
afterAll(async () => {
  await stack?.stop();
});

const db = (poi: string): DataSource => stack.subgraphs.get(poi)!.database.dataSource;

async function data<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const response = token === undefined ? await stack.query<T>(query, variables) : await stack.queryAs<T>(token, query, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const HOUR = 3_600_000;

/** The rows behind a POI's figures, read plainly (no join, no aggregate): requests, agreements and their service levels. */
async function rows(poi: string) {
  const m = db(poi).manager;
  const [tickets, contracts, levels] = await Promise.all([m.find(TicketEntity), m.find(ContractEntity), m.find(ContractServiceLevelEntity)]);
  return { tickets, contracts, levels };
}

type Rows = Awaited<ReturnType<typeof rows>>;

/** The terms of a request, worked out in JS: its library's non-draft agreement in force on its opening day (the latest started), that agreement's level for its priority. */
function termsOf(ticket: Ticket, { contracts, levels }: Rows): ContractServiceLevel | undefined {
  const day = ticket.openedAt.toISOString().slice(0, 10);
  const inForce = contracts
    .filter((c) => c.libraryId === ticket.libraryId && c.status !== 'DRAFT' && c.startsOn <= day && c.endsOn >= day)
    .sort((a, b) => b.startsOn.localeCompare(a.startsOn) || b.id - a.id)[0];
  return inForce && levels.find((l) => l.contractId === inForce.id && l.priority === ticket.priority);
}

/** Compliance per month recounted over the rows, as PoiStats.slaCompliance defines it. */
function recount(data: Rows, months: string[], now: number, selection: { type?: string[]; priority?: string[] } = {}) {
  const perMonth = new Map(months.map((month) => [month, { due: 0, met: 0 }]));
  for (const ticket of data.tickets) {
    if (selection.type && !selection.type.includes(ticket.type)) continue;
    if (selection.priority && !selection.priority.includes(ticket.priority)) continue;
    const terms = termsOf(ticket, data);
    if (!terms) continue;
    const responseDue = ticket.openedAt.getTime() + terms.responseHours * HOUR;
    const resolutionDue = ticket.openedAt.getTime() + terms.resolutionHours * HOUR;
    if (!ticket.resolvedAt && resolutionDue >= now) continue;
    const month = perMonth.get(new Date(resolutionDue).toISOString().slice(0, 7));
    if (!month) continue;
    month.due += 1;
    const response = ticket.firstResponseAt ?? ticket.resolvedAt;
    if (response && response.getTime() <= responseDue && ticket.resolvedAt && ticket.resolvedAt.getTime() <= resolutionDue) month.met += 1;
  }
  return months.map((month) => {
    const { due, met } = perMonth.get(month)!;
    return { month, due, met, share: due === 0 ? null : met / due };
  });
}

const COMPLIANCE = `query ($months: Int, $type: [TicketType!], $priority: [TicketPriority!]) {
  pois { code stats { slaCompliance(months: $months, type: $type, priority: $priority) { month due met share } } } }`;

describe('PoiStats.slaCompliance', () => {
  it.each([
    ['every request', {}],
    ['P1 incidents', { type: ['INCIDENT'], priority: ['P1'] }],
    ['questions and change requests of P3 or P4', { type: ['QUESTION', 'CHANGE_REQUEST'], priority: ['P3', 'P4'] }],
  ])("equals a recount over each POI's requests: %s", async (_, selection) => {
    const before = Date.now();
    const { pois } = await data(COMPLIANCE, { months: 24, ...selection });
    const after = Date.now();
    let counted = 0;
    let met = 0;
    for (const poi of POIS) {
      const served = pois.find((p: any) => p.code === poi.code).stats.slaCompliance;
      expect(served).toHaveLength(24);
      const months = served.map((m: any) => m.month);
      // Oldest first, consecutive, ending with this month.
      expect(months[23]).toBe(new Date(after).toISOString().slice(0, 7));
      expect([...months].sort()).toEqual(months);
      const data = await rows(poi.subgraphName);
      // A request falling due between the two moments may count on either side of the request.
      const expected = [recount(data, months, before, selection), recount(data, months, after, selection)];
      expect(expected).toContainEqual(served);
      counted += served.reduce((sum: number, m: any) => sum + m.due, 0);
      met += served.reduce((sum: number, m: any) => sum + m.met, 0);
    }
    // Some met, some did not: the recount is not compared over nothing.
    expect(counted).toBeGreaterThan(met);
    expect(met).toBeGreaterThan(0);
  });

  it('refuses a number of months outside 1 to 60', async () => {
    const response = await stack.query(`{ cubiss { stats { slaCompliance(months: 61) { month } } } }`);
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

const TICKETS = `{ cubiss { tickets(first: 100, orderBy: { field: OPENED_AT, direction: ASC }) { nodes {
  id openedAt resolvedAt firstResponseAt priority type vendorCaseReference slaBreached
  serviceLevel { responseDueAt resolutionDueAt } } } } }`;

describe("a request's due moments and slaBreached", () => {
  it('follow the terms of the agreement in force when it was opened', async () => {
    const { cubiss } = await data(TICKETS);
    const data_ = await rows('cubiss');
    const now = Date.now();
    let withTerms = 0;
    for (const node of cubiss.tickets.nodes) {
      const ticket = data_.tickets.find((t) => t.id === Number(node.id))!;
      const terms = termsOf(ticket, data_);
      if (!terms) {
        expect({ id: node.id, serviceLevel: node.serviceLevel, slaBreached: node.slaBreached }).toEqual({ id: node.id, serviceLevel: null, slaBreached: null });
        continue;
      }
      withTerms += 1;
      const responseDue = ticket.openedAt.getTime() + terms.responseHours * HOUR;
      const resolutionDue = ticket.openedAt.getTime() + terms.resolutionHours * HOUR;
      expect(Date.parse(node.serviceLevel.responseDueAt)).toBe(responseDue);
      expect(Date.parse(node.serviceLevel.resolutionDueAt)).toBe(resolutionDue);
      const response = (ticket.firstResponseAt ?? ticket.resolvedAt)?.getTime() ?? now;
      const resolution = ticket.resolvedAt?.getTime() ?? now;
      expect(node.slaBreached).toBe(response > responseDue || resolution > resolutionDue);
    }
    expect(withTerms).toBeGreaterThan(50);
    // Both outcomes occur among them.
    expect(cubiss.tickets.nodes.map((n: any) => n.slaBreached)).toEqual(expect.arrayContaining([true, false]));
  });

  it('due moments and terms need the contracts scope; slaBreached and compliance only the read scope', async () => {
    const reader = await stack.token(['network:read']);
    const response = await stack.queryAs(
      reader,
      `{ cubiss {
      tickets(first: 5) { nodes { id slaBreached serviceLevel { responseDueAt resolutionDueAt } } }
      contracts(first: 1) { nodes { id serviceLevels { priority responseHours resolutionHours } } }
      stats { slaCompliance(months: 3) { month due met share } } } }`,
    );
    const paths = (response.errors ?? []).map((e) => ({ path: e.path?.filter((p) => typeof p === 'string').join('.'), code: e.extensions?.code }));
    expect(new Set(paths.map((p) => `${p.path} ${p.code}`))).toEqual(
      new Set([
        'cubiss.tickets.nodes.serviceLevel.responseDueAt FORBIDDEN',
        'cubiss.tickets.nodes.serviceLevel.resolutionDueAt FORBIDDEN',
        'cubiss.contracts.nodes.serviceLevels FORBIDDEN',
      ]),
    );
    const cubiss = response.data!.cubiss;
    for (const node of cubiss.tickets.nodes) {
      expect(typeof node.slaBreached === 'boolean' || node.slaBreached === null).toBe(true);
      if (node.serviceLevel) expect(node.serviceLevel).toEqual({ responseDueAt: null, resolutionDueAt: null });
    }
    expect(cubiss.contracts.nodes[0].serviceLevels).toBeNull();
    expect(cubiss.stats.slaCompliance).toHaveLength(3);

    // Another POI's contracts scope is not enough; Cubiss's own is.
    const bisc = await stack.token(['network:read', 'poi:bisc:contracts']);
    const other = await stack.queryAs(bisc, `{ cubiss { tickets(first: 1) { nodes { serviceLevel { responseDueAt } } } } }`);
    expect(other.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const own = await stack.token(['network:read', 'poi:cubiss:contracts']);
    const allowed = await data(
      `{ cubiss { contracts(first: 1, filter: { status: ACTIVE }) { nodes { serviceLevels { priority responseHours resolutionHours } } } } }`,
      undefined,
      own,
    );
    expect(allowed.cubiss.contracts.nodes[0].serviceLevels.map((l: any) => l.priority)).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it("network lists serve them per owner, under each owner's scope", async () => {
    const token = await stack.token(['network:read', 'poi:bisc:read', 'poi:bisc:contracts']);
    const response = await stack.queryAs(
      token,
      `{ network { tickets(first: 40, filter: { priority: [P1] }) { nodes { poi { code } slaBreached serviceLevel { responseDueAt } } } } }`,
    );
    const nodes = response.data!.network.tickets.nodes;
    const bisc = nodes.filter((n: any) => n.poi.code === 'BISC' && n.serviceLevel);
    const others = nodes.filter((n: any) => n.poi.code !== 'BISC' && n.serviceLevel);
    expect(bisc.length + others.length).toBeGreaterThan(0);
    for (const node of bisc) expect(typeof node.serviceLevel.responseDueAt).toBe('string');
    for (const node of others) expect(node.serviceLevel.responseDueAt).toBeNull();
    expect((response.errors ?? []).every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  });
});

describe("request type and the vendor's case number", () => {
  it("filter by type: every item has it, and the count is the database's", async () => {
    const { cubiss } = await data(`{ cubiss { questions: tickets(filter: { type: [QUESTION] }, first: 100) { totalCount nodes { type } }
      changes: tickets(filter: { type: [CHANGE_REQUEST, INCIDENT] }) { totalCount } all: tickets { totalCount } } }`);
    const [{ count }] = await db('cubiss').query(`SELECT COUNT(*) AS count FROM ticket WHERE type = 'QUESTION'`);
    expect(cubiss.questions.totalCount).toBe(Number(count));
    expect(cubiss.questions.totalCount).toBeGreaterThan(0);
    expect(cubiss.questions.nodes.every((n: any) => n.type === 'QUESTION')).toBe(true);
    expect(cubiss.questions.totalCount + cubiss.changes.totalCount).toBe(cubiss.all.totalCount);
  });

  it('createTicket and updateTicket take them, validated and audited; the first response is recorded once', async () => {
    const {
      cubiss: { libraries },
    } = await data(`{ cubiss { libraries(first: 1) { nodes { id } } } }`);
    const libraryId = libraries.nodes[0].id;
    const created = await data(
      `mutation ($input: TicketInput!) { cubiss { createTicket(input: $input) { id type vendorCaseReference firstResponseAt version } } }`,
      {
        input: {
          libraryId,
          title: 'Koppeling met RFID valt uit',
          category: 'INTERFACES',
          priority: 'P1',
          type: 'INCIDENT',
          vendorCaseReference: 'OCLC-778812',
        },
      },
    );
    const ticket = created.cubiss.createTicket;
    expect(ticket).toMatchObject({ type: 'INCIDENT', vendorCaseReference: 'OCLC-778812', firstResponseAt: null });

    const bad = await stack.query(`mutation ($id: ID!, $input: TicketUpdateInput!) { cubiss { updateTicket(id: $id, input: $input) { id } } }`, {
      id: ticket.id,
      input: { vendorCaseReference: ' \u0007bell', expectedVersion: ticket.version },
    });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'input.vendorCaseReference' }] });
    const tooLong = await stack.query(`mutation ($input: TicketInput!) { cubiss { createTicket(input: $input) { id } } }`, {
      input: { libraryId, title: 'x', category: 'FINES', priority: 'P4', vendorCaseReference: 'X'.repeat(61) },
    });
    expect(tooLong.errors?.[0].extensions?.problems).toEqual([{ field: 'input.vendorCaseReference', message: 'must be at most 60 characters' }]);

    const assigned = await data(
      `mutation ($id: ID!, $v: Int!) { cubiss { assignTicket(id: $id, input: { assignee: "Sanne", expectedVersion: $v }) { firstResponseAt version } } }`,
      { id: ticket.id, v: ticket.version },
    );
    const firstResponseAt = assigned.cubiss.assignTicket.firstResponseAt;
    expect(typeof firstResponseAt).toBe('string');
    const updated = await data(
      `mutation ($id: ID!, $input: TicketUpdateInput!) { cubiss { updateTicket(id: $id, input: $input) { type vendorCaseReference firstResponseAt status } } }`,
      { id: ticket.id, input: { type: 'CHANGE_REQUEST', vendorCaseReference: null, status: 'WAITING', expectedVersion: assigned.cubiss.assignTicket.version } },
    );
    expect(updated.cubiss.updateTicket).toEqual({ type: 'CHANGE_REQUEST', vendorCaseReference: null, firstResponseAt, status: 'WAITING' });

    const {
      cubiss: { audit },
    } = await data(`{ cubiss { audit(entity: TICKET, first: 3) { nodes { entityId action changes { field from to } } } } }`);
    const last = audit.nodes[0];
    expect(last.entityId).toBe(ticket.id);
    expect(last.changes).toEqual(
      expect.arrayContaining([
        { field: 'type', from: '"INCIDENT"', to: '"CHANGE_REQUEST"' },
        { field: 'vendorCaseReference', from: '"OCLC-778812"', to: null },
      ]),
    );
  });

  it('a repeated keyed write answers the same due moments and slaBreached (its recorded ticket comes back from JSON)', async () => {
    const token = await stack.token(['network:read', 'poi:cubiss:read', 'poi:cubiss:write', 'poi:cubiss:contracts'], 'sla-retry');
    const [{ id: libraryId }] = await db('cubiss').query(
      `SELECT c.library_id AS id FROM contract c JOIN contract_service_level s ON s.contract_id = c.id WHERE c.status = 'ACTIVE' AND s.priority = 'P2' ORDER BY c.id LIMIT 1`,
    );
    const create = () =>
      postGraphQL(
        stack.gateway.url,
        `mutation Retry($input: TicketInput!) { cubiss { createTicket(input: $input) { id openedAt slaBreached serviceLevel { responseDueAt resolutionDueAt } } } }`,
        { input: { libraryId: String(libraryId), title: 'Herhaald verzoek', category: 'FINES', priority: 'P2' } },
        { authorization: `Bearer ${token}`, 'idempotency-key': 'sla-retry-1' },
      );
    const first = await create();
    expect(first.errors).toBeUndefined();
    expect(first.data.cubiss.createTicket).toMatchObject({ slaBreached: false, serviceLevel: { responseDueAt: expect.any(String) } });
    const again = await create();
    expect(again).toEqual(first);
  });

  it('the tickets import takes the optional columns type, vendorCaseReference and firstResponseAt', async () => {
    const cubiss = POIS.find((p) => p.code === 'CUBISS')!;
    const [library] = await db('cubiss').query(`SELECT name AS code FROM library WHERE status = 'ACTIVE' AND name NOT LIKE '%,%' ORDER BY id LIMIT 1`);
    const run = (content: string) =>
      importRows(db('cubiss'), cubiss, { entity: 'tickets', format: 'csv', content, actor: { name: 'import:test', via: 'import' } });
    const header = 'reference,libraryName,title,category,priority,status,openedAt,resolvedAt,type,vendorCaseReference,firstResponseAt';
    const refused = await run(
      `${header}\nEXT-1,${library.code},Storing,CIRCULATION,P2,OPEN,2026-03-01T09:00:00Z,,WISH,,\nEXT-2,${library.code},Storing,CIRCULATION,P2,IN_PROGRESS,2026-03-01T09:00:00Z,,INCIDENT,OCLC 1,2026-03-01T08:00:00Z\n` +
        `EXT-3,${library.code},Storing,CIRCULATION,P2,CLOSED,2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,INCIDENT,-bad,2026-03-01T11:00:00Z\n`,
    );
    expect(refused.errors.map((e) => `${e.line} ${e.column}`)).toEqual(['2 type', '3 firstResponseAt', '4 vendorCaseReference', '4 firstResponseAt']);
    const result = await run(
      `${header}\nEXT-1,${library.code},Storing,CIRCULATION,P2,CLOSED,2026-03-01T09:00:00Z,2026-03-01T15:00:00Z,QUESTION,OCLC-1,2026-03-01T09:30:00Z\nEXT-2,${library.code},Vraag,CIRCULATION,P3,OPEN,2026-03-02T09:00:00Z,,,,\n`,
    );
    expect(result.errors).toEqual([]);
    const imported = await db('cubiss').manager.find(TicketEntity, { where: [{ reference: 'EXT-1' }, { reference: 'EXT-2' }], order: { reference: 'ASC' } });
    expect(imported.map((t) => [t.type, t.vendorCaseReference, t.firstResponseAt?.toISOString() ?? null])).toEqual([
      ['QUESTION', 'OCLC-1', '2026-03-01T09:30:00.000Z'],
      ['INCIDENT', null, null],
    ]);
    expect(TICKET_TYPES).toContain(imported[1].type);
  });
});

describe("an agreement's service levels", () => {
  it('createContract takes them, validated; the audit trail shows them only with the contracts scope', async () => {
    const { cubiss } = await data(`{ cubiss { libraries(first: 1, filter: { hasActiveContract: true }) { nodes { id } } } }`);
    const create = (serviceLevels: unknown[]) =>
      stack.query(
        `mutation ($input: ContractInput!) { cubiss { createContract(input: $input) { id serviceLevels { priority responseHours resolutionHours } } } }`,
        {
          input: {
            libraryId: cubiss.libraries.nodes[0].id,
            services: ['HELPDESK'],
            startsOn: '2031-01-01',
            endsOn: '2033-12-31',
            annualFee: 1000,
            noticePeriodMonths: 6,
            status: 'DRAFT',
            serviceLevels,
          },
        },
      );
    const bad = await create([
      { priority: 'P1', responseHours: 0, resolutionHours: 8 },
      { priority: 'P1', responseHours: 10, resolutionHours: 8 },
    ]);
    expect(bad.errors?.[0].extensions?.problems).toEqual([
      { field: 'input.serviceLevels[0].responseHours', message: 'must be a whole number from 1 to 8760' },
      { field: 'input.serviceLevels[1].resolutionHours', message: 'must not be less than responseHours' },
      { field: 'input.serviceLevels', message: 'must not name a priority twice' },
    ]);
    const levels = [
      { priority: 'P1', responseHours: 1, resolutionHours: 8 },
      { priority: 'P2', responseHours: 4, resolutionHours: 48 },
    ];
    const created = await create(levels);
    expect(created.errors).toBeUndefined();
    const id = created.data.cubiss.createContract.id;
    expect(created.data.cubiss.createContract.serviceLevels).toEqual(levels);
    expect(await db('cubiss').manager.countBy(ContractServiceLevelEntity, { contractId: Number(id) })).toBe(2);

    const auditQuery = `{ cubiss { audit(entity: CONTRACT, first: 1) { nodes { entityId changes { field to } } } } }`;
    const full = await data(auditQuery);
    expect(full.cubiss.audit.nodes[0].entityId).toBe(id);
    expect(JSON.parse(full.cubiss.audit.nodes[0].changes.find((c: any) => c.field === 'serviceLevels').to)).toEqual(levels);
    const readOnly = await stack.queryAs(await stack.token(['poi:cubiss:read']), auditQuery);
    expect(readOnly.data.cubiss.audit.nodes[0].changes.find((c: any) => c.field === 'serviceLevels').to).toBeNull();
    expect(readOnly.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  });
});

describe('the ServiceLevels migration', () => {
  it('runs on SQLite over the tables before it, keeps their rows (as INCIDENTs), and reverts', async () => {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', migrations: [ServiceLevels1796510000000] });
    await dataSource.initialize();
    try {
      await dataSource.query(`CREATE TABLE contract (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, library_id integer NOT NULL, starts_on date NOT NULL)`);
      await dataSource.query(`CREATE TABLE ticket (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, library_id integer NOT NULL, title varchar(300) NOT NULL)`);
      await dataSource.query(`INSERT INTO ticket (library_id, title) VALUES (1, 'Bestaande melding')`);
      await dataSource.runMigrations();
      expect(await dataSource.query(`SELECT title, type, vendor_case_reference AS ref, first_response_at AS responded FROM ticket`)).toEqual([
        { title: 'Bestaande melding', type: 'INCIDENT', ref: null, responded: null },
      ]);
      await dataSource.query(`INSERT INTO contract (library_id, starts_on) VALUES (1, '2026-01-01')`);
      await dataSource.query(`INSERT INTO contract_service_level (contract_id, priority, response_hours, resolution_hours) VALUES (1, 'P1', 1, 8)`);
      await expect(
        dataSource.query(`INSERT INTO contract_service_level (contract_id, priority, response_hours, resolution_hours) VALUES (1, 'P1', 2, 9)`),
      ).rejects.toThrow();
      await dataSource.undoLastMigration();
      expect((await dataSource.query(`PRAGMA table_info(ticket)`)).map((c: any) => c.name)).toEqual(['id', 'library_id', 'title']);
      expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE name = 'contract_service_level'`)).toEqual([]);
      expect(await dataSource.query(`SELECT title FROM ticket`)).toEqual([{ title: 'Bestaande melding' }]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('leaves the database matching the entities (on MySQL/MariaDB, where migrations build it)', async () => {
    const dataSource = db('cubiss');
    if (dataSource.options.type !== 'mysql') return;
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    // TypeORM re-declares every nullable column on MariaDB (which reports it as DEFAULT NULL), the older ones (main_city, assignee) too: not a difference.
    const redeclared = /^ALTER TABLE `\w+` CHANGE `(\w+)` `\1` [\w()]+ NULL$/;
    const ours = upQueries
      .map((q) => q.query)
      .filter((q) => !redeclared.test(q) && /contract_service_level|first_response_at|vendor_case_reference|`type`|idx_ticket_type/.test(q));
    expect(ours).toEqual([]);
  });
});
