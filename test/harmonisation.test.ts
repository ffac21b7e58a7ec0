// Settings harmonisation (issue #14 item 3): each POI keeps its libraries' Wise settings in its own
// database, the collaboration keeps the standard the partnership agreed, and each POI's
// harmonisation fields @require that standard from the collaboration through the gateway.
// Every figure here is recounted from the databases themselves, not from the code under test.
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { startGateway } from '../gateway/src/gateway';
import { LibraryEntity, LibrarySettingsEntity } from '../poi-kit/entities';
import { LibrarySettings1796530000001 } from '../poi-kit/migrations/1796530000001-LibrarySettings';
import { HarmonisationStandardEntity } from '../subgraphs/collaboration/src/entities';
import { HarmonisationStandard1796530000000 } from '../subgraphs/collaboration/migrations/1796530000000-HarmonisationStandard';
import { importRows } from '../poi-kit/import';
import { poiByCode } from '../shared/registry';
import { createLogger } from '../shared/logger';
import { postGraphQL, startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function data<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const response = token ? await stack.queryAs<T>(token, query, variables) : await stack.query<T>(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const SETTINGS = ['LOAN_PERIOD', 'RESERVATION_FEE', 'MEMBERSHIP_FEE_TYPES', 'FINE_POLICY'] as const;
type Setting = (typeof SETTINGS)[number];

interface Values {
  loan: number;
  fee: number;
  types: string[];
  fine: string;
  perDay: number | null;
}

/** The agreed standard, read straight from the collaboration's own table. */
async function standardInDatabase(): Promise<Values> {
  const [row] = await stack.subgraphs.get('collaboration')!.database.dataSource.query('SELECT * FROM harmonisation_standard');
  return {
    loan: Number(row.loan_period_days),
    fee: Number(row.reservation_fee_cents),
    types: JSON.parse(row.membership_fee_types),
    fine: row.fine_policy,
    perDay: row.fine_per_day_cents === null ? null : Number(row.fine_per_day_cents),
  };
}

/** A POI's current libraries with their settings, straight from its own tables. */
async function settingsInDatabase(subgraph: string): Promise<{ id: string; values: Values }[]> {
  const rows = await stack.subgraphs
    .get(subgraph)!
    .database.dataSource.query(
      "SELECT l.id, s.loan_period_days, s.reservation_fee_cents, s.membership_fee_types, s.fine_policy, s.fine_per_day_cents FROM library_settings s JOIN library l ON l.id = s.library_id WHERE l.status = 'ACTIVE'",
    );
  return rows.map((row: any) => ({
    id: String(row.id),
    values: {
      loan: Number(row.loan_period_days),
      fee: Number(row.reservation_fee_cents),
      types: JSON.parse(row.membership_fee_types),
      fine: row.fine_policy,
      perDay: row.fine_per_day_cents === null ? null : Number(row.fine_per_day_cents),
    },
  }));
}

function deviates(values: Values, standard: Values, setting: Setting): boolean {
  switch (setting) {
    case 'LOAN_PERIOD':
      return values.loan !== standard.loan;
    case 'RESERVATION_FEE':
      return values.fee !== standard.fee;
    case 'MEMBERSHIP_FEE_TYPES':
      return [...values.types].sort().join('|') !== [...standard.types].sort().join('|');
    case 'FINE_POLICY':
      return values.fine !== standard.fine || (standard.fine === 'PER_DAY' && values.perDay !== standard.perDay);
  }
}

/** Per setting the deviating library ids, and the score: share of (library, setting) pairs equal to the standard. */
async function recount(subgraph: string) {
  const standard = await standardInDatabase();
  const libraries = await settingsInDatabase(subgraph);
  const deviating = Object.fromEntries(
    SETTINGS.map((setting) => [
      setting,
      libraries
        .filter((l) => deviates(l.values, standard, setting))
        .map((l) => l.id)
        .sort(),
    ]),
  ) as Record<Setting, string[]>;
  const pairs = libraries.length * SETTINGS.length;
  const equal = pairs - SETTINGS.reduce((sum, setting) => sum + deviating[setting].length, 0);
  return { libraryCount: libraries.length, deviating, score: pairs === 0 ? null : equal / pairs };
}

const VIEW = `{ pois { code
  harmonisationScore
  harmonisation { settings { setting libraryCount deviatingCount harmonisedShare deviatingLibraries(first: 100) { totalCount nodes { id name } } } } } }`;

const subgraphOf = (code: string) => code.toLowerCase();

describe('settings harmonisation', () => {
  it('serves the agreed standard from the collaboration, labelled demo, with the day each setting was agreed', async () => {
    const { harmonisationStandard } =
      await data(`{ harmonisationStandard { version values { loanPeriodDays reservationFeeCents membershipFeeTypes finePolicy { kind perDayCents } }
      settings { setting value agreedOn } } }`);
    const standard = await standardInDatabase();
    expect(harmonisationStandard.values).toEqual({
      loanPeriodDays: standard.loan,
      reservationFeeCents: standard.fee,
      membershipFeeTypes: standard.types,
      finePolicy: { kind: standard.fine, perDayCents: standard.perDay },
    });
    expect(harmonisationStandard.settings.map((s: any) => s.setting)).toEqual([...SETTINGS]);
    for (const agreed of harmonisationStandard.settings) expect(agreed.agreedOn >= '2021-10-01').toBe(true);
    const description = stack.supergraphSdl.match(/"""?\s*Demo: the Wise settings standard the partnership agreed/);
    expect(description).not.toBeNull();
  });

  it('lists per POI and setting the libraries that deviate, with counts and score equal to a recount of the databases', async () => {
    const { pois } = await data(VIEW);
    expect(pois.map((p: any) => p.code)).toEqual(['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK']);
    let deviatingAnywhere = 0;
    for (const poi of pois) {
      const expected = await recount(subgraphOf(poi.code));
      expect(expected.libraryCount).toBeGreaterThan(0);
      expect(poi.harmonisation.settings.map((s: any) => s.setting)).toEqual([...SETTINGS]);
      for (const view of poi.harmonisation.settings) {
        const ids = expected.deviating[view.setting as Setting];
        expect(view.libraryCount).toBe(expected.libraryCount);
        expect(view.deviatingCount).toBe(ids.length);
        expect(view.deviatingLibraries.totalCount).toBe(ids.length);
        expect(view.deviatingLibraries.nodes.map((l: any) => l.id).sort()).toEqual(ids);
        expect(view.harmonisedShare).toBeCloseTo((expected.libraryCount - ids.length) / expected.libraryCount, 10);
        const names = view.deviatingLibraries.nodes.map((l: any) => l.name);
        expect(names).toEqual([...names].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
        deviatingAnywhere += ids.length;
      }
      expect(poi.harmonisationScore).toBeCloseTo(expected.score!, 10);
      // The demo seed has both: libraries that follow the standard and libraries that deviate.
      expect(poi.harmonisationScore).toBeGreaterThan(0);
      expect(poi.harmonisationScore).toBeLessThan(1);
    }
    expect(deviatingAnywhere).toBeGreaterThan(0);
  });

  it("counts no merged library: BiSC's merged libraries have settings but are in no figure", async () => {
    const { bisc } = await data(`{ bisc { merged: libraries(filter: { status: [MERGED] }) { nodes { id settings { values { loanPeriodDays } } } } } }`);
    expect(bisc.merged.nodes.length).toBeGreaterThan(0);
    const expected = await recount('bisc');
    const merged = bisc.merged.nodes.map((l: any) => l.id);
    for (const setting of SETTINGS) for (const id of merged) expect(expected.deviating[setting]).not.toContain(id);
    const { bisc: view } = await data(`{ bisc { harmonisation { settings { libraryCount } } } }`);
    expect(view.harmonisation.settings[0].libraryCount).toBe(expected.libraryCount);
  });

  it('pages the deviating libraries with sealed cursors', async () => {
    const { pois } = await data(VIEW);
    const [poi, setting] = pois.flatMap((p: any) => p.harmonisation.settings.map((s: any) => [p, s])).find(([, s]: any) => s.deviatingCount >= 2);
    const field = poi.code.toLowerCase();
    const query = `query Page($after: String, $only: [HarmonisationSetting!]) { ${field} { harmonisation { settings(only: $only) { setting deviatingLibraries(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await data(query, { after, only: [setting.setting] });
      expect(page[field].harmonisation.settings.map((s: any) => s.setting)).toEqual([setting.setting]);
      const list = page[field].harmonisation.settings[0].deviatingLibraries;
      seen.push(...list.nodes.map((l: any) => l.id));
      if (!list.pageInfo.hasNextPage) break;
      after = list.pageInfo.endCursor;
    }
    expect(seen).toEqual(setting.deviatingLibraries.nodes.map((l: any) => l.id));
    const forged = await stack.query(query, { after: 'bm90LWEtY3Vyc29y', only: [setting.setting] });
    expect(forged.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // A cursor of one setting's list is not one of another's.
    const other = SETTINGS.find((s) => s !== setting.setting);
    const replayed = await stack.query(query, { after, only: [other] });
    if (after) expect(replayed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('plans the standard as a collaboration fetch that the POI fetch requires', async () => {
    const exposing = await startGateway({
      supergraph: { sdl: stack.supergraphSdl },
      subgraphUrls: {},
      port: 0,
      host: stack.config.host,
      logger: createLogger('gateway', 'silent'),
      exposeQueryPlan: true,
      security: stack.config.security,
    });
    try {
      const token = await stack.token(['network:read']);
      const response = await fetch(exposing.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'Apollo-Query-Plan-Experimental': '1' },
        body: JSON.stringify({ query: '{ cubiss { harmonisationScore } }' }),
      });
      const body: any = await response.json();
      expect(body.errors).toBeUndefined();
      expect(typeof body.data.cubiss.harmonisationScore).toBe('number');
      const plan: string = body.extensions.__queryPlanExperimental;
      // cubiss (the root field) → collaboration (the standard, by the POI's key) → cubiss (the score, with the standard).
      const order = [...plan.matchAll(/Fetch\(service: "(\w+)"\)/g)].map((m) => m[1]);
      expect(order).toEqual(['cubiss', 'collaboration', 'cubiss']);
      expect(plan).toMatch(/Sequence/);
      expect(plan).toMatch(/harmonisationStandard \{[\s\S]*loanPeriodDays/);
    } finally {
      await exposing.stop();
    }
  });

  it("follows a change of a library's setting to the standard: the score rises by one pair, the library leaves the list, the write is audited", async () => {
    const before = await recount('cubiss');
    const libraryId = before.deviating.LOAN_PERIOD[0];
    expect(libraryId).toBeDefined();
    const standard = await standardInDatabase();
    const { cubiss } = await data(`query L($id: ID!) { cubiss { library(id: $id) { settings { values { loanPeriodDays } version } } } }`, { id: libraryId });
    const changed = await data(
      `mutation Set($id: ID!, $days: Int!, $version: Int!) { cubiss { updateLibrarySettings(libraryId: $id, input: { values: { loanPeriodDays: $days }, expectedVersion: $version }) { id settings { values { loanPeriodDays } version } } } }`,
      { id: libraryId, days: standard.loan, version: cubiss.library.settings.version },
    );
    expect(changed.cubiss.updateLibrarySettings.settings).toEqual({ values: { loanPeriodDays: standard.loan }, version: cubiss.library.settings.version + 1 });

    const after = await recount('cubiss');
    expect(after.deviating.LOAN_PERIOD).not.toContain(libraryId);
    expect(after.score! - before.score!).toBeCloseTo(1 / (before.libraryCount * SETTINGS.length), 10);
    const { cubiss: view } = await data(
      `{ cubiss { harmonisationScore harmonisation { settings { setting deviatingLibraries(first: 100) { nodes { id } } } } } }`,
    );
    expect(view.harmonisationScore).toBeCloseTo(after.score!, 10);
    expect(view.harmonisation.settings[0].deviatingLibraries.nodes.map((l: any) => l.id)).not.toContain(libraryId);

    const { cubiss: audited } = await data(
      `{ cubiss { audit(entity: LIBRARY_SETTINGS, first: 1) { nodes { actor entity action changes { field from to } } } } }`,
    );
    expect(audited.audit.nodes[0]).toMatchObject({
      entity: 'LIBRARY_SETTINGS',
      action: 'UPDATE',
      changes: [{ field: 'loanPeriodDays', from: String(cubiss.library.settings.values.loanPeriodDays), to: String(standard.loan) }],
    });

    // The same version again is a stale read.
    const stale = await stack.query(
      `mutation Set($id: ID!, $version: Int!) { cubiss { updateLibrarySettings(libraryId: $id, input: { values: { reservationFeeCents: 5 }, expectedVersion: $version }) { id } } }`,
      {
        id: libraryId,
        version: cubiss.library.settings.version,
      },
    );
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it("follows a change of the agreed standard in every POI's figures", async () => {
    const coordinator = await stack.token(['network:read', 'collaboration:write'], 'coordinator');
    const { harmonisationStandard } = await data(`{ harmonisationStandard { version } }`);
    const set = await data(
      `mutation S($version: Int!) { collaboration { setHarmonisationStandard(input: { values: { loanPeriodDays: 28, finePolicy: { kind: PER_DAY, perDayCents: 20 } }, agreedOn: "2026-06-01", expectedVersion: $version }) {
        version values { loanPeriodDays finePolicy { kind perDayCents } } settings { setting value agreedOn } } } }`,
      { version: harmonisationStandard.version },
      coordinator,
    );
    const standard = set.collaboration.setHarmonisationStandard;
    expect(standard.values).toEqual({ loanPeriodDays: 28, finePolicy: { kind: 'PER_DAY', perDayCents: 20 } });
    expect(standard.settings.find((s: any) => s.setting === 'FINE_POLICY')).toEqual({ setting: 'FINE_POLICY', value: 'PER_DAY 20', agreedOn: '2026-06-01' });
    expect(standard.settings.find((s: any) => s.setting === 'RESERVATION_FEE').agreedOn).not.toBe('2026-06-01');
    expect(await standardInDatabase()).toMatchObject({ loan: 28, fine: 'PER_DAY', perDay: 20 });

    const { pois } = await data(VIEW);
    for (const poi of pois) {
      const expected = await recount(subgraphOf(poi.code));
      expect(poi.harmonisationScore).toBeCloseTo(expected.score!, 10);
      const loan = poi.harmonisation.settings.find((s: any) => s.setting === 'LOAN_PERIOD');
      expect(loan.deviatingLibraries.nodes.map((l: any) => l.id).sort()).toEqual(expected.deviating.LOAN_PERIOD);
    }
    const audit = await stack.subgraphs
      .get('collaboration')!
      .database.dataSource.query("SELECT actor, action FROM audit_entry WHERE entity = 'HARMONISATION_STANDARD'");
    expect(audit).toEqual([{ actor: 'coordinator', action: 'UPDATE' }]);
  });

  it('refuses invalid settings with the path of every problem, and changes nothing', async () => {
    const { cubiss } = await data(`{ cubiss { libraries(first: 1) { nodes { id settings { version values { loanPeriodDays } } } } } }`);
    const library = cubiss.libraries.nodes[0];
    const response = await stack.query(
      `mutation Bad($id: ID!, $version: Int!) { cubiss { updateLibrarySettings(libraryId: $id, input: { values: { loanPeriodDays: 0, reservationFeeCents: -1,
        membershipFeeTypes: ["jeugd"], finePolicy: { kind: PER_DAY } }, expectedVersion: $version }) { id } } }`,
      { id: library.id, version: library.settings.version },
    );
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const fields = (response.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual([
      'input.values.finePolicy.perDayCents',
      'input.values.loanPeriodDays',
      'input.values.membershipFeeTypes[0]',
      'input.values.reservationFeeCents',
    ]);
    const noVersion = await stack.query(
      `mutation N($id: ID!) { cubiss { updateLibrarySettings(libraryId: $id, input: { values: { loanPeriodDays: 14 } }) { id } } }`,
      { id: library.id },
    );
    expect(noVersion.errors?.[0].extensions?.problems).toEqual([{ field: 'input.expectedVersion', message: expect.any(String) }]);
    const unknown = await stack.query(
      `mutation U { cubiss { updateLibrarySettings(libraryId: "999999", input: { values: { loanPeriodDays: 14 }, expectedVersion: 1 }) { id } } }`,
    );
    expect(unknown.errors?.[0].extensions?.problems).toEqual([{ field: 'libraryId', message: expect.any(String) }]);
    const { cubiss: unchanged } = await data(`query L($id: ID!) { cubiss { library(id: $id) { settings { version values { loanPeriodDays } } } } }`, {
      id: library.id,
    });
    expect(unchanged.library.settings).toEqual(library.settings);

    const coordinator = await stack.token(['network:read', 'collaboration:write'], 'coordinator');
    const badStandard = await stack.queryAs(
      coordinator,
      `mutation { collaboration { setHarmonisationStandard(input: { values: { loanPeriodDays: 400, finePolicy: { kind: NONE, perDayCents: 10 }, membershipFeeTypes: [] }, agreedOn: "2026-02-01", expectedVersion: 1 }) { version } } }`,
    );
    expect(badStandard.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((badStandard.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field).sort()).toEqual([
      'input.values.finePolicy.perDayCents',
      'input.values.loanPeriodDays',
      'input.values.membershipFeeTypes',
    ]);
  });

  it("lets only the owner change its libraries' settings, and only the collaboration's writers the standard", async () => {
    const { cubiss } = await data(`{ cubiss { libraries(first: 1) { nodes { id settings { version } } } } }`);
    const library = cubiss.libraries.nodes[0];
    const biscStaff = await stack.token(['network:read', 'poi:bisc:read', 'poi:bisc:write'], 'bisc-staff');
    const refused = await stack.queryAs(
      biscStaff,
      `mutation M($id: ID!, $version: Int!) { cubiss { updateLibrarySettings(libraryId: $id, input: { values: { loanPeriodDays: 14 }, expectedVersion: $version }) { id } } }`,
      {
        id: library.id,
        version: library.settings.version,
      },
    );
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await postGraphQL(
      stack.gateway.url,
      `mutation { cubiss { updateLibrarySettings(libraryId: "1", input: { values: { loanPeriodDays: 14 }, expectedVersion: 1 }) { id } } }`,
    );
    expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(anonymous.errors?.[0].extensions?.code);
    const { cubiss: after } = await data(`query L($id: ID!) { cubiss { library(id: $id) { settings { version } } } }`, { id: library.id });
    expect(after.library.settings.version).toBe(library.settings.version);

    const analyst = await stack.token(['network:read'], 'analyst');
    const standard = await stack.queryAs(
      analyst,
      `mutation { collaboration { setHarmonisationStandard(input: { values: { loanPeriodDays: 14 }, agreedOn: "2026-06-01", expectedVersion: 1 }) { version } } }`,
    );
    expect(standard.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // A POI's own staff reads its harmonisation without network:read: the standard is readable with the POI's read scope on its type.
    const biscReader = await stack.token(['poi:bisc:read'], 'bisc-reader');
    const own = await data(`{ bisc { harmonisationScore harmonisation { settings { deviatingCount } } } }`, undefined, biscReader);
    expect(typeof own.bisc.harmonisationScore).toBe('number');
    const other = await stack.queryAs(biscReader, `{ cubiss { harmonisationScore } }`);
    expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('imports settings per library (optional import entity `settings`): bad rows refused whole, good ones change the figures', async () => {
    const db = stack.subgraphs.get('cubiss')!.database.dataSource;
    const before = await recount('cubiss');
    const [library] = await db.query(
      "SELECT l.id, l.name AS code FROM library l JOIN library_settings s ON s.library_id = l.id WHERE l.status = 'ACTIVE' AND s.reservation_fee_cents <> 0 AND l.name NOT LIKE '%,%' ORDER BY l.id LIMIT 1",
    );
    const run = (content: string, entity: 'settings' | 'libraries' = 'settings') =>
      importRows(db, poiByCode('CUBISS'), { entity, format: 'csv', content, actor: { name: 'import-test', via: 'import' } });
    const header = 'libraryName,loanPeriodDays,reservationFeeCents,membershipFeeTypes,finePolicy,perDayCents';

    const bad = await run(`${header}\n${library.code},0,100,BASIS,SOMETIMES,\n${library.code} (onbekend),21,100,BASIS,NONE,5\n`);
    expect(bad.errorCount).toBeGreaterThan(0);
    const columns = bad.errors.map((e: any) => `${e.line}:${e.column}`).sort();
    expect(columns).toEqual(expect.arrayContaining(['2:finePolicy', '2:loanPeriodDays', '3:perDayCents']));
    expect(await recount('cubiss')).toEqual(before);

    const good = await run(`${header}\n${library.code},21,0,basis;jeugd,PER_DAY,15\n`);
    expect(good).toMatchObject({ errorCount: 0, created: 0, updated: 1 });
    const [row] = await db.query(
      'SELECT reservation_fee_cents, membership_fee_types, fine_policy, fine_per_day_cents, version FROM library_settings WHERE library_id = ?',
      [library.id],
    );
    expect(row).toMatchObject({ reservation_fee_cents: 0, membership_fee_types: '["BASIS","JEUGD"]', fine_policy: 'PER_DAY', fine_per_day_cents: 15 });
    const { cubiss } = await data(`{ cubiss { harmonisationScore } }`);
    expect(cubiss.harmonisationScore).toBeCloseTo((await recount('cubiss')).score!, 10);

    // The sample file (samples/settings.csv) goes with the sample libraries.
    const sample = (entity: string) => fs.readFileSync(path.join(__dirname, '..', 'samples', `${entity}.csv`), 'utf8');
    expect(await run(sample('libraries'), 'libraries')).toMatchObject({ errorCount: 0, created: 3 });
    expect(await run(sample('settings'))).toMatchObject({ errorCount: 0, created: 3 });
    const { cubiss: imported } = await data(
      `{ cubiss { libraries(filter: { nameContains: "Valkenswaard" }) { nodes { name settings { values { loanPeriodDays reservationFeeCents membershipFeeTypes finePolicy { kind perDayCents } } version } } } } }`,
    );
    expect(imported.libraries.nodes).toContainEqual({
      name: 'Bibliotheek Valkenswaard',
      settings: {
        values: {
          loanPeriodDays: 28,
          reservationFeeCents: 75,
          membershipFeeTypes: ['BASIS', 'JEUGD', 'PLUS', 'VOLLEDIG'],
          finePolicy: { kind: 'PER_DAY', perDayCents: 20 },
        },
        version: 1,
      },
    });
  });

  // Last: stops the collaboration subgraph.
  it("with the collaboration down, a POI's own fields still answer, and its harmonisation fields are null", async () => {
    await stack.stopSubgraph('collaboration');
    const response = await stack.query(`{ cubiss { libraries(first: 1) { totalCount } harmonisationScore harmonisation { settings { deviatingCount } } } }`);
    expect(response.data?.cubiss.libraries.totalCount).toBeGreaterThan(0);
    expect(response.data?.cubiss.harmonisationScore).toBeNull();
    expect(response.data?.cubiss.harmonisation).toBeNull();
    expect(response.errors?.length).toBeGreaterThan(0);
  });
});

describe('the harmonisation migrations', () => {
  it.each([
    ['LibrarySettings (POIs)', 'library_settings', [LibraryEntity, LibrarySettingsEntity], LibrarySettings1796530000001],
    ['HarmonisationStandard (collaboration)', 'harmonisation_standard', [HarmonisationStandardEntity], HarmonisationStandard1796530000000],
  ] as const)('%s: runs on SQLite, builds exactly its entity, and reverts', async (_, table, entities, migration) => {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [...entities], migrations: [migration] });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      // Only its own table is compared: the POI's library table comes from the kit's earlier migrations.
      const pending = (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query).filter((q) => q.includes(table));
      expect(pending).toEqual([]);
      await dataSource.undoLastMigration();
      expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE name = '${table}'`)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
