import { POIS } from '../shared/registry';
import { pages } from './helpers/pages';
import { startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await stack.query<T>(query, variables);
  expect(response.errors).toBeUndefined();
  expect(response.status).toBe(200);
  return response.data!;
}

/** Walks a POI's libraries page by page through its own root field. */
async function allLibraries(rootField: string, pageSize: number) {
  const seen: { id: string; name: string; province: string }[] = [];
  let count = 0;
  let totalCount = 0;
  const page = async (after: string | null) =>
    (
      await data(
        `query Page($first: Int, $after: String) { ${rootField} { libraries(first: $first, after: $after) {
        totalCount nodes { id name province } pageInfo { hasNextPage endCursor } } } }`,
        { first: pageSize, after },
      )
    )[rootField].libraries;
  for await (const connection of pages(page, { maxPages: 50 })) {
    seen.push(...connection.nodes);
    count += 1;
    totalCount = connection.totalCount;
  }
  return { seen, pages: count, totalCount };
}

describe('the shared Poi view through the gateway', () => {
  it('lists the four POIs with their provinces, steering-group membership and own type', async () => {
    const { pois } = await data(`{ pois { __typename code name provinces inSteeringGroup } }`);
    expect(pois).toEqual([
      { __typename: 'BiscPoi', code: 'BISC', name: 'BiSC', provinces: ['UTRECHT'], inSteeringGroup: true },
      { __typename: 'CubissPoi', code: 'CUBISS', name: 'Cubiss', provinces: ['LIMBURG', 'NOORD_BRABANT'], inSteeringGroup: false },
      { __typename: 'ProbiblioPoi', code: 'PROBIBLIO', name: 'Probiblio', provinces: ['NOORD_HOLLAND', 'ZUID_HOLLAND'], inSteeringGroup: true },
      { __typename: 'RijnbrinkPoi', code: 'RIJNBRINK', name: 'Rijnbrink', provinces: ['GELDERLAND', 'OVERIJSSEL'], inSteeringGroup: true },
    ]);
  });

  it('filters POIs by province and finds one by code', async () => {
    const result = await data(`{ limburg: pois(province: LIMBURG) { code } drenthe: pois(province: DRENTHE) { code }
      poi(code: "probiblio") { code name } unknown: poi(code: "NOPE") { code } }`);
    expect(result).toEqual({ limburg: [{ code: 'CUBISS' }], drenthe: [], poi: { code: 'PROBIBLIO', name: 'Probiblio' }, unknown: null });
  });

  it("puts every library of a POI in one of that POI's provinces", async () => {
    for (const poi of POIS) {
      const { seen } = await allLibraries(poi.rootField, 100);
      expect(seen.length).toBeGreaterThan(0);
      for (const library of seen) expect(poi.provinces).toContain(library.province);
    }
  });

  it('agrees between stats.libraryCount and libraries.totalCount for every POI', async () => {
    const { pois } = await data(`{ pois { code stats { libraryCount } libraries { totalCount } } }`);
    expect(pois).toHaveLength(4);
    for (const poi of pois) {
      expect(poi.stats.libraryCount).toBeGreaterThan(0);
      expect(poi.stats.libraryCount).toBe(poi.libraries.totalCount);
    }
  });

  it('returns each library exactly once when walking page by page', async () => {
    const { seen, pages, totalCount } = await allLibraries('cubiss', 7);
    expect(pages).toBe(Math.ceil(totalCount / 7));
    expect(seen).toHaveLength(totalCount);
    expect(new Set(seen.map((l) => l.id)).size).toBe(totalCount);
    // Same order as one big page: the database's collation decides, the cursors must follow it.
    const { seen: onePage } = await allLibraries('cubiss', 100);
    expect(seen.map((l) => l.id)).toEqual(onePage.map((l) => l.id));
  });

  it("crosses subgraphs from the work agenda to each owner's own data", async () => {
    const { workAgenda, pois } = await data(`{ workAgenda { id owner { code libraries { totalCount } } participants { code } }
      pois { code libraries { totalCount } } }`);
    const libraryCounts = new Map(pois.map((p: any) => [p.code, p.libraries.totalCount]));
    expect(workAgenda.length).toBeGreaterThan(5);
    for (const item of workAgenda) {
      expect(item.owner.libraries.totalCount).toBe(libraryCounts.get(item.owner.code));
      expect(item.participants.map((p: any) => p.code)).toContain(item.owner.code);
    }
  });

  it("serves each POI's root field from its own subgraph, with registry fields joined in", async () => {
    const { rijnbrink } = await data(`{ rijnbrink { __typename code name provinces stats { libraryCount } } }`);
    expect(rijnbrink).toMatchObject({ __typename: 'RijnbrinkPoi', code: 'RIJNBRINK', name: 'Rijnbrink', provinces: ['GELDERLAND', 'OVERIJSSEL'] });
    expect(rijnbrink.stats.libraryCount).toBeGreaterThan(0);
  });

  it('answers the steering group with BiSC, Probiblio and Rijnbrink', async () => {
    const { steeringGroup } = await data(`{ steeringGroup { name poi { code inSteeringGroup } } }`);
    expect(steeringGroup.map((m: any) => m.poi.code).sort()).toEqual(['BISC', 'PROBIBLIO', 'RIJNBRINK']);
    for (const member of steeringGroup) expect(member.poi.inSteeringGroup).toBe(true);
  });

  it("gives a library's full profile, consistent with the POI's lists", async () => {
    const { bisc } = await data(`{ bisc { libraries(first: 1) { nodes { id name } } } }`);
    const id = bisc.libraries.nodes[0].id;
    const { bisc: profile } = await data(
      `query Profile($id: ID!) { bisc { library(id: $id) { id name municipalities wisePlatform { code name } memberCount
        branches { name city postalCode isMain } contract { library { id } status startsOn endsOn annualFee services noticePeriodMonths }
        tickets(first: 100) { totalCount nodes { library { id } openedAt status resolvedAt } } } missing: library(id: "999999") { id } } }`,
      { id },
    );
    const library = profile.library;
    expect(library.id).toBe(id);
    expect(library.branches.filter((b: any) => b.isMain)).toHaveLength(1);
    expect(library.branches[0].isMain).toBe(true);
    for (const branch of library.branches) expect(branch.postalCode).toMatch(/^[1-9]\d{3} [A-Z]{2}$/);
    expect(library.contract.library.id).toBe(id);
    expect(library.contract.startsOn < library.contract.endsOn).toBe(true);
    expect(library.tickets.nodes).toHaveLength(library.tickets.totalCount);
    const opened = library.tickets.nodes.map((t: any) => t.openedAt);
    expect(opened).toEqual([...opened].sort().reverse());
    for (const ticket of library.tickets.nodes) {
      expect(ticket.library.id).toBe(id);
      expect(ticket.resolvedAt === null).toBe(['OPEN', 'IN_PROGRESS', 'WAITING'].includes(ticket.status));
    }
    expect(profile.missing).toBeNull();
  });

  it('counts open tickets consistently with tickets by status', async () => {
    const { pois } = await data(`{ pois { stats { openTicketCount ticketsByStatus { key count } } tickets { totalCount } } }`);
    for (const poi of pois) {
      const byStatus = Object.fromEntries(poi.stats.ticketsByStatus.map((k: any) => [k.key, k.count]));
      expect(byStatus.OPEN + byStatus.IN_PROGRESS + byStatus.WAITING).toBe(poi.stats.openTicketCount);
      expect(Object.values(byStatus).reduce((a: any, b: any) => a + b, 0)).toBe(poi.tickets.totalCount);
    }
  });

  it("searches each POI's knowledge base", async () => {
    const { pois } = await data(
      `{ pois { code knowledgeArticles(search: "reservering", first: 50) { totalCount nodes { title summary body tags source } } } }`,
    );
    const cubiss = pois.find((p: any) => p.code === 'CUBISS');
    // The seeded articles are demo texts, named as such (no invented knowledge base presented as real).
    expect(cubiss.knowledgeArticles.nodes.map((a: any) => a.source)).toEqual(expect.arrayContaining(['Demo kennisbank Cubiss']));
    for (const poi of pois) {
      expect(poi.knowledgeArticles.totalCount).toBeGreaterThan(0);
      for (const article of poi.knowledgeArticles.nodes) {
        // A Dutch word form of "reservering" (reserveringen, reserveren, gereserveerd): README "Knowledge search".
        expect(`${article.title} ${article.summary} ${article.body} ${article.tags.join(' ')}`.toLowerCase()).toMatch(/\b(ge)?reserv/);
      }
    }
  });

  it('lists vendor licences and service agreements', async () => {
    const { probiblio } = await data(`{ probiblio { vendorContracts { vendor product annualFee startsOn endsOn }
      contracts(first: 5) { totalCount nodes { status library { name } } pageInfo { hasNextPage } } } }`);
    expect(probiblio.vendorContracts.length).toBeGreaterThan(0);
    for (const licence of probiblio.vendorContracts) expect(licence.annualFee).toBeGreaterThan(0);
    expect(probiblio.contracts.totalCount).toBeGreaterThanOrEqual(27);
    expect(probiblio.contracts.nodes).toHaveLength(5);
    expect(probiblio.contracts.pageInfo.hasNextPage).toBe(true);
  });

  it('rejects a page size over the cap and a foreign cursor with BAD_USER_INPUT', async () => {
    const tooMany = await stack.query(`{ bisc { libraries(first: 1000) { totalCount } } }`);
    expect(tooMany.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(tooMany.errors?.[0].message).toContain('between 0 and 100');
    const garbage = await stack.query(`{ bisc { libraries(after: "bm90LWEtY3Vyc29y") { totalCount } } }`);
    expect(garbage.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('filters libraries by province, municipality and name', async () => {
    const { cubiss } = await data(`{ cubiss {
      limburg: libraries(filter: { province: LIMBURG }, first: 100) { totalCount nodes { province } }
      tilburg: libraries(filter: { municipality: "Tilburg" }) { nodes { name municipalities } }
      named: libraries(filter: { nameContains: "BRABANT" }) { nodes { name } }
      injected: libraries(filter: { nameContains: "%' OR 1=1 --" }) { totalCount } } }`);
    expect(cubiss.limburg.totalCount).toBeGreaterThan(0);
    for (const library of cubiss.limburg.nodes) expect(library.province).toBe('LIMBURG');
    expect(cubiss.tilburg.nodes.map((l: any) => l.name)).toEqual(['Bibliotheek Midden-Brabant']);
    expect(cubiss.named.nodes.length).toBeGreaterThan(1);
    for (const library of cubiss.named.nodes) expect(library.name.toLowerCase()).toContain('brabant');
    expect(cubiss.injected.totalCount).toBe(0);
  });
});

describe('partial failure', () => {
  it('still answers the other POIs when one POI subgraph is down, with an error naming it', async () => {
    await stack.stopSubgraph('cubiss');
    const response = await stack.query(`{ pois { code libraries { totalCount } } }`);
    expect(response.status).toBe(200);
    const byCode = Object.fromEntries(response.data.pois.map((p: any) => [p.code, p.libraries]));
    expect(byCode.CUBISS).toBeNull();
    for (const code of ['BISC', 'PROBIBLIO', 'RIJNBRINK']) expect(byCode[code].totalCount).toBeGreaterThan(0);
    expect(response.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', poi: 'CUBISS' }) })]),
    );
    expect(JSON.stringify(response.errors)).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED/);
  });
});

describe('work agenda', () => {
  let agendaStack: Stack;
  beforeAll(async () => {
    agendaStack = await startStack();
  });
  afterAll(async () => {
    await agendaStack?.stop();
  });

  it('lists items by due date with open-ended ones last, and filters by status, theme and owner', async () => {
    const { data: all } = await agendaStack.query(`{ workAgenda { id dueOn status theme owner { code } } }`);
    const due = all.workAgenda.map((i: any) => i.dueOn);
    const dated = due.filter((d: string | null) => d !== null);
    expect(due).toEqual([...dated.sort(), ...due.filter((d: string | null) => d === null)]);
    const { data } = await agendaStack.query(`{ workAgenda(status: IN_PROGRESS, theme: HARMONISATION, ownerCode: "bisc") { status theme owner { code } } }`);
    const expected = all.workAgenda.filter((i: any) => i.status === 'IN_PROGRESS' && i.theme === 'HARMONISATION' && i.owner.code === 'BISC');
    expect(expected.length).toBeGreaterThan(0);
    expect(data.workAgenda).toHaveLength(expected.length);
  });
});
