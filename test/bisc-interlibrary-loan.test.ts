// BiSC's own extension (issue 13, item 3): interlibrary-loan (IBL) transport, through the real
// gateway: lists with filters and paging, the aggregate, the write path (checks, scopes, audit,
// Idempotency-Key), its migration on SQLite, and that no other POI's type changed.
import fs from 'node:fs';
import path from 'node:path';
import { getNamedType, GraphQLType, isInputObjectType, isObjectType } from 'graphql';
import { DataSource } from 'typeorm';
import { apiSchemaOf } from '../shared/schema-changes';
import { IBL_ENTITIES } from '../subgraphs/bisc/entities';
import { BISC_MIGRATIONS } from '../subgraphs/bisc/migrations';
import { pages } from './helpers/pages';
import { postGraphQL, startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { RESPONSE_CACHE: 'off' } });
});
afterAll(async () => {
  await stack?.stop();
});

async function data(query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await stack.query(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data;
}

/** The one error of a refused request: its code and the field paths of its problems. */
async function refused(query: string, variables?: Record<string, unknown>, token?: string) {
  const response = token ? await stack.queryAs(token, query, variables) : await stack.query(query, variables);
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  return { code: error.extensions?.code, fields: ((error.extensions?.problems as { field: string }[]) ?? []).map((p) => p.field), data: response.data };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const DAY = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

/** Every page of a list, `first` at a time: the nodes in order and the totalCount of each page. */
async function walk(list: string, filter: string, fields: string, first: number): Promise<{ nodes: any[]; totals: number[] }> {
  const nodes: any[] = [];
  const totals: number[] = [];
  const page = async (after: string | null) =>
    (
      await data(
        `query Page($after: String) { bisc { interlibraryLoan { ${list}(filter: ${filter}, first: ${first}, after: $after) {
      totalCount nodes { ${fields} } pageInfo { hasNextPage endCursor } } } } }`,
        { after },
      )
    ).bisc.interlibraryLoan[list];
  for await (const connection of pages(page, { maxPages: 200 })) {
    nodes.push(...connection.nodes);
    totals.push(connection.totalCount);
  }
  return { nodes, totals };
}

const counts = async () =>
  (await data(`{ bisc { interlibraryLoan { runs { totalCount } loans { totalCount } audit { totalCount } } } }`)).bisc.interlibraryLoan;

describe('BiSC interlibrary-loan lists', () => {
  it('pages runs in a date range by day, without gaps or repeats, and agrees with pois { … on BiscPoi }', async () => {
    const from = isoDay(-60);
    const until = isoDay(-1);
    const { nodes, totals } = await walk('runs', `{ from: "${from}", until: "${until}" }`, 'id runOn status', 7);
    expect(nodes.length).toBeGreaterThan(7);
    expect(new Set(totals)).toEqual(new Set([nodes.length]));
    expect(new Set(nodes.map((r) => r.id)).size).toBe(nodes.length);
    for (const run of nodes) expect(run.runOn >= from && run.runOn <= until).toBe(true);
    const days = nodes.map((r) => r.runOn);
    expect([...days].sort()).toEqual(days);
    // The same list through the shared view.
    const { pois } = await data(
      `{ pois { code ... on BiscPoi { interlibraryLoan { runs(filter: { from: "${from}", until: "${until}" }, first: 100) { totalCount nodes { id } } } } } }`,
    );
    const bisc = pois.find((p: any) => p.code === 'BISC');
    expect(bisc.interlibraryLoan.runs.totalCount).toBe(nodes.length);
    expect(bisc.interlibraryLoan.runs.nodes.map((r: any) => r.id)).toEqual(nodes.slice(0, 100).map((r) => r.id));
    for (const other of pois.filter((p: any) => p.code !== 'BISC')) expect(other.interlibraryLoan).toBeUndefined();
  });

  it('filters runs by status and loans by status and library', async () => {
    const planned = await walk('runs', '{ status: [PLANNED] }', 'status runOn', 100);
    expect(planned.nodes.length).toBeGreaterThan(0);
    for (const run of planned.nodes) expect(run.status).toBe('PLANNED');
    const { bisc } = await data(`{ bisc { libraries(first: 1) { nodes { id branches { name } } } } }`);
    const library = bisc.libraries.nodes[0];
    const names = new Set(library.branches.map((b: any) => b.name));
    const loans = await walk(
      'loans',
      `{ status: [DELIVERED], libraryId: "${library.id}" }`,
      'status lendingBranch { name } requestingBranch { name } requestedAt',
      50,
    );
    expect(loans.nodes.length).toBeGreaterThan(0);
    for (const loan of loans.nodes) {
      expect(loan.status).toBe('DELIVERED');
      expect(names.has(loan.lendingBranch.name) || names.has(loan.requestingBranch.name)).toBe(true);
    }
    const moments = loans.nodes.map((l) => l.requestedAt);
    expect([...moments].sort().reverse()).toEqual(moments);
    const none = await data(`{ bisc { interlibraryLoan { loans(filter: { libraryId: "999999" }) { totalCount } } } }`);
    expect(none.bisc.interlibraryLoan.loans.totalCount).toBe(0);
  });

  it('refuses a page size over 100 and a cursor of another filter with BAD_USER_INPUT', async () => {
    expect((await refused(`{ bisc { interlibraryLoan { runs(first: 101) { totalCount } } } }`)).code).toBe('BAD_USER_INPUT');
    const { bisc } = await data(`{ bisc { interlibraryLoan { runs(filter: { status: [COMPLETED] }, first: 2) { pageInfo { endCursor } } } } }`);
    const cursor = bisc.interlibraryLoan.runs.pageInfo.endCursor;
    const other = await refused(
      `query($after: String) { bisc { interlibraryLoan { runs(filter: { status: [PLANNED] }, first: 2, after: $after) { totalCount nodes { id } } } } }`,
      { after: cursor },
    );
    expect(other.code).toBe('BAD_USER_INPUT');
  });

  it("batches each run's stops and branches: the statements of a page do not grow with its size (no N+1)", async () => {
    const query = (first: number) => `{ bisc { interlibraryLoan { runs(first: ${first}) { nodes { itemCount stops { sequence branch { name } } } } } } }`;
    const statements = async (first: number) => {
      const before = stack.statementCounts().bisc;
      const result = await data(query(first));
      expect(result.bisc.interlibraryLoan.runs.nodes).toHaveLength(first);
      expect(result.bisc.interlibraryLoan.runs.nodes.every((r: any) => r.stops.length >= 2 && r.stops.every((s: any) => s.branch))).toBe(true);
      return stack.statementCounts().bisc - before;
    };
    await statements(2); // warm up
    expect(await statements(50)).toBe(await statements(2));
  });
});

describe('BiSC interlibrary-loan figures', () => {
  it('counts loans per status, items moved per month and the on-time share as the lists do', async () => {
    const { bisc } = await data(`{ bisc { interlibraryLoan { stats { loansByStatus { key count } itemsMovedPerMonth(months: 60) { month count } onTimeShare }
      all: loans { totalCount } delivered: loans(filter: { status: [DELIVERED] }) { totalCount } requested: loans(filter: { status: [REQUESTED] }) { totalCount } } } }`);
    const ibl = bisc.interlibraryLoan;
    const byStatus = Object.fromEntries(ibl.stats.loansByStatus.map((k: any) => [k.key, k.count]));
    expect(Object.keys(byStatus).sort()).toEqual(['CANCELLED', 'DELIVERED', 'IN_TRANSIT', 'REQUESTED']);
    expect(sum(Object.values(byStatus) as number[])).toBe(ibl.all.totalCount);
    expect(byStatus.DELIVERED).toBe(ibl.delivered.totalCount);
    expect(byStatus.REQUESTED).toBe(ibl.requested.totalCount);
    const months = ibl.stats.itemsMovedPerMonth;
    expect(months).toHaveLength(60);
    expect(months[59].month).toBe(new Date().toISOString().slice(0, 7));
    // Every delivery of the demo data lies within the last 60 months.
    expect(sum(months.map((m: any) => m.count))).toBe(ibl.delivered.totalCount);
    const delivered = await walk('loans', '{ status: [DELIVERED] }', 'onTime deliveredAt dueOn', 100);
    const onTime = delivered.nodes.filter((l) => l.onTime).length;
    expect(onTime).toBeGreaterThan(0);
    expect(onTime).toBeLessThan(delivered.nodes.length);
    expect(ibl.stats.onTimeShare).toBeCloseTo(onTime / delivered.nodes.length, 10);
    expect((await refused(`{ bisc { interlibraryLoan { stats { itemsMovedPerMonth(months: 0) { month } } } } }`)).code).toBe('BAD_USER_INPUT');
  });
});

const REQUEST = `mutation Request($input: BiscInterlibraryLoanInput!) { bisc { requestInterlibraryLoan(input: $input) {
  id itemTitle status dueOn version lendingBranch { name } requestingBranch { name } run { id } } } }`;
const PLAN = `mutation Plan($input: BiscTransportRunInput!) { bisc { planTransportRun(input: $input) { id runOn route status stops { sequence branch { id name } plannedAt } } } }`;
const DELIVER = `mutation Deliver($id: ID!, $input: BiscDeliveryInput!) { bisc { recordDelivery(id: $id, input: $input) {
  id status deliveredAt onTime version run { id } } } }`;

async function branchIds(): Promise<{ id: string; name: string }[]> {
  const { bisc } = await data(`{ bisc { interlibraryLoan { runs(first: 1) { nodes { stops { branch { id name } } } } } } }`);
  return bisc.interlibraryLoan.runs.nodes[0].stops.map((s: any) => s.branch);
}

describe('BiSC interlibrary-loan writes', () => {
  it("requests a loan, plans a run and records the delivery, each audited in BiSC's own audit list", async () => {
    const [a, b] = await branchIds();
    const due = isoDay(10);
    const requested = (await data(REQUEST, { input: { itemTitle: ' Het Achterhuis ', lendingBranchId: a.id, requestingBranchId: b.id, dueOn: due } })).bisc
      .requestInterlibraryLoan;
    expect(requested).toMatchObject({
      itemTitle: 'Het Achterhuis',
      status: 'REQUESTED',
      dueOn: due,
      version: 1,
      lendingBranch: { name: a.name },
      requestingBranch: { name: b.name },
      run: null,
    });

    const runOn = isoDay(0);
    const run = (
      await data(PLAN, {
        input: {
          runOn,
          route: 'Test-route',
          stops: [
            { branchId: a.id, plannedAt: `${runOn}T00:00:00Z` },
            { branchId: b.id, plannedAt: `${runOn}T00:01:00Z` },
          ],
        },
      })
    ).bisc.planTransportRun;
    expect(run).toMatchObject({ runOn, route: 'Test-route', status: 'PLANNED' });
    expect(run.stops.map((s: any) => [s.sequence, s.branch.id])).toEqual([
      [1, a.id],
      [2, b.id],
    ]);

    // A delivery not yet made is refused; one just made is recorded.
    const later = new Date(Date.now() + DAY).toISOString();
    expect((await refused(DELIVER, { id: requested.id, input: { runId: run.id, deliveredAt: later, expectedVersion: 1 } })).fields).toEqual([
      'input.deliveredAt',
    ]);
    // A whole second after the request (MySQL keeps DATETIME to the second, as for every moment
    // in the kit), and not in the future: wait for the next second to begin.
    await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
    const deliveredAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const delivered = (await data(DELIVER, { id: requested.id, input: { runId: run.id, deliveredAt, expectedVersion: 1 } })).bisc.recordDelivery;
    expect(delivered).toEqual({ id: requested.id, status: 'DELIVERED', deliveredAt, onTime: true, version: 2, run: { id: run.id } });

    // A second delivery with the old version: refused, nothing changes.
    expect((await refused(DELIVER, { id: requested.id, input: { runId: run.id, deliveredAt, expectedVersion: 1 } })).code).toBe('BAD_USER_INPUT');

    const { bisc } = await data(
      `{ bisc { interlibraryLoan { audit(first: 3) { totalCount nodes { actor via entity entityId action changes { field from to } } } } } }`,
    );
    const [delivery, planned, request] = bisc.interlibraryLoan.audit.nodes;
    expect(request).toMatchObject({ entity: 'INTERLIBRARY_LOAN', entityId: requested.id, action: 'CREATE', actor: 'test-all-scopes', via: 'mutation' });
    expect(request.changes).toEqual(expect.arrayContaining([{ field: 'itemTitle', from: null, to: '"Het Achterhuis"' }]));
    expect(planned).toMatchObject({ entity: 'TRANSPORT_RUN', entityId: run.id, action: 'CREATE' });
    expect(planned.changes).toEqual(expect.arrayContaining([{ field: 'stops', from: null, to: JSON.stringify([Number(a.id), Number(b.id)]) }]));
    expect(delivery).toMatchObject({ entity: 'INTERLIBRARY_LOAN', entityId: requested.id, action: 'UPDATE' });
    expect(delivery.changes).toEqual(expect.arrayContaining([{ field: 'status', from: '"REQUESTED"', to: '"DELIVERED"' }]));
    const onlyRuns = await data(`{ bisc { interlibraryLoan { audit(entity: TRANSPORT_RUN, first: 100) { nodes { entity } } } } }`);
    expect(onlyRuns.bisc.interlibraryLoan.audit.nodes.map((n: any) => n.entity)).toEqual(['TRANSPORT_RUN']);
  });

  it("keeps the kit's audit list to the kit's own kinds of record after BiSC's writes", async () => {
    const [a, b] = await branchIds();
    await data(REQUEST, { input: { itemTitle: 'Kit audit', lendingBranchId: a.id, requestingBranchId: b.id, dueOn: isoDay(10) } });
    const response = await stack.query(`{ bisc { audit(first: 100) { totalCount nodes { entity } } } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data.bisc.audit.nodes.every((n: any) => n.entity !== 'INTERLIBRARY_LOAN')).toBe(true);
  });

  it('refuses bad input as a whole, with every field path, and writes nothing', async () => {
    const [a, b] = await branchIds();
    const before = await counts();
    const loan = await refused(REQUEST, { input: { itemTitle: ' ', lendingBranchId: 'x', requestingBranchId: '999999', dueOn: '2020-01-01' } });
    expect(loan.code).toBe('BAD_USER_INPUT');
    expect(loan.fields.sort()).toEqual(['input.dueOn', 'input.itemTitle', 'input.lendingBranchId', 'input.requestingBranchId']);
    expect((await refused(REQUEST, { input: { itemTitle: 'Boek', lendingBranchId: a.id, requestingBranchId: a.id, dueOn: isoDay(5) } })).fields).toEqual([
      'input.requestingBranchId',
    ]);

    const runOn = isoDay(4);
    const run = await refused(PLAN, {
      input: {
        runOn,
        route: '',
        stops: [
          { branchId: a.id, plannedAt: `${runOn}T09:00:00Z` },
          { branchId: a.id, plannedAt: `${runOn}T08:00:00Z` },
          { branchId: '999999', plannedAt: `${isoDay(5)}T10:00:00Z` },
        ],
      },
    });
    expect(run.code).toBe('BAD_USER_INPUT');
    expect(run.fields.sort()).toEqual([
      'input.route',
      'input.stops[1].branchId',
      'input.stops[1].plannedAt',
      'input.stops[2].branchId',
      'input.stops[2].plannedAt',
    ]);
    expect((await refused(PLAN, { input: { runOn, route: 'Kort', stops: [{ branchId: b.id, plannedAt: `${runOn}T08:00:00Z` }] } })).fields).toEqual([
      'input.stops',
    ]);

    // A delivery by a run that does not stop at the requesting branch, before the request was made.
    const { bisc } = await data(`{ bisc { interlibraryLoan { loans(filter: { status: [REQUESTED] }, first: 1) { nodes { id version requestingBranch { id } } }
      runs(filter: { status: [CANCELLED] }, first: 1) { nodes { id } } } } }`);
    const waiting = bisc.interlibraryLoan.loans.nodes[0];
    const cancelled = bisc.interlibraryLoan.runs.nodes[0];
    const delivery = await refused(DELIVER, {
      id: waiting.id,
      input: { runId: cancelled.id, deliveredAt: '2000-01-01T00:00:00Z', expectedVersion: waiting.version },
    });
    expect(delivery.fields.sort()).toEqual(['input.deliveredAt', 'input.runId']);
    expect((await refused(DELIVER, { id: '99999999', input: { runId: cancelled.id, deliveredAt: '2030-01-01T00:00:00Z', expectedVersion: 1 } })).code).toBe(
      'NOT_FOUND',
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses a stale version with CONFLICT', async () => {
    const [a, b] = await branchIds();
    const loan = (await data(REQUEST, { input: { itemTitle: 'Versie', lendingBranchId: a.id, requestingBranchId: b.id, dueOn: isoDay(10) } })).bisc
      .requestInterlibraryLoan;
    const { bisc } = await data(`{ bisc { interlibraryLoan { runs(filter: { status: [PLANNED] }, first: 100) { nodes { id stops { branch { id } } } } } } }`);
    const run = bisc.interlibraryLoan.runs.nodes.find((r: any) => r.stops.some((s: any) => s.branch.id === b.id));
    expect(run).toBeDefined();
    const result = await refused(DELIVER, { id: loan.id, input: { runId: run.id, deliveredAt: new Date().toISOString(), expectedVersion: 7 } });
    expect(result.code).toBe('CONFLICT');
  });

  it("refuses a token without BiSC's write scope (FORBIDDEN) and an anonymous caller, writing nothing", async () => {
    const [a, b] = await branchIds();
    const before = await counts();
    const input = { itemTitle: 'Niet van mij', lendingBranchId: a.id, requestingBranchId: b.id, dueOn: isoDay(10) };
    const cubissStaff = await stack.token(['network:read', 'poi:cubiss:read', 'poi:cubiss:write'], 'cubiss-staff');
    const forbidden = await refused(REQUEST, { input }, cubissStaff);
    expect(forbidden.code).toBe('FORBIDDEN');
    expect(forbidden.data).toEqual({ bisc: null });
    const anonymous = await stack.queryAs(undefined, REQUEST, { input });
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    // Reading is network:read; BiSC's own audit list needs poi:bisc:read.
    const reader = await stack.token(['network:read'], 'reader');
    const read = await stack.queryAs(reader, `{ bisc { interlibraryLoan { loans { totalCount } audit { totalCount } } } }`);
    expect(read.data?.bisc.interlibraryLoan.loans.totalCount).toBe(before.loans.totalCount);
    expect(read.data?.bisc.interlibraryLoan.audit).toBeNull();
    expect(read.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await counts()).toEqual(before);
  });

  it('answers a repeat with the same Idempotency-Key with the first result, writing once', async () => {
    const [a, b] = await branchIds();
    const before = await counts();
    const token = await stack.token(['network:read', 'poi:bisc:read', 'poi:bisc:write'], 'bisc-staff');
    const send = () =>
      postGraphQL(
        stack.gateway.url,
        REQUEST,
        { input: { itemTitle: 'Eenmaal', lendingBranchId: a.id, requestingBranchId: b.id, dueOn: isoDay(10) } },
        { authorization: `Bearer ${token}`, 'idempotency-key': 'bisc-ibl-1' },
      );
    const first = await send();
    const second = await send();
    expect(first.errors).toBeUndefined();
    expect(second).toEqual(first);
    const after = await counts();
    expect(after.loans.totalCount).toBe(before.loans.totalCount + 1);
    expect(after.audit.totalCount).toBe(before.audit.totalCount + 1);
  });
});

describe("BiSC's own tables and schema", () => {
  it('its migration runs on SQLite, builds exactly its entities, and reverts', async () => {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: IBL_ENTITIES, migrations: BISC_MIGRATIONS });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      await dataSource.undoLastMigration();
      expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE name LIKE 'bisc_%'`)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it("changes no other POI's type: only BiscPoi and BiscPoiMutations reach the Bisc types", () => {
    const schema = apiSchemaOf(fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8'));
    const bisc = schema.getType('BiscPoi');
    const cubiss = schema.getType('CubissPoi');
    if (!isObjectType(bisc) || !isObjectType(cubiss)) throw new Error('POI types missing');
    expect(Object.keys(bisc.getFields()).filter((f) => !(f in cubiss.getFields()))).toEqual(['interlibraryLoan']);
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('Bisc') || type.name.startsWith('__')) continue;
      if (!isObjectType(type) && !isInputObjectType(type)) continue;
      const fields: Record<string, { type: GraphQLType }> = type.getFields();
      for (const [name, field] of Object.entries(fields)) {
        const where = `${type.name}.${name}`;
        expect([where, getNamedType(field.type).name.startsWith('Bisc')]).toEqual([where, ['Query.bisc', 'Mutation.bisc'].includes(where)]);
      }
    }
  });

  it('runs the example operation operations/bisc-interlibrary-loan.graphql, whose figures agree with the lists', async () => {
    const text = fs.readFileSync(path.join(__dirname, '..', 'operations', 'bisc-interlibrary-loan.graphql'), 'utf8');
    const from = isoDay(-30);
    const until = isoDay(14);
    const { bisc } = await data(text, { from, until });
    const ibl = bisc.interlibraryLoan;
    const independent = await data(
      `{ bisc { interlibraryLoan { runs(filter: { from: "${from}", until: "${until}" }) { totalCount } loans(filter: { status: [REQUESTED] }) { totalCount } } } }`,
    );
    expect(ibl.runs.totalCount).toBe(independent.bisc.interlibraryLoan.runs.totalCount);
    expect(ibl.waiting.totalCount).toBe(independent.bisc.interlibraryLoan.loans.totalCount);
    for (const run of ibl.runs.nodes) expect(run.runOn >= from && run.runOn <= until).toBe(true);
    expect(ibl.stats.itemsMovedPerMonth).toHaveLength(12);
  });
});
