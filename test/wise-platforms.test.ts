// Wise platforms: owned by the collaboration (name, hosting, version, POIs, migrations), pointed to
// by every POI's libraries (Library.wisePlatform), resolved across subgraphs by the gateway.
// Expected facts are the sources' (the project's reference notes on Midden-Zuid and BicatWise,
// copied into subgraphs/collaboration/src/seed.ts with their URLs) and registry.json's defaults.
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../shared/config';
import { POIS } from '../shared/registry';
import { dataOf, startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const data = <T = any>(query: string, variables?: Record<string, unknown>) => dataOf<T>(stack, query, variables);

/** registry.json as written: each POI's default platform. */
const registry: { code: string; wisePlatform?: string }[] = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'registry.json'), 'utf8'));

describe('Query.wisePlatforms', () => {
  it('shows Midden-Zuid, built by BiSC and Cubiss, with their POIs', async () => {
    const { wisePlatforms } = await data(`{ wisePlatforms { code name pois { code } } }`);
    const middenZuid = wisePlatforms.find((p: any) => p.name === 'Midden-Zuid');
    expect(middenZuid).toBeDefined();
    expect(middenZuid.pois.map((p: any) => p.code).sort()).toEqual(['BISC', 'CUBISS']);
    // Every POI's default platform is listed, with that POI among its POIs.
    for (const poi of registry) {
      const platform = wisePlatforms.find((p: any) => p.code === poi.wisePlatform);
      expect({ poi: poi.code, pois: platform?.pois.map((p: any) => p.code) }).toEqual({ poi: poi.code, pois: expect.arrayContaining([poi.code]) });
    }
  });

  it('has the migrations onto Midden-Zuid as the sources date them, and BicatWise as its Utrecht predecessor', async () => {
    const { middenZuid, bicatWise } = await data(`{
      middenZuid: wisePlatform(code: "midden-zuid") { name hosting demo sourceUrl succeededBy { code }
        migrations { migratedOn precision group poi { code } demo } }
      bicatWise: wisePlatform(code: "BICATWISE") { name demo succeededBy { code name } pois { code } currentWiseVersion
        migrations { migratedOn precision group poi { code } } } }`);
    expect(middenZuid).toMatchObject({ name: 'Midden-Zuid', hosting: 'HOSTED_WISE', demo: false, succeededBy: null });
    expect(middenZuid.sourceUrl).toMatch(/^https:\/\/www\.biscutrecht\.nl\/jaaroverzichten\/jaaroverzicht-2020\//);
    // BiSC jaaroverzicht 2020: Utrecht 2019, Limburg February 2020, Brabant clients June 2020, NOBB October 2020, Venlo mid-November 2020.
    expect(middenZuid.migrations.map((m: any) => [m.migratedOn, m.precision, m.poi.code])).toEqual([
      ['2019-01-01', 'YEAR', 'BISC'],
      ['2020-02-01', 'MONTH', 'CUBISS'],
      ['2020-06-01', 'MONTH', 'CUBISS'],
      ['2020-10-01', 'MONTH', 'CUBISS'],
      ['2020-11-15', 'MID_MONTH', 'CUBISS'],
    ]);
    expect(middenZuid.migrations.every((m: any) => m.demo === false)).toBe(true);
    const limburg = middenZuid.migrations[1].group;
    for (const name of ['Maastricht', 'SCHUNCK', 'Nuth', 'Brunssum', 'Kerkrade', 'Meerssen', 'Gulpen-Wittem', 'Peel en Maas', 'Heuvelland', 'Venray-Horst']) {
      expect(limburg).toContain(name);
    }
    expect(middenZuid.migrations[3].group).toContain('NOBB');
    expect(middenZuid.migrations[4].group).toContain('Venlo');
    // Veenendaal joined BicatWise on 1 January 2017.
    expect(bicatWise).toMatchObject({
      name: 'BicatWise',
      demo: false,
      succeededBy: { code: 'MIDDEN-ZUID', name: 'Midden-Zuid' },
      pois: [{ code: 'BISC' }],
      currentWiseVersion: null,
    });
    expect(bicatWise.migrations).toEqual([{ migratedOn: '2017-01-01', precision: 'DAY', group: 'Bibliotheek Veenendaal', poi: { code: 'BISC' } }]);
  });

  it('labels every platform the sources do not describe as demo, and every current Wise version as demo', async () => {
    const { wisePlatforms } = await data(`{ wisePlatforms { code name description demo sourceUrl currentWiseVersion migrations { demo group } } }`);
    for (const platform of wisePlatforms) {
      if (platform.demo) {
        expect(platform.description).toMatch(/^Demo/);
        expect(platform.sourceUrl).toBeNull();
        for (const migration of platform.migrations) expect(migration).toMatchObject({ demo: true, group: expect.stringMatching(/^Demo/) });
      } else {
        expect(platform.sourceUrl).toMatch(/^https:\/\//);
      }
      if (platform.currentWiseVersion !== null) expect(platform.currentWiseVersion).toMatch(/^demo-/);
    }
    expect(
      wisePlatforms
        .filter((p: any) => !p.demo)
        .map((p: any) => p.code)
        .sort(),
    ).toEqual(['BICATWISE', 'MIDDEN-ZUID']);
    // Current platforms first.
    expect(wisePlatforms[wisePlatforms.length - 1].code).toBe('BICATWISE');
  });

  it('is null for a code it does not know', async () => {
    expect(await data(`{ wisePlatform(code: "NOPE") { code } }`)).toEqual({ wisePlatform: null });
  });
});

describe('Library.wisePlatform', () => {
  it('resolves across subgraphs: every Cubiss library runs on Midden-Zuid (its POI default), name from the collaboration', async () => {
    const { cubiss } = await data(
      `{ cubiss { libraries(first: 100, filter: { status: [ACTIVE, MERGED] }) { totalCount nodes { name wisePlatform { code name } } } } }`,
    );
    expect(cubiss.libraries.nodes).toHaveLength(cubiss.libraries.totalCount);
    for (const library of cubiss.libraries.nodes) expect(library.wisePlatform).toEqual({ code: 'MIDDEN-ZUID', name: 'Midden-Zuid' });
  });

  it("every POI's libraries point to a platform that lists that POI", async () => {
    const selection = POIS.map((poi) => `${poi.rootField} { code libraries(first: 100) { nodes { wisePlatform { code demo pois { code } } } } }`).join(' ');
    const answer = await data<Record<string, any>>(`{ ${selection} }`);
    for (const poi of POIS) {
      const nodes = answer[poi.rootField].libraries.nodes;
      expect(nodes.length).toBeGreaterThan(0);
      for (const library of nodes) {
        expect(library.wisePlatform.code).toBe(registry.find((r) => r.code === poi.code)!.wisePlatform);
        expect(library.wisePlatform.pois.map((p: any) => p.code)).toContain(poi.code);
      }
    }
  });

  it('a library recorded on a platform the collaboration does not know has wisePlatform null, and the rest of it still answers', async () => {
    const db = stack.subgraphs.get('probiblio')!.database.dataSource;
    const [row] = await db.query('SELECT id, name FROM library ORDER BY id LIMIT 1');
    await db.query('UPDATE library SET wise_platform_code = ? WHERE id = ?', ['UNKNOWN-PLATFORM', row.id]);
    try {
      const response = await stack.query(`query One($id: ID!) { probiblio { library(id: $id) { name wisePlatform { code name } } } }`, { id: String(row.id) });
      expect(response.data?.probiblio.library).toEqual({ name: row.name, wisePlatform: null });
    } finally {
      await db.query('UPDATE library SET wise_platform_code = NULL WHERE id = ?', [row.id]);
    }
  });

  it('filters libraries by platform: the POI default counts for libraries without a record of their own', async () => {
    const db = stack.subgraphs.get('probiblio')!.database.dataSource;
    const [row] = await db.query('SELECT id, name FROM library WHERE status = ? ORDER BY id DESC LIMIT 1', ['ACTIVE']);
    const query = `{ cubiss { all: libraries { totalCount } onIt: libraries(filter: { wisePlatform: ["midden-zuid"] }) { totalCount } elsewhere: libraries(filter: { wisePlatform: ["BICATWISE"] }) { totalCount } }
      probiblio { all: libraries { totalCount } onIt: libraries(filter: { wisePlatform: ["MIDDEN-ZUID"] }) { totalCount nodes { name } } own: libraries(filter: { wisePlatform: ["DEMO-PROBIBLIO"] }) { totalCount } } }`;
    const before = await data(query);
    expect(before.cubiss.onIt.totalCount).toBe(before.cubiss.all.totalCount);
    expect(before.cubiss.elsewhere.totalCount).toBe(0);
    expect(before.probiblio.onIt.totalCount).toBe(0);
    expect(before.probiblio.own.totalCount).toBe(before.probiblio.all.totalCount);
    // One Probiblio library recorded on Midden-Zuid: it moves from one list to the other.
    await db.query('UPDATE library SET wise_platform_code = ? WHERE id = ?', ['MIDDEN-ZUID', row.id]);
    try {
      const after = await data(query.replace('{ cubiss', '{ again: cubiss'));
      expect(after.probiblio.onIt).toEqual({ totalCount: 1, nodes: [{ name: row.name }] });
      expect(after.probiblio.own.totalCount).toBe(before.probiblio.all.totalCount - 1);
    } finally {
      await db.query('UPDATE library SET wise_platform_code = NULL WHERE id = ?', [row.id]);
    }
  });

  it('the network list of libraries carries the platform too', async () => {
    const { network } = await data(`{ network { libraries(first: 100, pois: ["BISC"]) { nodes { name wisePlatform { code name } poi { code } } } } }`);
    expect(network.libraries.nodes.length).toBeGreaterThan(0);
    for (const library of network.libraries.nodes) expect(library.wisePlatform).toEqual({ code: 'MIDDEN-ZUID', name: 'Midden-Zuid' });
  });
});
