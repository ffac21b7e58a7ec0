// Governance and membership of the partnership (collaboration subgraph): the kwartiermaker role,
// the besluitenlijst, the demo cost-sharing key, and the members with their join dates; the writes
// recordDecision and addMember (scope collaboration:write, validated, one transaction, audited).
import type { DataSource } from 'typeorm';
import { roleScopes } from '../shared/auth/identity';
import { POIS } from '../shared/registry';
import { costSharingKeyProblem } from '../subgraphs/collaboration/src/seed';
import { dataOf, startStack, Stack } from './helpers/stack';

let stack: Stack;
let db: DataSource;
beforeAll(async () => {
  stack = await startStack();
  db = stack.subgraphs.get('collaboration')!.database.dataSource;
});
afterAll(async () => {
  await stack?.stop();
});

const data = <T = any>(query: string, variables?: Record<string, unknown>) => dataOf<T>(stack, query, variables);

/** A refused write: its code and the problems' field paths. */
async function refused(query: string, variables?: Record<string, unknown>) {
  const response = await stack.query(query, variables);
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  return { code: error.extensions?.code, fields: ((error.extensions?.problems as { field: string }[]) ?? []).map((p) => p.field).sort() };
}

/** Rows in the collaboration's own tables, counted in its database. */
async function counts() {
  const count = async (table: string) => Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return { decisions: await count('decision'), members: await count('member'), audit: await count('audit_entry') };
}

const PARTNERSHIP = `{ partnership { startedOn
  kwartiermaker { role description staffedFrom name }
  decisions { id decidedOn title body decidedBy demo }
  costSharingKey { poi { code } sharePercent demo }
  members { kind poi { code } libraryId joinedOn } } }`;

const RECORD = `mutation Record($input: DecisionInput!) { collaboration { recordDecision(input: $input) { id decidedOn title decidedBy demo } } }`;
const ADD = `mutation Add($input: MemberInput!) { collaboration { addMember(input: $input) { kind poi { code } libraryId joinedOn } } }`;

describe('partnership: governance as seeded', () => {
  it('models the kwartiermaker, whose name the sources do not give', async () => {
    const { partnership } = await data(PARTNERSHIP);
    expect(partnership.kwartiermaker).toMatchObject({ role: 'kwartiermaker', name: null });
    expect(partnership.kwartiermaker.staffedFrom).toMatch(/POI/);
  });

  it('has the 2023 structural set-up decision as fact, and every other decision labelled demo, newest first', async () => {
    const { partnership } = await data(PARTNERSHIP);
    const decisions = partnership.decisions;
    const facts = decisions.filter((d: any) => !d.demo);
    expect(facts).toHaveLength(1);
    expect(facts[0].decidedOn.slice(0, 4)).toBe('2023');
    expect(facts[0].title).toMatch(/[Ss]tructurele inrichting/);
    for (const decision of decisions.filter((d: any) => d.demo)) expect(decision.title).toMatch(/^Demo/);
    const days = decisions.map((d: any) => d.decidedOn);
    expect(days).toEqual([...days].sort().reverse());
  });

  it('has a demo cost-sharing key over every POI whose shares sum to 100 %', async () => {
    const { partnership } = await data(PARTNERSHIP);
    const key = partnership.costSharingKey;
    expect(key.map((s: any) => s.poi.code).sort()).toEqual(POIS.map((p) => p.code).sort());
    expect(key.every((s: any) => s.demo === true)).toBe(true);
    // Recounted in the database, in cents.
    const [{ total }] = await db.query('SELECT SUM(share_percent * 100) AS total FROM cost_share');
    expect(Number(total)).toBe(10_000);
    expect(key.reduce((sum: number, s: any) => sum + Math.round(s.sharePercent * 100), 0)).toBe(10_000);
  });

  it('the cost-sharing key check refuses a key that does not sum to 100 % or has shares out of range', () => {
    expect(
      costSharingKeyProblem([
        { poiCode: 'A', sharePercent: 33.33 },
        { poiCode: 'B', sharePercent: 33.33 },
        { poiCode: 'C', sharePercent: 33.34 },
      ]),
    ).toBeNull();
    expect(
      costSharingKeyProblem([
        { poiCode: 'A', sharePercent: 50 },
        { poiCode: 'B', sharePercent: 49.99 },
      ]),
    ).toMatch(/sum to 99\.99 %/);
    expect(
      costSharingKeyProblem([
        { poiCode: 'A', sharePercent: 120 },
        { poiCode: 'B', sharePercent: -20 },
      ]),
    ).toMatch(/share of A/);
    expect(
      costSharingKeyProblem([
        { poiCode: 'A', sharePercent: 99.995 },
        { poiCode: 'B', sharePercent: 0.005 },
      ]),
    ).toMatch(/two decimals/);
  });

  it('has the founding POIs as members since 2021-10-01', async () => {
    const { partnership } = await data(PARTNERSHIP);
    const founders = partnership.members.filter((m: any) => m.kind === 'POI');
    expect(founders.map((m: any) => m.poi.code).sort()).toEqual(POIS.map((p) => p.code).sort());
    for (const member of founders) expect(member).toMatchObject({ joinedOn: '2021-10-01', libraryId: null });
    expect(partnership.startedOn).toBe('2021-10-01');
  });
});

describe('recordDecision', () => {
  const decision = (overrides: Record<string, unknown> = {}) => ({
    id: 'BL-2026-07',
    decidedOn: '2026-03-12',
    title: 'Releasekalender vastgesteld',
    body: 'De stuurgroep stelt de releasekalender voor 2026 vast.',
    decidedBy: 'Stuurgroep',
    ...overrides,
  });

  it('refuses bad input with every field path, and writes nothing', async () => {
    const before = await counts();
    const future = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    expect(await refused(RECORD, { input: decision({ id: 'besluit 7', title: ' ', decidedBy: '' }) })).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['input.decidedBy', 'input.id', 'input.title'],
    });
    expect((await refused(RECORD, { input: decision({ id: `BL-${future.slice(0, 4)}-01`, decidedOn: future }) })).fields).toEqual(['input.decidedOn']);
    expect((await refused(RECORD, { input: decision({ id: 'BL-2025-07' }) })).fields).toEqual(['input.id']);
    expect((await refused(RECORD, { input: decision({ id: 'BL-2023-01', decidedOn: '2023-12-31' }) })).fields).toEqual(['input.id']);
    expect(await counts()).toEqual(before);
  });

  it('records it once, newest first in the besluitenlijst, audited with the caller; the same id again is refused', async () => {
    const before = await counts();
    const recorded = (await data(RECORD, { input: decision() })).collaboration.recordDecision;
    expect(recorded).toEqual({ id: 'BL-2026-07', decidedOn: '2026-03-12', title: 'Releasekalender vastgesteld', decidedBy: 'Stuurgroep', demo: false });
    const { partnership } = await data(PARTNERSHIP);
    expect(partnership.decisions[0].id).toBe('BL-2026-07');
    const [audit] = await db.query(`SELECT actor, via, action, changes FROM audit_entry WHERE entity = 'DECISION' AND entity_id = 'BL-2026-07'`);
    expect(audit).toMatchObject({ actor: 'test-all-scopes', via: 'mutation', action: 'CREATE' });
    expect(JSON.parse(audit.changes).title).toEqual({ from: null, to: 'Releasekalender vastgesteld' });
    expect((await refused(RECORD, { input: decision({ title: 'Nogmaals' }) })).fields).toEqual(['input.id']);
    expect(await counts()).toEqual({ ...before, decisions: before.decisions + 1, audit: before.audit + 1 });
  });
});

describe('addMember', () => {
  it('adds one library of a POI as a member, audited; the same library or an existing POI again is refused', async () => {
    const { cubiss } = await data(`{ cubiss { libraries(first: 1) { nodes { id name } } } }`);
    const libraryId = cubiss.libraries.nodes[0].id;
    const before = await counts();
    const added = (await data(ADD, { input: { poiCode: 'cubiss', libraryId, joinedOn: '2024-01-01' } })).collaboration.addMember;
    expect(added).toEqual({ kind: 'LIBRARY', poi: { code: 'CUBISS' }, libraryId, joinedOn: '2024-01-01' });
    const { partnership } = await data(PARTNERSHIP);
    expect(partnership.members).toContainEqual(added);
    // Oldest first.
    const joined = partnership.members.map((m: any) => m.joinedOn);
    expect(joined).toEqual([...joined].sort());
    expect(await counts()).toEqual({ ...before, members: before.members + 1, audit: before.audit + 1 });
    const [audit] = await db.query(`SELECT action, changes FROM audit_entry WHERE entity = 'MEMBER' ORDER BY id DESC LIMIT 1`);
    expect(JSON.parse(audit.changes)).toMatchObject({ poiCode: { to: 'CUBISS' }, libraryId: { to: Number(libraryId) }, joinedOn: { to: '2024-01-01' } });

    expect((await refused(ADD, { input: { poiCode: 'CUBISS', libraryId, joinedOn: '2025-01-01' } })).fields).toEqual(['input.libraryId']);
    expect((await refused(ADD, { input: { poiCode: 'BISC', joinedOn: '2025-01-01' } })).fields).toEqual(['input.poiCode']);
    expect(await counts()).toEqual({ ...before, members: before.members + 1, audit: before.audit + 1 });
  });

  it('refuses an unknown POI, a library id that is no id, and a join date before the partnership started', async () => {
    const before = await counts();
    expect(await refused(ADD, { input: { poiCode: 'FRYSLAN', libraryId: 'abc', joinedOn: '2021-09-30' } })).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['input.joinedOn', 'input.libraryId', 'input.poiCode'],
    });
    expect(await counts()).toEqual(before);
  });
});

describe('governance writes need collaboration:write', () => {
  it("a POI's staff and an analyst may read governance but not write it", async () => {
    const bisc = POIS.find((p) => p.code === 'BISC')!;
    for (const scopes of [roleScopes('poi-staff', bisc), roleScopes('analyst')]) {
      const token = await stack.token(scopes);
      const read = await stack.queryAs(token, `{ partnership { decisions { id } members { joinedOn } } }`);
      expect(read.errors).toBeUndefined();
      const before = await counts();
      const write = await stack.queryAs(
        token,
        `mutation { collaboration { addMember(input: { poiCode: "BISC", libraryId: "1", joinedOn: "2024-01-01" }) { kind } } }`,
      );
      expect(write.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(await counts()).toEqual(before);
    }
    const coordinator = await stack.token(roleScopes('coordinator'), 'coordinator');
    const allowed = await stack.queryAs(
      coordinator,
      `mutation { collaboration { recordDecision(input: { id: "BL-2025-09", decidedOn: "2025-09-01", title: "Kwartiermaker benoemd", body: "De stuurgroep benoemt een kwartiermaker uit de eigen staf.", decidedBy: "Stuurgroep" }) { id } } }`,
    );
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data.collaboration.recordDecision.id).toBe('BL-2025-09');
  });
});
