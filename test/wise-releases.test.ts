// Wise release planning (issue 14, item 2), through the real gateway: the collaboration's releases
// with every POI's acceptance test, resolved by each POI's own subgraph from its own database;
// a POI's write changes only its own acceptance, is refused to another POI's token, audited,
// versioned and validated; the collaboration's release writes; tickets linked to a release; and
// both migrations on SQLite.
import { DataSource } from 'typeorm';
import { POIS } from '../shared/registry';
import { demoWiseReleases, releaseAcceptanceTypeName } from '../shared/wise-releases';
import { ReleaseAcceptanceEntity } from '../poi-kit/entities';
import { ReleaseAcceptance1796520000000 } from '../poi-kit/migrations/1796520000000-ReleaseAcceptance';
import { WiseReleaseEntity } from '../subgraphs/collaboration/src/entities';
import { WiseReleases1796520000000 } from '../subgraphs/collaboration/migrations/1796520000000-WiseReleases';
import { GraphQLResponse, startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);
const db = (subgraph: string) => stack.subgraphs.get(subgraph)!.database.dataSource;

async function data(query: string, variables?: Record<string, unknown>, token?: string): Promise<any> {
  const response = token ? await stack.queryAs(token, query, variables) : await stack.query(query, variables);
  expect({ status: response.status, errors: response.errors }).toEqual({ status: 200, errors: undefined });
  return response.data;
}

/** The release in test, from the collaboration's own table (not from the code under test). */
async function releaseInTest(): Promise<{ version: string; releasedOn: string }> {
  const [row] = await db('collaboration').query(
    `SELECT wise_version AS version, CAST(released_on AS CHAR) AS releasedOn FROM wise_release WHERE status = 'IN_TEST' ORDER BY released_on LIMIT 1`,
  );
  return { version: row.version, releasedOn: String(row.releasedOn).slice(0, 10) };
}

const ACCEPTANCE = `releaseVersion testStatus plannedGoLiveOn actualGoLiveOn notes version`;

describe('reading the release planning', () => {
  it("lists the releases by release date, each with every POI's acceptance as stored in that POI's own database", async () => {
    const { wiseReleases } = await data(`{ wiseReleases { version releasedOn status notes revision acceptance { __typename poi { code } ${ACCEPTANCE} } } }`);
    const rows = await db('collaboration').query('SELECT wise_version AS version, released_on AS releasedOn, status FROM wise_release');
    expect(wiseReleases.map((r: any) => r.version).sort()).toEqual(rows.map((r: any) => r.version).sort());
    const dates = wiseReleases.map((r: any) => r.releasedOn);
    expect(dates).toEqual([...dates].sort());
    for (const release of wiseReleases) {
      expect(release.acceptance.map((a: any) => a.poi.code)).toEqual(POIS.map((p) => p.code).sort());
      for (const acceptance of release.acceptance) {
        const poi = POIS.find((p) => p.code === acceptance.poi.code)!;
        expect(acceptance.__typename).toBe(releaseAcceptanceTypeName(poi));
        const [own] = await db(poi.subgraphName).query(
          'SELECT test_status AS testStatus, CAST(planned_go_live_on AS CHAR) AS planned, CAST(actual_go_live_on AS CHAR) AS actual, notes, version FROM release_acceptance WHERE release_version = ?',
          [release.version],
        );
        const day = (value: unknown) => (value === null || value === undefined ? null : String(value).slice(0, 10));
        expect([
          release.version,
          poi.code,
          acceptance.testStatus,
          acceptance.plannedGoLiveOn,
          acceptance.actualGoLiveOn,
          acceptance.notes,
          acceptance.version,
        ]).toEqual([
          release.version,
          poi.code,
          own?.testStatus ?? 'NOT_STARTED',
          day(own?.planned),
          day(own?.actual),
          own?.notes ?? null,
          own ? Number(own.version) : 0,
        ]);
      }
    }
    // The seed's demo releases: versions say DEMO, and the one in test differs per POI (at least two stages).
    expect(wiseReleases.every((r: any) => r.version.startsWith('DEMO-'))).toBe(true);
    const inTest = wiseReleases.find((r: any) => r.status === 'IN_TEST');
    expect(new Set(inTest.acceptance.map((a: any) => a.testStatus)).size).toBeGreaterThan(1);
  });

  it("filters by status, finds one release and the next one, and reaches a POI's acceptance from its own root field", async () => {
    const inTest = await releaseInTest();
    const { wiseReleases, wiseRelease, missing, nextWiseRelease } = await data(
      `query($v: String!) { wiseReleases(status: [IN_TEST, ANNOUNCED]) { status releasedOn } wiseRelease(version: $v) { version releasedOn } missing: wiseRelease(version: "0.0-none") { version } nextWiseRelease { version } }`,
      { v: inTest.version },
    );
    const open = await db('collaboration').query(
      `SELECT wise_version AS version FROM wise_release WHERE status IN ('IN_TEST', 'ANNOUNCED') ORDER BY released_on`,
    );
    expect(wiseReleases).toHaveLength(open.length);
    expect(wiseReleases.every((r: any) => ['IN_TEST', 'ANNOUNCED'].includes(r.status))).toBe(true);
    expect(wiseRelease).toEqual(inTest);
    expect(missing).toBeNull();
    expect(nextWiseRelease.version).toBe(open[0].version);

    const { cubiss, pois } = await data(
      `query($v: String!) { cubiss { releaseAcceptances { releaseVersion testStatus release { releasedOn status } poi { code name } } releaseAcceptance(releaseVersion: $v) { testStatus version } }
         pois { code releaseAcceptance(releaseVersion: $v) { testStatus } } }`,
      { v: inTest.version },
    );
    const stored = await db('cubiss').query('SELECT release_version AS version FROM release_acceptance ORDER BY release_version');
    expect(cubiss.releaseAcceptances.map((a: any) => a.releaseVersion)).toEqual(stored.map((r: any) => r.version));
    for (const a of cubiss.releaseAcceptances) expect(a.poi).toEqual({ code: 'CUBISS', name: 'Cubiss' });
    expect(pois.find((p: any) => p.code === 'CUBISS').releaseAcceptance.testStatus).toBe(cubiss.releaseAcceptance.testStatus);
  });

  it("lists the tickets linked to a release, as each POI's ticket list filtered by releaseVersion", async () => {
    const [linked] = await db('rijnbrink').query(
      'SELECT release_version AS version, COUNT(*) AS count FROM ticket WHERE release_version IS NOT NULL GROUP BY release_version ORDER BY COUNT(*) DESC LIMIT 1',
    );
    expect(Number(linked.count)).toBeGreaterThan(0);
    const { rijnbrink, wiseRelease } = await data(
      `query($v: String!) { rijnbrink { tickets(filter: { releaseVersion: $v }, first: 100) { totalCount nodes { id wiseRelease { version releasedOn } } } }
         wiseRelease(version: $v) { acceptance { poi { code } tickets(first: 100) { totalCount nodes { id } } } } }`,
      { v: linked.version },
    );
    expect(rijnbrink.tickets.totalCount).toBe(Number(linked.count));
    for (const ticket of rijnbrink.tickets.nodes) expect(ticket.wiseRelease.version).toBe(linked.version);
    const own = wiseRelease.acceptance.find((a: any) => a.poi.code === 'RIJNBRINK');
    expect(own.tickets.totalCount).toBe(Number(linked.count));
    expect(own.tickets.nodes.map((n: any) => n.id).sort()).toEqual(rijnbrink.tickets.nodes.map((n: any) => n.id).sort());
    let total = 0;
    for (const acceptance of wiseRelease.acceptance) {
      const poi = POIS.find((p) => p.code === acceptance.poi.code)!;
      const [count] = await db(poi.subgraphName).query('SELECT COUNT(*) AS count FROM ticket WHERE release_version = ?', [linked.version]);
      expect([poi.code, acceptance.tickets.totalCount]).toEqual([poi.code, Number(count.count)]);
      total += Number(count.count);
    }
    // The network list takes the same filter, over every POI, with the release on each node.
    const { network } = await data(
      `query($v: String!) { network { tickets(filter: { releaseVersion: $v }, first: 100) { totalCount nodes { poi { code } wiseRelease { version } } } } }`,
      { v: linked.version },
    );
    expect(network.tickets.totalCount).toBe(total);
    for (const node of network.tickets.nodes) expect(node.wiseRelease.version).toBe(linked.version);
  });
});

describe('linking a ticket to a release', () => {
  it('accepts a version of the release planning, refuses an unknown one, and unlinks with null', async () => {
    const staff = await stack.token(['network:read', 'poi:bisc:read', 'poi:bisc:write'], 'bisc-staff');
    const { version } = await releaseInTest();
    const [library] = await db('bisc').query(`SELECT id FROM library WHERE status = 'ACTIVE' ORDER BY id LIMIT 1`);
    const CREATE = `mutation($input: TicketInput!) { bisc { createTicket(input: $input) { id version wiseRelease { version status } } } }`;
    const input = { libraryId: String(library.id), title: 'Fout na release', category: 'CATALOGUE', priority: 'P3' };
    const unknown = await stack.queryAs(staff, CREATE, { input: { ...input, releaseVersion: '0.0.1' } });
    expect(unknown.errors![0].extensions!.problems).toEqual([{ field: 'input.releaseVersion', message: '0.0.1 is not a release of the release planning' }]);
    const created = (await data(CREATE, { input: { ...input, releaseVersion: version } }, staff)).bisc.createTicket;
    expect(created.wiseRelease).toEqual({ version, status: 'IN_TEST' });
    const [row] = await db('bisc').query('SELECT release_version AS version FROM ticket WHERE id = ?', [Number(created.id)]);
    expect(row.version).toBe(version);
    const UPDATE = `mutation($id: ID!, $input: TicketUpdateInput!) { bisc { updateTicket(id: $id, input: $input) { wiseRelease { version } } } }`;
    const unlinked = (await data(UPDATE, { id: created.id, input: { releaseVersion: null, expectedVersion: created.version } }, staff)).bisc.updateTicket;
    expect(unlinked.wiseRelease).toBeNull();
  });
});

describe('a POI records its acceptance test', () => {
  const SET = `mutation($v: String!, $input: ReleaseAcceptanceInput!) { probiblio { setReleaseAcceptance(releaseVersion: $v, input: $input) { ${ACCEPTANCE} } } }`;
  const snapshot = async () =>
    Object.fromEntries(
      await Promise.all(
        POIS.map(async (poi) => [
          poi.code,
          await db(poi.subgraphName).query(
            'SELECT release_version, test_status, planned_go_live_on, actual_go_live_on, notes, version FROM release_acceptance ORDER BY id',
          ),
        ]),
      ),
    );

  it('changes only its own acceptance, versioned, and records it in its own audit trail', async () => {
    const staff = await stack.token(['network:read', 'poi:probiblio:read', 'poi:probiblio:write'], 'probiblio-tester');
    const { version } = await releaseInTest();
    const before = await snapshot();
    const current = (await data(`query($v: String!) { probiblio { releaseAcceptance(releaseVersion: $v) { testStatus version } } }`, { v: version }, staff))
      .probiblio.releaseAcceptance;
    // Whatever the seed left, a move the transitions allow: from IN_PROGRESS to FAILED, else to IN_PROGRESS.
    const next = current.testStatus === 'IN_PROGRESS' ? 'FAILED' : 'IN_PROGRESS';
    const written = (await data(SET, { v: version, input: { testStatus: next, notes: 'Reserveringen getest', expectedVersion: current.version } }, staff))
      .probiblio.setReleaseAcceptance;
    expect(written).toMatchObject({ releaseVersion: version, testStatus: next, notes: 'Reserveringen getest', version: current.version + 1 });

    const after = await snapshot();
    for (const poi of POIS.filter((p) => p.code !== 'PROBIBLIO')) expect([poi.code, after[poi.code]]).toEqual([poi.code, before[poi.code]]);
    const own = after.PROBIBLIO.find((r: any) => r.release_version === version);
    expect([own.test_status, own.notes, Number(own.version)]).toEqual([next, 'Reserveringen getest', current.version + 1]);

    const [entry] = await db('probiblio').query(
      `SELECT actor, via, action, changes FROM audit_entry WHERE entity = 'RELEASE_ACCEPTANCE' ORDER BY id DESC LIMIT 1`,
    );
    expect([entry.actor, entry.via, entry.action]).toEqual(['probiblio-tester', 'mutation', current.version === 0 ? 'CREATE' : 'UPDATE']);
    expect(JSON.parse(entry.changes).testStatus.to).toBe(next);
    const { probiblio } = await data(
      `{ probiblio { audit(entity: RELEASE_ACCEPTANCE, first: 1) { nodes { actor entity changes { field to } } } } }`,
      undefined,
      staff,
    );
    expect(probiblio.audit.nodes[0].changes).toContainEqual({ field: 'testStatus', to: JSON.stringify(next) });

    // The same version again is a conflict: someone (this test) changed it meanwhile.
    const stale = await stack.queryAs(staff, SET, { v: version, input: { notes: 'later', expectedVersion: current.version } });
    expect(codes(stale)).toEqual(['CONFLICT']);
  });

  it('creates the acceptance of a release it had recorded nothing for with expectedVersion 0, then goes live after a PASSED test', async () => {
    const staff = await stack.token(['network:read', 'poi:probiblio:write'], 'probiblio-tester');
    const coordinator = await stack.token(['network:read', 'collaboration:write'], 'coordinator');
    const releasedOn = '2025-03-01';
    const created = await data(
      `mutation { collaboration { createWiseRelease(input: { version: "25.1-test", releasedOn: "${releasedOn}", status: RELEASED, notes: "Testrelease" }) { version revision acceptance { poi { code } testStatus version } } } }`,
      undefined,
      coordinator,
    );
    expect(created.collaboration.createWiseRelease.acceptance.every((a: any) => a.testStatus === 'NOT_STARTED' && a.version === 0)).toBe(true);
    const v = '25.1-test';
    const first = (await data(SET, { v, input: { testStatus: 'IN_PROGRESS', plannedGoLiveOn: '2025-03-10', expectedVersion: 0 } }, staff)).probiblio
      .setReleaseAcceptance;
    expect(first).toMatchObject({ testStatus: 'IN_PROGRESS', plannedGoLiveOn: '2025-03-10', version: 1 });
    const passed = (await data(SET, { v, input: { testStatus: 'PASSED', actualGoLiveOn: '2025-03-12', expectedVersion: 1 } }, staff)).probiblio
      .setReleaseAcceptance;
    expect(passed).toMatchObject({ testStatus: 'PASSED', actualGoLiveOn: '2025-03-12', plannedGoLiveOn: '2025-03-10', version: 2 });
    const [row] = await db('probiblio').query(
      `SELECT COUNT(*) AS count FROM audit_entry WHERE entity = 'RELEASE_ACCEPTANCE' AND entity_id = (SELECT CAST(id AS CHAR) FROM release_acceptance WHERE release_version = ?)`,
      [v],
    );
    expect(Number(row.count)).toBe(2);
  });

  it('two first writes for the same release at once: exactly one wins, the other is a CONFLICT', async () => {
    const staff = await stack.token(['network:read', 'poi:probiblio:write'], 'probiblio-tester');
    const coordinator = await stack.token(['network:read', 'collaboration:write'], 'coordinator');
    await data(
      `mutation { collaboration { createWiseRelease(input: { version: "25.2-race", releasedOn: "2025-06-01", notes: "Race" }) { version } } }`,
      undefined,
      coordinator,
    );
    const attempts = await Promise.all(
      ['eerste', 'tweede'].map((notes) => stack.queryAs(staff, SET, { v: '25.2-race', input: { testStatus: 'IN_PROGRESS', notes, expectedVersion: 0 } })),
    );
    expect(attempts.map((a) => (a.errors ? a.errors[0].extensions?.code : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
    const rows = await db('probiblio').query(`SELECT notes, version FROM release_acceptance WHERE release_version = '25.2-race'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].notes).toBe(attempts.find((a) => !a.errors)!.data.probiblio.setReleaseAcceptance.notes);
  });

  it("refuses another POI's token (FORBIDDEN) and writes nothing", async () => {
    const cubissStaff = await stack.token(['network:read', 'poi:cubiss:read', 'poi:cubiss:write'], 'cubiss-staff');
    const { version } = await releaseInTest();
    const before = await snapshot();
    const refused = await stack.queryAs(cubissStaff, SET, { v: version, input: { testStatus: 'IN_PROGRESS', expectedVersion: 0 } });
    expect(refused.data?.probiblio ?? null).toBeNull();
    expect(codes(refused)).toContain('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses invalid input with the field paths, and a release the planning does not have', async () => {
    const staff = await stack.token(['network:read', 'poi:probiblio:write'], 'probiblio-tester');
    const before = await snapshot();
    // (A day like 2025-02-30 is refused by the Date scalar before any resolver runs.)
    const bad = await stack.queryAs(staff, SET, { v: 'no such/version', input: { notes: 'x'.repeat(2001), expectedVersion: -1 } });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect((bad.errors![0].extensions!.problems as any[]).map((p) => p.field).sort()).toEqual(['input.expectedVersion', 'input.notes', 'releaseVersion']);

    const unknown = await stack.queryAs(staff, SET, { v: '99.9', input: { testStatus: 'IN_PROGRESS', expectedVersion: 0 } });
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors![0].extensions!.problems).toEqual([{ field: 'releaseVersion', message: '99.9 is not a release of the release planning' }]);

    // On the release the previous test took to PASSED (version 2): a move the transitions do not
    // allow, a go-live without a PASSED test and before the release date, and one in the future.
    const jump = await stack.queryAs(staff, SET, { v: '25.1-test', input: { testStatus: 'FAILED', expectedVersion: 2 } });
    // (and the go-live recorded stays, which needs PASSED: leaving PASSED means clearing it with actualGoLiveOn: null)
    expect(jump.errors![0].extensions!.problems).toEqual([
      { field: 'input.testStatus', message: 'cannot go from PASSED to FAILED (from PASSED: IN_PROGRESS)' },
      { field: 'input.actualGoLiveOn', message: 'needs the acceptance test PASSED (it is FAILED)' },
    ]);
    const live = await stack.queryAs(staff, SET, { v: '25.1-test', input: { testStatus: 'IN_PROGRESS', actualGoLiveOn: '2025-02-01', expectedVersion: 2 } });
    expect(codes(live)).toEqual(['BAD_USER_INPUT']);
    expect((live.errors![0].extensions!.problems as any[]).map((p) => p.message).sort()).toEqual([
      'must not be before the release date 2025-03-01',
      'needs the acceptance test PASSED (it is IN_PROGRESS)',
    ]);
    const future = await stack.queryAs(staff, SET, { v: '25.1-test', input: { actualGoLiveOn: '2199-01-01', expectedVersion: 2 } });
    expect(future.errors![0].extensions!.problems).toEqual([{ field: 'input.actualGoLiveOn', message: 'must not be in the future' }]);
    // Refused writes change nothing (the earlier tests' rows as they were).
    const after = await snapshot();
    expect(after).toEqual(before);
  });
});

describe("the collaboration's release writes", () => {
  it('needs collaboration:write, validates, moves the state only forward, locks by revision and audits', async () => {
    const coordinator = await stack.token(['network:read', 'collaboration:write'], 'coordinator');
    const reader = await stack.token(['network:read', 'poi:cubiss:write'], 'reader');
    const CREATE = `mutation($input: WiseReleaseInput!) { collaboration { createWiseRelease(input: $input) { version releasedOn status notes revision } } }`;
    const UPDATE = `mutation($v: String!, $input: WiseReleaseUpdateInput!) { collaboration { updateWiseRelease(version: $v, input: $input) { version status revision } } }`;

    const refused = await stack.queryAs(reader, CREATE, { input: { version: '26.9', releasedOn: '2026-09-01', notes: 'x' } });
    expect(codes(refused)).toContain('FORBIDDEN');
    const bad = await stack.queryAs(coordinator, CREATE, { input: { version: 'bad version!', releasedOn: '2026-10-01', status: 'RELEASED', notes: ' ' } });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect((bad.errors![0].extensions!.problems as any[]).map((p) => p.field).sort()).toEqual(['input.notes', 'input.version']);

    const created = (await data(CREATE, { input: { version: '26.9', releasedOn: '2026-09-01', notes: 'Nieuwe release' } }, coordinator)).collaboration
      .createWiseRelease;
    expect(created).toEqual({ version: '26.9', releasedOn: '2026-09-01', status: 'ANNOUNCED', notes: 'Nieuwe release', revision: 1 });
    const duplicate = await stack.queryAs(coordinator, CREATE, { input: { version: '26.9', releasedOn: '2026-09-01', notes: 'Nog eens' } });
    expect(codes(duplicate)).toEqual(['BAD_USER_INPUT']);

    const moved = (await data(UPDATE, { v: '26.9', input: { status: 'RELEASED', expectedRevision: 1 } }, coordinator)).collaboration.updateWiseRelease;
    expect(moved).toEqual({ version: '26.9', status: 'RELEASED', revision: 2 });
    const back = await stack.queryAs(coordinator, UPDATE, { v: '26.9', input: { status: 'IN_TEST', expectedRevision: 2 } });
    expect(codes(back)).toEqual(['BAD_USER_INPUT']);
    expect((back.errors![0].extensions!.problems as any[])[0]).toEqual({ field: 'input.status', message: 'cannot go from RELEASED to IN_TEST' });
    const stale = await stack.queryAs(coordinator, UPDATE, { v: '26.9', input: { notes: 'x', expectedRevision: 1 } });
    expect(codes(stale)).toEqual(['CONFLICT']);
    const missing = await stack.queryAs(coordinator, UPDATE, { v: '0.0', input: { notes: 'x', expectedRevision: 1 } });
    expect(codes(missing)).toEqual(['NOT_FOUND']);

    const [{ id }] = await db('collaboration').query(`SELECT id FROM wise_release WHERE wise_version = '26.9'`);
    const about = await db('collaboration').query(
      `SELECT actor, action, changes FROM audit_entry WHERE entity = 'WISE_RELEASE' AND entity_id = ? ORDER BY id`,
      [String(id)],
    );
    expect(about.map((e: any) => [e.actor, e.action])).toEqual([
      ['coordinator', 'CREATE'],
      ['coordinator', 'UPDATE'],
    ]);
    expect(JSON.parse(about[1].changes).status).toEqual({ from: 'ANNOUNCED', to: 'RELEASED' });
  });
});

describe('the release-planning migrations', () => {
  // The older migrations are MySQL's (the embedded database is built from the entities); these two run on both.
  it('POI: runs on SQLite, builds exactly release_acceptance and the ticket column, and reverts', async () => {
    const dataSource = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [ReleaseAcceptanceEntity],
      migrations: [ReleaseAcceptance1796520000000],
    });
    await dataSource.initialize();
    try {
      await dataSource.query('CREATE TABLE ticket (id integer PRIMARY KEY, opened_at datetime NOT NULL)');
      await dataSource.runMigrations();
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      expect((await dataSource.query('PRAGMA table_info(ticket)')).map((c: any) => c.name)).toEqual(['id', 'opened_at', 'release_version']);
      await dataSource.undoLastMigration();
      expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE name = 'release_acceptance'`)).toEqual([]);
      expect((await dataSource.query('PRAGMA table_info(ticket)')).map((c: any) => c.name)).toEqual(['id', 'opened_at']);
    } finally {
      await dataSource.destroy();
    }
  });

  it('collaboration: runs on SQLite, builds exactly wise_release, and reverts', async () => {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [WiseReleaseEntity], migrations: [WiseReleases1796520000000] });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      await dataSource.undoLastMigration();
      expect(await dataSource.query(`SELECT name FROM sqlite_master WHERE name = 'wise_release'`)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('the demo releases are generated around the seed date and labelled demo', () => {
    const releases = demoWiseReleases('2026-12-01');
    expect(releases.every((r) => r.version.startsWith('DEMO-') && r.notes.startsWith('Demo:'))).toBe(true);
    expect(
      releases
        .filter((r) => r.releasedOn > '2026-12-01')
        .map((r) => r.status)
        .sort(),
    ).toEqual(['ANNOUNCED', 'IN_TEST']);
  });
});
