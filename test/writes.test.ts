import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway } from '../gateway/src/gateway';
import { createLogger } from '../shared/logger';
import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../shared/idempotency';
import { IdempotencyKeys1796170000000 } from '../poi-kit/migrations/1796170000000-IdempotencyKeys';
import { IdempotencyKeys1796170000001 } from '../subgraphs/collaboration/migrations/1796170000001-IdempotencyKeys';
import { postGraphQL, startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function ok(query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await stack.query(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data;
}

/** The problems of a refused write: [field, message] pairs. */
async function refused(query: string, variables?: Record<string, unknown>): Promise<{ code: string; fields: string[]; message: string }> {
  const response = await stack.query(query, variables);
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  const problems = (error.extensions?.problems as { field: string }[] | undefined) ?? [];
  return { code: error.extensions?.code as string, fields: problems.map((p) => p.field), message: error.message };
}

const counts = () =>
  ok(`{ cubiss { libraries { totalCount } contracts { totalCount } tickets { totalCount } knowledgeArticles { totalCount } audit { totalCount } } }`);

const UPSERT = `mutation Upsert($input: LibraryInput!) { cubiss { upsertLibrary(input: $input) {
  id name version memberCount wisePlatform { code name } branches { name postalCode isMain } } } }`;

const library = (overrides: Record<string, unknown> = {}) => ({
  name: 'Bibliotheek Test',
  province: 'LIMBURG',
  municipalities: ['Roermond'],
  mainCity: 'Roermond',
  memberCount: 1200,
  branches: [
    { name: 'Hoofdvestiging Roermond', city: 'Roermond', postalCode: '6041ab', isMain: true },
    { name: 'Vestiging Swalmen', city: 'Swalmen', postalCode: '6071 BC', isMain: false },
  ],
  ...overrides,
});

describe('validation: bad input is refused with the field paths, and nothing changes', () => {
  it('lists every problem of a library at once', async () => {
    const before = await counts();
    const result = await refused(UPSERT, {
      input: library({
        province: 'UTRECHT',
        memberCount: -5,
        municipalities: [],
        branches: [
          { name: 'A', city: 'X', postalCode: '0123 AB', isMain: false },
          { name: 'A', city: 'X', postalCode: '6041 AB', isMain: false },
        ],
      }),
    });
    expect(result.code).toBe('BAD_USER_INPUT');
    expect(result.fields).toEqual(
      expect.arrayContaining(['input.province', 'input.memberCount', 'input.municipalities', 'input.branches[0].postalCode', 'input.branches']),
    );
    expect(await counts()).toEqual(before);
  });

  it('checks contracts: dates in order, non-negative fee, the library exists in this POI, one ACTIVE agreement', async () => {
    const before = await counts();
    const CREATE = `mutation Create($input: ContractInput!) { cubiss { createContract(input: $input) { id } } }`;
    const base = {
      libraryId: '1',
      services: ['HELPDESK'],
      startsOn: '2027-01-01',
      endsOn: '2029-12-31',
      annualFee: 1000,
      noticePeriodMonths: 6,
      status: 'DRAFT',
    };
    expect((await refused(CREATE, { input: { ...base, endsOn: '2026-12-31' } })).fields).toEqual(['input.endsOn']);
    expect((await refused(CREATE, { input: { ...base, annualFee: -1 } })).fields).toEqual(['input.annualFee']);
    expect((await refused(CREATE, { input: { ...base, annualFee: 10.005 } })).fields).toEqual(['input.annualFee']);
    expect((await refused(CREATE, { input: { ...base, libraryId: '99999' } })).fields).toEqual(['input.libraryId']);
    expect((await refused(CREATE, { input: { ...base, libraryId: 'abc' } })).fields).toEqual(['input.libraryId']);
    expect((await refused(CREATE, { input: { ...base, status: 'ACTIVE' } })).fields).toEqual(['input.status']);
    const badEnum = await stack.query(CREATE, { input: { ...base, services: ['WINDOW_CLEANING'] } });
    expect(badEnum.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });

  it('checks tickets and articles', async () => {
    const before = await counts();
    const ticket = await refused(
      `mutation { cubiss { createTicket(input: { libraryId: "1", title: " ", category: FINES, priority: P2, agendaItemId: "nope" }) { id } } }`,
    );
    expect(ticket.fields.sort()).toEqual(['input.agendaItemId', 'input.title']);
    const article = await refused(
      `mutation { cubiss { createKnowledgeArticle(input: { title: "${'x'.repeat(301)}", summary: "s", body: "b", tags: [""], source: "eKIC" }) { id } } }`,
    );
    expect(article.fields.sort()).toEqual(['input.tags[0]', 'input.title']);
    const missing = await refused(`mutation { cubiss { resolveTicket(id: "999999", input: { expectedVersion: 1 }) { id } } }`);
    expect(missing.code).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });
});

describe('writes', () => {
  it('creates a library with branches, then updates it by its name (the natural key) with the version it read', async () => {
    const created = (await ok(UPSERT, { input: library() })).cubiss.upsertLibrary;
    // No platform given: Cubiss's default (registry.json), resolved by the collaboration.
    expect(created).toMatchObject({ name: 'Bibliotheek Test', version: 1, memberCount: 1200, wisePlatform: { code: 'MIDDEN-ZUID', name: 'Midden-Zuid' } });
    expect(created.branches).toEqual([
      { name: 'Hoofdvestiging Roermond', postalCode: '6041 AB', isMain: true },
      { name: 'Vestiging Swalmen', postalCode: '6071 BC', isMain: false },
    ]);
    const withoutVersion = await refused(UPSERT, { input: library({ memberCount: 1300 }) });
    expect(withoutVersion.fields).toEqual(['input.expectedVersion']);
    const badPlatform = await refused(UPSERT, { input: library({ wisePlatform: 'midden zuid', expectedVersion: 1 }) });
    expect(badPlatform.fields).toEqual(['input.wisePlatform']);
    // The same name in another case is the same library (MySQL compares names case-insensitively; the embedded database exactly).
    const updated = (
      await ok(UPSERT, { input: library({ memberCount: 1300, wisePlatform: 'BICATWISE', expectedVersion: 1, branches: [library().branches[0]] }) })
    ).cubiss.upsertLibrary;
    expect(updated).toMatchObject({
      id: created.id,
      name: 'Bibliotheek Test',
      version: 2,
      memberCount: 1300,
      wisePlatform: { code: 'BICATWISE', name: 'BicatWise' },
    });
    expect(updated.branches.map((b: any) => b.name)).toEqual(['Hoofdvestiging Roermond']);
    const { cubiss } = await ok(`{ cubiss { audit(entity: LIBRARY, first: 5) { nodes { entityId action actor via changes { field from to } } } } }`);
    expect(cubiss.audit.nodes[0]).toEqual({
      entityId: created.id,
      action: 'UPDATE',
      actor: 'test-all-scopes', // the verified identity the gateway forwarded
      via: 'mutation',
      changes: [
        { field: 'memberCount', from: '1200', to: '1300' },
        { field: 'wisePlatformCode', from: null, to: '"BICATWISE"' },
      ],
    });
    expect(cubiss.audit.nodes[1]).toMatchObject({ entityId: created.id, action: 'CREATE' });
    // Left out, the platform stays; null puts the library back on its POI's default.
    const kept = (await ok(UPSERT, { input: library({ memberCount: 1310, expectedVersion: 2, branches: undefined }) })).cubiss.upsertLibrary;
    expect(kept.wisePlatform.code).toBe('BICATWISE');
    const reset = (await ok(UPSERT, { input: library({ wisePlatform: null, memberCount: 1310, expectedVersion: 3, branches: undefined }) })).cubiss
      .upsertLibrary;
    expect(reset).toMatchObject({ version: 4, wisePlatform: { code: 'MIDDEN-ZUID' } });
  });

  it('renews and terminates a contract, refusing a stale version', async () => {
    const { cubiss } = await ok(`{ cubiss { contracts(filter: { status: ACTIVE }, first: 1) { nodes { id endsOn startsOn version } } } }`);
    const contract = cubiss.contracts.nodes[0];
    const RENEW = `mutation Renew($id: ID!, $input: RenewContractInput!) { cubiss { renewContract(id: $id, input: $input) { endsOn annualFee status version } } }`;
    const later = `${Number(contract.endsOn.slice(0, 4)) + 3}${contract.endsOn.slice(4)}`;
    expect((await refused(RENEW, { id: contract.id, input: { endsOn: contract.startsOn, expectedVersion: contract.version } })).fields).toEqual([
      'input.endsOn',
    ]);
    const renewed = (await ok(RENEW, { id: contract.id, input: { endsOn: later, annualFee: 12345.5, expectedVersion: contract.version } })).cubiss
      .renewContract;
    expect(renewed).toEqual({ endsOn: later, annualFee: 12345.5, status: 'ACTIVE', version: contract.version + 1 });
    const stale = await refused(RENEW, {
      id: contract.id,
      input: { endsOn: `${Number(later.slice(0, 4)) + 1}${later.slice(4)}`, expectedVersion: contract.version },
    });
    expect(stale.code).toBe('CONFLICT');
    const TERMINATE = `mutation End($id: ID!, $input: TerminateContractInput!) { cubiss { terminateContract(id: $id, input: $input) { status endsOn version } } }`;
    const ended = (await ok(TERMINATE, { id: contract.id, input: { endsOn: later, expectedVersion: renewed.version } })).cubiss.terminateContract;
    expect(ended).toEqual({ status: 'TERMINATED', endsOn: later, version: renewed.version + 1 });
  });

  it('opens, assigns and resolves a ticket', async () => {
    const created = (
      await ok(`mutation { cubiss { createTicket(input: { libraryId: "2", title: "Zelfbediening weigert pas", category: CIRCULATION, priority: P1 }) {
      id reference status version openedAt resolvedAt library { id } } } }`)
    ).cubiss.createTicket;
    expect(created).toMatchObject({ status: 'OPEN', version: 1, resolvedAt: null, library: { id: '2' } });
    expect(created.reference).toMatch(/^CUBI-\d{6}$/);
    const assigned = (
      await ok(`mutation { cubiss { assignTicket(id: "${created.id}", input: { assignee: "Sanne", expectedVersion: 1 }) { status assignee version } } }`)
    ).cubiss.assignTicket;
    expect(assigned).toEqual({ status: 'IN_PROGRESS', assignee: 'Sanne', version: 2 });
    const resolved = (await ok(`mutation { cubiss { resolveTicket(id: "${created.id}", input: { expectedVersion: 2 }) { status resolvedAt version } } }`))
      .cubiss.resolveTicket;
    expect(resolved.status).toBe('RESOLVED');
    expect(Date.parse(resolved.resolvedAt)).toBeGreaterThanOrEqual(Date.parse(created.openedAt));
    const reopened = (
      await ok(
        `mutation { cubiss { updateTicket(id: "${created.id}", input: { status: WAITING, priority: P2, expectedVersion: 3 }) { status priority resolvedAt } } }`,
      )
    ).cubiss.updateTicket;
    expect(reopened).toEqual({ status: 'WAITING', priority: 'P2', resolvedAt: null });
  });

  it('creates and updates a knowledge article, searchable at once', async () => {
    const created = (
      await ok(`mutation { cubiss { createKnowledgeArticle(input: { title: "Zelfbedieningspassen blokkeren", summary: "Wat te doen als passen geweigerd worden.",
      body: "Controleer de blokkadecodes in het lenersdossier.", tags: ["uitlening", "zelfbediening"], source: "eKIC" }) { id version } } }`)
    ).cubiss.createKnowledgeArticle;
    const found = await ok(`{ cubiss { knowledgeArticles(search: "blokkadecodes") { nodes { id } } } }`);
    expect(found.cubiss.knowledgeArticles.nodes).toEqual([{ id: created.id }]);
    const duplicate = await refused(
      `mutation { cubiss { createKnowledgeArticle(input: { title: "Zelfbedieningspassen blokkeren", summary: "s", body: "b", tags: [], source: "eKIC" }) { id } } }`,
    );
    expect(duplicate.fields).toEqual(['input.title']);
    const updated = (
      await ok(
        `mutation { cubiss { updateKnowledgeArticle(id: "${created.id}", input: { body: "Controleer de pasblokkades.", expectedVersion: 1 }) { body version } } }`,
      )
    ).cubiss.updateKnowledgeArticle;
    expect(updated).toEqual({ body: 'Controleer de pasblokkades.', version: 2 });
    const after = await ok(`{ cubiss { knowledgeArticles(search: "blokkadecodes") { totalCount } } }`);
    expect(after.cubiss.knowledgeArticles.totalCount).toBe(0);
  });

  it('lets exactly one of two concurrent updates of the same version win', async () => {
    const { cubiss } = await ok(`{ cubiss { tickets(filter: { status: [OPEN] }, first: 1) { nodes { id version } } } }`);
    const ticket = cubiss.tickets.nodes[0];
    const update = (title: string) =>
      stack.query(
        `mutation { cubiss { updateTicket(id: "${ticket.id}", input: { title: "${title}", expectedVersion: ${ticket.version} }) { title version } } }`,
      );
    const results = await Promise.all([update('Eerste wijziging'), update('Tweede wijziging')]);
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].errors![0].extensions?.code).toBe('CONFLICT');
    const { cubiss: now } = await ok(`{ cubiss { tickets(filter: { status: [OPEN] }, first: 100) { nodes { id title version } } } }`);
    const current = now.tickets.nodes.find((t: any) => t.id === ticket.id);
    expect(current).toEqual({ id: ticket.id, title: winners[0].data.cubiss.updateTicket.title, version: ticket.version + 1 });
  });

  it('keeps writes of one POI away from the others', async () => {
    const before = await ok(`{ bisc { audit { totalCount } } }`);
    expect(before.bisc.audit.totalCount).toBe(0);
    const foreign = await refused(`mutation { bisc { createTicket(input: { libraryId: "999", title: "t", category: FINES, priority: P3 }) { id } } }`);
    expect(foreign.fields).toEqual(['input.libraryId']);
  });
});

describe('work-agenda writes in the collaboration subgraph', () => {
  const CREATE = `mutation Create($input: WorkAgendaItemInput!) { collaboration { createWorkAgendaItem(input: $input) {
    id status version owner { code libraries { totalCount } } participants { code } goal { code } } } }`;
  const UPDATE = `mutation Update($id: ID!, $input: WorkAgendaItemUpdateInput!) { collaboration { updateWorkAgendaItem(id: $id, input: $input) {
    status dueOn version participants { code } } } }`;
  const item = {
    id: 'WA-2026-09',
    title: 'Gezamenlijke inkoop RFID-poortjes',
    description: 'Eén aanbesteding voor alle partners.',
    theme: 'INNOVATION',
    ownerCode: 'bisc',
    participantCodes: ['RIJNBRINK'],
    goalCode: 'NA-5',
  };

  it('validates, creates with the owner among the participants, updates with the version, and audits', async () => {
    const bad = await refused(CREATE, { input: { ...item, id: 'x', ownerCode: 'NOPE', participantCodes: ['ATLANTIS'] } });
    expect(bad.fields.sort()).toEqual(['input.id', 'input.ownerCode', 'input.participantCodes[0]']);
    const impossibleDay = await stack.query(CREATE, { input: { ...item, dueOn: '2026-02-30' } });
    expect(impossibleDay.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(impossibleDay.errors?.[0].message).toContain('2026-02-30');
    const noGoal = await refused(CREATE, { input: { ...item, goalCode: 'NA-99' } });
    expect(noGoal.fields).toEqual(['input.goalCode']);

    const created = (await ok(CREATE, { input: item })).collaboration.createWorkAgendaItem;
    expect(created).toMatchObject({ id: 'WA-2026-09', status: 'PLANNED', version: 1, owner: { code: 'BISC' }, goal: { code: 'NA-5' } });
    expect(created.owner.libraries.totalCount).toBeGreaterThan(0);
    expect(created.participants.map((p: any) => p.code)).toEqual(['BISC', 'RIJNBRINK']);

    const updated = (await ok(UPDATE, { id: item.id, input: { status: 'IN_PROGRESS', dueOn: '2027-06-30', participantCodes: ['CUBISS'], expectedVersion: 1 } }))
      .collaboration.updateWorkAgendaItem;
    expect(updated).toEqual({ status: 'IN_PROGRESS', dueOn: '2027-06-30', version: 2, participants: [{ code: 'BISC' }, { code: 'CUBISS' }] });
    const stale = await refused(UPDATE, { id: item.id, input: { status: 'DONE', expectedVersion: 1 } });
    expect(stale.code).toBe('CONFLICT');
    const { workAgendaItem } = await ok(`{ workAgendaItem(id: "WA-2026-09") { status version } }`);
    expect(workAgendaItem).toEqual({ status: 'IN_PROGRESS', version: 2 });
  });
});

describe('several writes in one request (issue 18)', () => {
  const ticket = (title: string, libraryId = '1') =>
    `createTicket(input: { libraryId: "${libraryId}", title: "${title}", category: CIRCULATION, priority: P3 }) { id reference title }`;

  it('commits two writes of one POI side by side on the embedded database, each in its own transaction', async () => {
    const before = await counts();
    const response = await stack.query(`mutation { cubiss { a: ${ticket('Eerste van twee')} b: ${ticket('Tweede van twee')} } }`);
    expect(response.errors).toBeUndefined();
    const { a, b } = response.data.cubiss;
    expect([a.title, b.title]).toEqual(['Eerste van twee', 'Tweede van twee']);
    expect(a.id).not.toEqual(b.id);
    const after = await counts();
    expect(after.cubiss.tickets.totalCount).toBe(before.cubiss.tickets.totalCount + 2);
    expect(after.cubiss.audit.totalCount).toBe(before.cubiss.audit.totalCount + 2);
  });

  it('reports the first write as done and the second as refused when only the second fails, and the database agrees', async () => {
    const before = await counts();
    const response = await stack.query(`mutation { cubiss { a: ${ticket('Blijft staan')} b: ${ticket('Bestaat niet', '999999')} } }`);
    expect(response.data?.cubiss?.a).toMatchObject({ title: 'Blijft staan' });
    expect(response.data?.cubiss?.b).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({ path: ['cubiss', 'b'], extensions: { code: 'BAD_USER_INPUT' } });
    const after = await counts();
    expect(after.cubiss.tickets.totalCount).toBe(before.cubiss.tickets.totalCount + 1);
    expect(after.cubiss.audit.totalCount).toBe(before.cubiss.audit.totalCount + 1);
    const { cubiss } = await ok(`{ cubiss { tickets(first: 100, orderBy: { field: OPENED_AT, direction: DESC }) { nodes { title } } } }`);
    const titles = cubiss.tickets.nodes.map((t: any) => t.title);
    expect(titles).toContain('Blijft staan');
    expect(titles).not.toContain('Bestaat niet');
  });

  it("answers one POI's write even when the caller may not write to the other POI in the same request", async () => {
    const biscStaff = await stack.token(['network:read', 'poi:bisc:read', 'poi:bisc:write'], 'bisc-staff');
    const ticketTotals = async () => {
      const { bisc, cubiss } = await ok(`{ bisc { tickets { totalCount } } cubiss { tickets { totalCount } } }`);
      return { bisc: bisc.tickets.totalCount, cubiss: cubiss.tickets.totalCount };
    };
    const before = await ticketTotals();
    const response = await stack.queryAs(biscStaff, `mutation { bisc { ${ticket('BiSC mag dit')} } cubiss { ${ticket('Cubiss niet')} } }`);
    expect(response.data?.bisc?.createTicket).toMatchObject({ title: 'BiSC mag dit' });
    expect(response.data?.cubiss).toBeNull();
    expect(response.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['cubiss'], 'FORBIDDEN']]);
    expect(await ticketTotals()).toEqual({ bisc: before.bisc + 1, cubiss: before.cubiss });
  });
});

describe('retrying a write safely with an Idempotency-Key', () => {
  const CREATE = `mutation Open($title: String!) { cubiss { createTicket(input: { libraryId: "3", title: $title, category: FINES, priority: P2 }) { id reference title version } } }`;
  const keyed = (url: string, bearer: string, key: string, title: string) =>
    postGraphQL(url, CREATE, { title }, { authorization: `Bearer ${bearer}`, 'idempotency-key': key });
  const totals = async () => {
    const { cubiss } = await ok(`{ cubiss { tickets { totalCount } audit(entity: TICKET) { totalCount } } }`);
    return { tickets: cubiss.tickets.totalCount, audits: cubiss.audit.totalCount };
  };
  let anouk: string;
  let bram: string;
  beforeAll(async () => {
    anouk = await stack.token(['network:read', 'poi:cubiss:read', 'poi:cubiss:write'], 'anouk');
    bram = await stack.token(['network:read', 'poi:cubiss:read', 'poi:cubiss:write'], 'bram');
  });

  it('answers a repeat with the first answer and writes once; another identity with the same key writes its own', async () => {
    const before = await totals();
    const first = await keyed(stack.gateway.url, anouk, 'order-2026-0001', 'Eén keer, ook bij herhalen');
    expect(first.errors).toBeUndefined();
    const again = await keyed(stack.gateway.url, anouk, 'order-2026-0001', 'Eén keer, ook bij herhalen');
    expect(again).toEqual(first);
    expect(await totals()).toEqual({ tickets: before.tickets + 1, audits: before.audits + 1 });

    const other = await keyed(stack.gateway.url, bram, 'order-2026-0001', 'Eén keer, ook bij herhalen');
    expect(other.errors).toBeUndefined();
    expect(other.data.cubiss.createTicket.id).not.toEqual(first.data.cubiss.createTicket.id);
    expect(await totals()).toEqual({ tickets: before.tickets + 2, audits: before.audits + 2 });
  });

  it('writes once when the same request arrives twice at the same time', async () => {
    const before = await totals();
    const [one, two] = await Promise.all([
      keyed(stack.gateway.url, anouk, 'double-click-7', 'Dubbelklik'),
      keyed(stack.gateway.url, anouk, 'double-click-7', 'Dubbelklik'),
    ]);
    expect(one.errors).toBeUndefined();
    expect(two).toEqual(one);
    expect(await totals()).toEqual({ tickets: before.tickets + 1, audits: before.audits + 1 });
  });

  it('refuses the same key for another request (409 IDEMPOTENCY_KEY_REUSED) and writes nothing', async () => {
    await keyed(stack.gateway.url, anouk, 'order-2026-0002', 'Eerste verzoek');
    const before = await totals();
    const reused = await keyed(stack.gateway.url, anouk, 'order-2026-0002', 'Ander verzoek');
    expect(reused.status).toBe(409);
    expect(reused.errors?.[0].extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await totals()).toEqual(before);
  });

  it('forgets a key after IDEMPOTENCY_TTL_HOURS (24 h): the same key is then a new request', async () => {
    const first = await keyed(stack.gateway.url, anouk, 'yesterday-1', 'Gisteren');
    const dataSource = stack.subgraphs.get('cubiss')!.database.dataSource;
    await dataSource
      .createQueryBuilder()
      .update(IdempotencyKeyEntity)
      .set({ createdAt: new Date(Date.now() - 25 * 3_600_000) })
      .execute();
    const before = await totals();
    const later = await keyed(stack.gateway.url, anouk, 'yesterday-1', 'Gisteren');
    expect(later.errors).toBeUndefined();
    expect(later.data.cubiss.createTicket.id).not.toEqual(first.data.cubiss.createTicket.id);
    expect(await totals()).toEqual({ tickets: before.tickets + 1, audits: before.audits + 1 });
  });

  it('makes work-agenda writes in the collaboration subgraph safe to retry too', async () => {
    const coordinator = await stack.token(['network:read', 'collaboration:write'], 'coordinator');
    const CREATE = `mutation { collaboration { createWorkAgendaItem(input: { id: "WA-2026-31", title: "Leesbevordering", description: "Samen optrekken.", theme: INNOVATION, ownerCode: "cubiss", participantCodes: [] }) { id version } } }`;
    const send = () => postGraphQL(stack.gateway.url, CREATE, undefined, { authorization: `Bearer ${coordinator}`, 'idempotency-key': 'agenda-31' });
    const first = await send();
    expect(first.errors).toBeUndefined();
    expect(await send()).toEqual(first); // without the key the second would be refused: "already exists"
    const { workAgenda } = await ok(`{ workAgenda { id } }`);
    expect(workAgenda.filter((item: any) => item.id === 'WA-2026-31')).toHaveLength(1);
  });

  it('refuses a malformed key with 400 BAD_USER_INPUT before anything runs', async () => {
    const before = await totals();
    for (const key of ['with space', 'x'.repeat(201), 'ünïcode']) {
      const bad = await keyed(stack.gateway.url, anouk, key, 'Nooit');
      expect(bad.status).toBe(400);
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await totals()).toEqual(before);
  });

  it('writes once when the gateway gave up on a slow subgraph and the client retried with the same key', async () => {
    // A proxy in front of Cubiss that holds the first request back longer than the gateway waits.
    const cubissUrl = stack.subgraphs.get('cubiss')!.url;
    let holdNext = true;
    let forwarded = 0;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', async () => {
        if (holdNext) {
          holdNext = false;
          await new Promise((resolve) => setTimeout(resolve, 1500));
        }
        forwarded += 1;
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<
          string,
          string
        >;
        const answer = await fetch(cubissUrl, { method: 'POST', headers, body: Buffer.concat(chunks) });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const gateway = await startGateway({
      supergraph: { sdl: stack.supergraphSdl },
      subgraphUrls: { cubiss: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql` },
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('test', 'silent'),
      resilience: { timeoutMs: 300 },
      security: stack.config.security,
    });
    try {
      const before = await totals();
      const timedOut = await keyed(gateway.url, anouk, 'slow-write-1', 'Trage schrijfactie');
      expect(timedOut.errors?.[0].extensions?.code).toBe('SUBGRAPH_TIMEOUT');
      // The held-back write still arrives and is committed after the gateway answered.
      for (let i = 0; i < 100 && forwarded === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(forwarded).toBe(1);
      // The gateway keeps nothing: the retry may go to another gateway (one restarted after a crash).
      await gateway.stop();
      const retried = await keyed(stack.gateway.url, anouk, 'slow-write-1', 'Trage schrijfactie');
      expect(retried.errors).toBeUndefined();
      expect(retried.data.cubiss.createTicket.title).toBe('Trage schrijfactie');
      expect(await totals()).toEqual({ tickets: before.tickets + 1, audits: before.audits + 1 });
    } finally {
      await gateway.stop();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('the idempotency_key migration', () => {
  it.each([
    ['POI', IdempotencyKeys1796170000000],
    ['collaboration', IdempotencyKeys1796170000001],
  ])('%s: runs on SQLite, builds exactly the entity, and reverts', async (_, migration) => {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [IdempotencyKeyEntity], migrations: [migration] });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      await dataSource.undoLastMigration();
      expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE name = 'idempotency_key'`)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
