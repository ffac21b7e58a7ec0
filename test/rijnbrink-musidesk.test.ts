// Musidesk, Rijnbrink's own extension (issue 13, item 3): its list, filters and paging, its
// aggregate, its write path with validation, scopes, audit and Idempotency-Key, all through the
// real gateway; its migration on SQLite; and that no other POI's schema changes.
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { poiSubgraphSdl } from '../poi-kit/schema';
import { POIS, poiByCode } from '../shared/registry';
import { compareSupergraphs } from '../shared/schema-changes';
import { composeSupergraph } from '../shared/supergraph';
import { SUBGRAPHS } from '../subgraphs/catalog';
import { RIJNBRINK_MIGRATIONS } from '../subgraphs/rijnbrink/migrations';
import { MUSIDESK_ENTITIES } from '../subgraphs/rijnbrink/musidesk/entities';
import { pages } from './helpers/pages';
import { GraphQLResponse, postGraphQL, startStack, Stack } from './helpers/stack';

let stack: Stack;
let staff: string;
beforeAll(async () => {
  stack = await startStack();
  staff = await stack.token(['network:read', 'poi:rijnbrink:read', 'poi:rijnbrink:write'], 'musidesk-staff');
});
afterAll(async () => {
  await stack?.stop();
});

const today = () => new Date().toISOString().slice(0, 10);
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function data(query: string, variables?: Record<string, unknown>, token = staff): Promise<any> {
  const response = await stack.queryAs(token, query, variables);
  expect({ status: response.status, errors: response.errors }).toEqual({ status: 200, errors: undefined });
  return response.data;
}

const musidesk = async (selection: string, variables?: Record<string, unknown>, declarations = '') =>
  (await data(`query Musidesk${declarations} { rijnbrink { musidesk { ${selection} } } }`, variables)).rijnbrink.musidesk;

/** Every item of a Musidesk list, page by page, checking each page's paging as it goes. */
async function walk(list: 'sheetMusic' | 'loans', fields: string, filter = '{}', first = 7): Promise<{ totalCount: number; nodes: any[] }> {
  const nodes: any[] = [];
  let totalCount = -1;
  const page = async (after: string | null) =>
    (
      await musidesk(
        `${list}(filter: ${filter}, first: ${first}, after: $after) { totalCount nodes { id ${fields} } pageInfo { hasNextPage endCursor } }`,
        { after },
        '($after: String)',
      )
    )[list];
  for await (const result of pages(page, { maxPages: 100 })) {
    totalCount = result.totalCount;
    nodes.push(...result.nodes);
    if (result.pageInfo.hasNextPage) expect(result.nodes).toHaveLength(first);
    else expect(result.nodes.length).toBeLessThanOrEqual(first);
  }
  return { totalCount, nodes };
}

describe('Musidesk reads', () => {
  it('is reachable as rijnbrink { musidesk } and through pois { … on RijnbrinkPoi { musidesk } }, on Rijnbrink alone', async () => {
    const own = await musidesk('stats { sheetMusicCount }');
    expect(own.stats.sheetMusicCount).toBeGreaterThan(0);
    const { pois } = await data(`{ pois { code ... on RijnbrinkPoi { musidesk { stats { sheetMusicCount } } } } }`);
    expect(pois.map((p: any) => p.code)).toEqual(POIS.map((p) => p.code));
    for (const poi of pois) {
      expect([poi.code, poi.musidesk?.stats.sheetMusicCount]).toEqual([poi.code, poi.code === 'RIJNBRINK' ? own.stats.sheetMusicCount : undefined]);
    }
  });

  it('pages the collection by title: totalCount items, no duplicates or gaps, A to Z', async () => {
    const { totalCount, nodes } = await walk('sheetMusic', 'title sets setsAvailable');
    expect(nodes).toHaveLength(totalCount);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(totalCount);
    const titles = nodes.map((n) => n.title as string);
    for (let i = 1; i < titles.length; i++) expect(titles[i - 1] <= titles[i]).toBe(true);
    // One page of 100 holds the same first items.
    const one = await musidesk('sheetMusic(first: 100) { nodes { id } }');
    expect(one.sheetMusic.nodes.map((n: any) => n.id)).toEqual(nodes.slice(0, 100).map((n) => n.id));
  });

  it('filters by ensemble type, instrumentation, title or composer text and availability', async () => {
    const all = await walk('sheetMusic', 'title composer ensembleType instrumentation sets setsAvailable', '{}', 100);
    const choir = await walk('sheetMusic', 'ensembleType', '{ ensembleType: [CHOIR, FANFARE] }');
    expect(choir.nodes.map((n) => n.id).sort()).toEqual(
      all.nodes
        .filter((n) => ['CHOIR', 'FANFARE'].includes(n.ensembleType))
        .map((n) => n.id)
        .sort(),
    );
    expect(choir.totalCount).toBeGreaterThan(0);

    const satb = await walk('sheetMusic', 'instrumentation', '{ instrumentation: "satb" }');
    expect(satb.totalCount).toBe(all.nodes.filter((n) => n.instrumentation === 'SATB').length);
    expect(satb.totalCount).toBeGreaterThan(0);

    const handel = await walk('sheetMusic', 'title composer', '{ search: "händel" }');
    expect(handel.totalCount).toBe(all.nodes.filter((n) => `${n.title} ${n.composer}`.toLowerCase().includes('händel')).length);
    expect(handel.totalCount).toBeGreaterThan(0);
    // Wildcards are text: "%" matches only a literal percent sign.
    expect((await musidesk('sheetMusic(filter: { search: "%" }) { totalCount }')).sheetMusic.totalCount).toBe(0);

    const inNow = await walk('sheetMusic', 'setsAvailable', '{ available: true }');
    const allOut = await walk('sheetMusic', 'setsAvailable', '{ available: false }');
    expect(inNow.totalCount + allOut.totalCount).toBe(all.totalCount);
    expect(inNow.nodes.every((n) => n.setsAvailable > 0)).toBe(true);
    expect(allOut.nodes.every((n) => n.setsAvailable === 0)).toBe(true);
    expect(inNow.totalCount).toBe(all.nodes.filter((n) => n.setsAvailable > 0).length);
  });

  it('refuses a page size over 100 and a cursor of another filter with BAD_USER_INPUT', async () => {
    const over = await stack.queryAs(staff, '{ rijnbrink { musidesk { sheetMusic(first: 101) { totalCount } } } }');
    expect(codes(over)).toEqual(['BAD_USER_INPUT']);
    const page = await musidesk('sheetMusic(first: 2) { pageInfo { endCursor } }');
    const other = await stack.queryAs(
      staff,
      `query Other($after: String) { rijnbrink { musidesk { sheetMusic(filter: { ensembleType: [CHOIR] }, first: 2, after: $after) { totalCount } } } }`,
      {
        after: page.sheetMusic.pageInfo.endCursor,
      },
    );
    expect(codes(other)).toEqual(['BAD_USER_INPUT']);
  });

  it('pages the loans newest first, and filters open, overdue and per title', async () => {
    const all = await walk('loans', 'lentOn dueOn returnedOn overdue sets ensembleType sheetMusic { id }');
    expect(new Set(all.nodes.map((n) => n.id)).size).toBe(all.totalCount);
    const lent = all.nodes.map((n) => n.lentOn as string);
    for (let i = 1; i < lent.length; i++) expect(lent[i - 1] >= lent[i]).toBe(true);
    for (const loan of all.nodes) expect(loan.overdue).toBe(loan.returnedOn === null && loan.dueOn < today());

    const open = await walk('loans', 'returnedOn', '{ open: true }');
    expect(open.totalCount).toBe(all.nodes.filter((n) => n.returnedOn === null).length);
    const overdue = await walk('loans', 'overdue', '{ overdue: true }');
    expect(overdue.totalCount).toBe(all.nodes.filter((n) => n.overdue).length);
    expect(overdue.totalCount).toBeGreaterThan(0);
    const title = all.nodes[0].sheetMusic.id;
    const ofTitle = await walk('loans', 'sheetMusic { id }', `{ sheetMusicId: "${title}" }`);
    expect(ofTitle.totalCount).toBe(all.nodes.filter((n) => n.sheetMusic.id === title).length);
  });

  it('aggregates agree with the lists they count', async () => {
    const { stats } = await musidesk(
      'stats { sheetMusicCount setCount setsOnLoan openLoanCount overdueLoanCount loansByEnsembleType { key count } openLoansByEnsembleType { key count } }',
    );
    const music = await walk('sheetMusic', 'sets setsAvailable', '{}', 100);
    const loans = await walk('loans', 'sets returnedOn overdue ensembleType', '{}', 100);
    const open = loans.nodes.filter((n) => n.returnedOn === null);
    expect(stats.sheetMusicCount).toBe(music.totalCount);
    expect(stats.setCount).toBe(sum(music.nodes.map((n) => n.sets)));
    expect(stats.setsOnLoan).toBe(sum(open.map((n) => n.sets)));
    expect(stats.setsOnLoan).toBe(stats.setCount - sum(music.nodes.map((n) => n.setsAvailable)));
    expect(stats.openLoanCount).toBe(open.length);
    expect(stats.overdueLoanCount).toBe(loans.nodes.filter((n) => n.overdue).length);
    const types = ['WIND_BAND', 'FANFARE', 'BRASS_BAND', 'CHOIR', 'ORCHESTRA', 'BIG_BAND'];
    expect(stats.loansByEnsembleType).toEqual(types.map((key) => ({ key, count: loans.nodes.filter((n) => n.ensembleType === key).length })));
    expect(stats.openLoansByEnsembleType).toEqual(types.map((key) => ({ key, count: open.filter((n) => n.ensembleType === key).length })));
  });

  it('loads nested titles and loans in batches: a few SQL statements per relation level, not one per item (no N+1)', async () => {
    const query = `{ rijnbrink { musidesk {
      sheetMusic(first: 100) { nodes { title setsAvailable openLoans { ensembleName sheetMusic { title } } } }
      loans(first: 100) { nodes { sheetMusic { title openLoans { id } } } } } } }`;
    await data(query); // unmeasured: any one-time work
    const before = stack.statementCounts().rijnbrink;
    const { rijnbrink } = await data(query);
    const statements = stack.statementCounts().rijnbrink - before;
    const items = rijnbrink.musidesk.sheetMusic.nodes.length + rijnbrink.musidesk.loans.nodes.length;
    expect(items).toBeGreaterThanOrEqual(60);
    // Two pages, then per level one batch of titles by id and one of open loans by title: at most 6.
    expect(statements).toBeLessThanOrEqual(6);
  });

  it('the example operation operations/rijnbrink-musidesk.graphql agrees with independent queries', async () => {
    const text = fs.readFileSync(path.join(__dirname, '..', 'operations', 'rijnbrink-musidesk.graphql'), 'utf8');
    const { musidesk: result } = (await data(text)).rijnbrink;
    const choir = await walk('sheetMusic', 'id', '{ ensembleType: [CHOIR] }', 100);
    expect(result.sheetMusic.totalCount).toBe(choir.totalCount);
    expect(result.overdue.totalCount).toBe(result.stats.overdueLoanCount);
    expect(sum(result.stats.loansByEnsembleType.map((k: any) => k.count))).toBe((await musidesk('loans { totalCount }')).loans.totalCount);
  });
});

describe('Musidesk writes', () => {
  const LEND = `mutation Lend($input: RijnbrinkLendSheetMusicInput!) { rijnbrink { lendSheetMusic(input: $input) {
    id ensembleName ensembleType place sets lentOn dueOn returnedOn overdue version sheetMusic { id setsAvailable } } } }`;
  const RETURN = `mutation Return($id: ID!, $input: RijnbrinkReturnSheetMusicInput!) { rijnbrink { returnSheetMusic(id: $id, input: $input) { id returnedOn overdue version } } }`;
  const totals = async () => {
    const result = await musidesk('loans { totalCount } audit { totalCount }');
    return { loans: result.loans.totalCount, audits: result.audit.totalCount };
  };
  /** A title with at least one set in. */
  const titleWithSetsIn = async () =>
    (await musidesk('sheetMusic(filter: { available: true }, first: 1) { nodes { id sets setsAvailable } }')).sheetMusic.nodes[0];
  const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const loanInput = (sheetMusicId: string, changes: Record<string, unknown> = {}) => ({
    sheetMusicId,
    ensembleName: 'Koor Demo',
    ensembleType: 'CHOIR',
    place: 'Zutphen',
    sets: 1,
    dueOn: inAMonth(),
    ...changes,
  });

  it("lends sets: one loan, fewer sets in, counted, and recorded in Musidesk's audit list", async () => {
    const title = await titleWithSetsIn();
    const before = await totals();
    const { rijnbrink } = await data(LEND, { input: loanInput(title.id, { ensembleName: '  Koor Demo  ' }) });
    const loan = rijnbrink.lendSheetMusic;
    expect(loan).toEqual({
      id: expect.any(String),
      ensembleName: 'Koor Demo',
      ensembleType: 'CHOIR',
      place: 'Zutphen',
      sets: 1,
      lentOn: today(),
      dueOn: inAMonth(),
      returnedOn: null,
      overdue: false,
      version: 1,
      sheetMusic: { id: title.id, setsAvailable: title.setsAvailable - 1 },
    });
    expect(await totals()).toEqual({ loans: before.loans + 1, audits: before.audits + 1 });
    const { audit } = await musidesk('audit(first: 1) { nodes { actor via entity entityId action changes { field from to } } }');
    expect(audit.nodes[0]).toEqual(
      expect.objectContaining({ actor: 'musidesk-staff', via: 'mutation', entity: 'SHEET_MUSIC_LOAN', entityId: loan.id, action: 'CREATE' }),
    );
    expect(audit.nodes[0].changes).toEqual(
      expect.arrayContaining([
        { field: 'ensembleName', from: null, to: '"Koor Demo"' },
        { field: 'sheetMusicId', from: null, to: title.id },
      ]),
    );
  });

  it("keeps the kit's audit trail readable after a Musidesk write: it lists the kit's records, Musidesk's are in its own list", async () => {
    await data(LEND, { input: loanInput((await titleWithSetsIn()).id) });
    const response = await stack.queryAs(staff, '{ rijnbrink { audit(first: 100) { totalCount nodes { entity } } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data.rijnbrink.audit.nodes.map((n: any) => n.entity)).not.toContain('SHEET_MUSIC_LOAN');
  });

  it('refuses bad input with every problem and its field path, and writes nothing', async () => {
    const before = await totals();
    const bad = await stack.queryAs(staff, LEND, {
      input: loanInput('999999', { ensembleName: ' ', place: 'x'.repeat(101), sets: 0, lentOn: '2026-01-10', dueOn: '2026-01-09' }),
    });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.data.rijnbrink.lendSheetMusic).toBeNull();
    expect((bad.errors![0].extensions!.problems as { field: string }[]).map((p) => p.field).sort()).toEqual([
      'input.dueOn',
      'input.ensembleName',
      'input.place',
      'input.sets',
    ]);

    const unknown = await stack.queryAs(staff, LEND, { input: loanInput('999999') });
    expect(unknown.errors![0].extensions).toEqual(
      expect.objectContaining({ code: 'BAD_USER_INPUT', problems: [{ field: 'input.sheetMusicId', message: 'is not a title of the Musidesk collection' }] }),
    );

    const title = await titleWithSetsIn();
    const tooMany = await stack.queryAs(staff, LEND, { input: loanInput(title.id, { sets: title.setsAvailable + 1 }) });
    expect(tooMany.errors![0].extensions).toEqual(
      expect.objectContaining({ code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ field: 'input.sets' })] }),
    );
    expect(await totals()).toEqual(before);
  });

  it("refuses a caller without Rijnbrink's write scope (FORBIDDEN), and the audit list to one without its read scope", async () => {
    const biscStaff = await stack.token(['network:read', 'poi:bisc:read', 'poi:bisc:write'], 'bisc-staff');
    const before = await totals();
    const refused = await stack.queryAs(biscStaff, LEND, { input: loanInput((await titleWithSetsIn()).id) });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.data?.rijnbrink ?? null).toBeNull();
    expect(await totals()).toEqual(before);

    const reader = await stack.queryAs(biscStaff, '{ rijnbrink { musidesk { stats { openLoanCount } audit { totalCount } } } }');
    expect(codes(reader)).toEqual(['FORBIDDEN']);
    expect(reader.data.rijnbrink.musidesk).toEqual({ stats: { openLoanCount: expect.any(Number) }, audit: null });
  });

  it('returns a loan once, with the version read: CONFLICT for a stale one, BAD_USER_INPUT when already returned, NOT_FOUND for no loan', async () => {
    const { lendSheetMusic: loan } = (await data(LEND, { input: loanInput((await titleWithSetsIn()).id) })).rijnbrink;
    const stale = await stack.queryAs(staff, RETURN, { id: loan.id, input: { returnedOn: today(), expectedVersion: 7 } });
    expect(codes(stale)).toEqual(['CONFLICT']);
    const early = await stack.queryAs(staff, RETURN, { id: loan.id, input: { returnedOn: '2000-01-01', expectedVersion: 1 } });
    expect(early.errors![0].extensions).toEqual(
      expect.objectContaining({ code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ field: 'input.returnedOn' })] }),
    );

    const { returnSheetMusic } = (await data(RETURN, { id: loan.id, input: { returnedOn: today(), expectedVersion: 1 } })).rijnbrink;
    expect(returnSheetMusic).toEqual({ id: loan.id, returnedOn: today(), overdue: false, version: 2 });
    const { audit } = await musidesk('audit(first: 1) { nodes { entityId action changes { field from to } } }');
    expect(audit.nodes[0]).toEqual({ entityId: loan.id, action: 'UPDATE', changes: [{ field: 'returnedOn', from: null, to: JSON.stringify(today()) }] });

    const twice = await stack.queryAs(staff, RETURN, { id: loan.id, input: { returnedOn: today(), expectedVersion: 2 } });
    expect(twice.errors![0].extensions).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ field: 'id' })] }));
    const none = await stack.queryAs(staff, RETURN, { id: '999999', input: { returnedOn: today(), expectedVersion: 1 } });
    expect(codes(none)).toEqual(['NOT_FOUND']);
  });

  it('lends the last sets of a title once when two loans ask for them at the same time', async () => {
    const title = await titleWithSetsIn();
    const before = await totals();
    const both = await Promise.all([1, 2].map(() => stack.queryAs(staff, LEND, { input: loanInput(title.id, { sets: title.setsAvailable }) })));
    expect(both.map(codes).sort()).toEqual([[], ['BAD_USER_INPUT']]);
    expect(await totals()).toEqual({ loans: before.loans + 1, audits: before.audits + 1 });
    expect((await musidesk(`sheetMusic(filter: { available: false }, first: 100) { nodes { id setsAvailable } }`)).sheetMusic.nodes).toContainEqual({
      id: title.id,
      setsAvailable: 0,
    });
  });

  it('answers a repeat with the same Idempotency-Key with the first answer and lends once', async () => {
    const input = loanInput((await titleWithSetsIn()).id, { ensembleName: 'Fanfare Eenmalig', ensembleType: 'FANFARE' });
    const send = () => postGraphQL(stack.gateway.url, LEND, { input }, { authorization: `Bearer ${staff}`, 'idempotency-key': 'musidesk-lend-1' });
    const before = await totals();
    const first = await send();
    expect(first.errors).toBeUndefined();
    expect(await send()).toEqual(first);
    expect(await totals()).toEqual({ loans: before.loans + 1, audits: before.audits + 1 });
  });
});

describe('Musidesk in the schema and the database', () => {
  it("adds to Rijnbrink's types only: every other POI's SDL is the kit's plus only its own additions, and the supergraph only gains Rijnbrink types and fields", () => {
    for (const poi of POIS.filter((p) => p.code !== 'RIJNBRINK')) {
      const sdl = SUBGRAPHS.find((s) => s.name === poi.subgraphName)!.sdl;
      expect([poi.code, sdl.startsWith(poiSubgraphSdl(poi)), /Rijnbrink|musidesk/i.test(sdl)]).toEqual([poi.code, true, false]);
    }
    const compose = (rijnbrinkSdl: string) =>
      composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, url: `http://127.0.0.1/${s.name}`, sdl: s.name === 'rijnbrink' ? rijnbrinkSdl : s.sdl })))
        .supergraphSdl;
    const withoutMusidesk = compose(poiSubgraphSdl(poiByCode('RIJNBRINK')));
    const withMusidesk = compose(SUBGRAPHS.find((s) => s.name === 'rijnbrink')!.sdl);
    const changes = compareSupergraphs(withoutMusidesk, withMusidesk);
    expect([changes.breaking, changes.dangerous]).toEqual([[], []]);
    expect(changes.safe.length).toBeGreaterThan(0);
    for (const change of changes.safe) expect(change.description).toMatch(/^(Type|Field) Rijnbrink\w*(\.\w+)? was added\.$/);
  });

  it('its migration runs on SQLite, builds exactly its entities, and reverts', async () => {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: MUSIDESK_ENTITIES, migrations: RIJNBRINK_MIGRATIONS });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      for (let i = 0; i < RIJNBRINK_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE name LIKE 'rijnbrink%'`)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
