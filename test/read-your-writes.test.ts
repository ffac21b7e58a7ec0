// Read your writes (README "Caching", gateway/src/cache-tags.ts): for every mutation of the
// composed supergraph, a cached answer made before the write is answered fresh right after it,
// through the same gateway (in-memory cache) and through a second gateway sharing Redis; an
// import invalidates; the operator's invalidation route; a read racing a write (held back by a proxy).
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildASTSchema, getNamedType, GraphQLObjectType, parse } from 'graphql';
import { PROJECT_ROOT } from '../shared/config';
import { ALL_SCOPES } from './helpers/auth';
import { redisIt, startRedis } from './helpers/redis';
import { startStack, type Stack } from './helpers/stack';
import type { RunningServer } from '../shared/server';
import { connectRedis, redisChangeBus, type ChangeEvent } from '../shared/changes';

/** The cached read: every POI's figures (60 s) under the registry (300 s), fetched from the collaboration and every POI. */
const OVERVIEW = `query ReadYourWrites { pois { code inSteeringGroup stats {
  libraryCount branchCount memberCount activeContractCount openTicketCount
  ticketsByStatus { key count } ticketsByPriority { key count } contractsExpiringWithin(days: 3660) } } }`;

type Overview = { pois: { code: string; stats: Record<string, any> }[] };

async function post(url: string, token: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { age: response.headers.get('age'), body: (await response.json()) as { data?: any; errors?: any[] } };
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const statsOf = (overview: Overview, poi: string) => overview.pois.find((p) => p.code === poi.toUpperCase())!.stats;
const countOf = (list: { key: string; count: number }[], key: string) => list.find((k) => k.key === key)?.count ?? 0;

/** One write: what it needs found out first (through the uncached gateway), then the write itself, then what it implies for the cached figures. */
interface Case {
  prepare(context: CaseContext): Promise<any>;
  write(prepared: any, context: CaseContext): { query: string; variables?: Record<string, unknown> };
  /** What the write implies for the written POI's figures, recounted apart from the gateway where it says so. */
  implies?(before: Record<string, any>, after: Record<string, any>, prepared: any, context: CaseContext): Promise<void> | void;
}

interface CaseContext {
  stack: Stack;
  /** The POI (subgraph name) a kit write goes to. */
  poi: string;
  /** Makes ids and names unique per run. */
  run: string;
  data(query: string, variables?: Record<string, unknown>): Promise<any>;
  sql(query: string): Promise<number>;
}

const kit = (field: string, args: string, selection = 'id') => `mutation W($poi: String) { POI { ${field}(${args}) { ${selection} } } }`;
const at = (poi: string, query: string) => query.replace('mutation W($poi: String) { POI', `mutation { ${poi}`);

async function activeLibrary(context: CaseContext): Promise<string> {
  const found = await context.data(`{ ${context.poi} { libraries(filter: { status: ACTIVE }, first: 1) { nodes { id } } } }`);
  return found[context.poi].libraries.nodes[0].id;
}
async function activeContract(context: CaseContext): Promise<{ id: string; version: number; endsOn: string }> {
  const found = await context.data(`{ ${context.poi} { contracts(filter: { status: ACTIVE, endsAfter: "${day(30)}" }, first: 1) { nodes { id version endsOn } } } }`);
  return found[context.poi].contracts.nodes[0];
}
async function openTicket(context: CaseContext, status = 'OPEN'): Promise<{ id: string; version: number; priority: string }> {
  const found = await context.data(`{ ${context.poi} { tickets(filter: { status: [${status}] }, first: 1) { nodes { id version priority } } } }`);
  return found[context.poi].tickets.nodes[0];
}
const OPEN_TICKETS = `SELECT COUNT(*) AS n FROM ticket WHERE status IN ('OPEN', 'IN_PROGRESS', 'WAITING')`;

/** The kit's writes, in every POI; each case names what it implies. */
const KIT_CASES: Record<string, Case> = {
  upsertLibrary: {
    prepare: async (c) => {
      const { poi } = await c.data(`{ poi(code: "${c.poi}") { provinces } }`);
      return { province: poi.provinces[0], name: `Bibliotheek Leesmee ${c.run} (demo)`, members: 1234 };
    },
    write: (p, c) => ({
      query: at(c.poi, kit('upsertLibrary', 'input: $input')).replace('mutation {', 'mutation ($input: LibraryInput!) {'),
      variables: { input: { name: p.name, province: p.province, municipalities: ['Leesmee'], memberCount: p.members } },
    }),
    implies: async (before, after, p, c) => {
      expect(after.libraryCount).toBe(before.libraryCount + 1);
      expect(after.memberCount).toBe(before.memberCount + p.members);
      expect(after.libraryCount).toBe(await c.sql(`SELECT COUNT(*) AS n FROM library WHERE status = 'ACTIVE'`));
    },
  },
  createContract: {
    // A library of its own: one library has at most one ACTIVE agreement.
    prepare: async (c) => {
      const { poi } = await c.data(`{ poi(code: "${c.poi}") { provinces } }`);
      const input = { name: `Bibliotheek Zonder DVO ${c.run} (demo)`, province: poi.provinces[0], municipalities: ['Leesmee'], memberCount: 10 };
      const created = await c.data(`mutation ($input: LibraryInput!) { ${c.poi} { upsertLibrary(input: $input) { id } } }`, { input });
      return { libraryId: created[c.poi].upsertLibrary.id };
    },
    write: (p, c) => ({
      query: at(
        c.poi,
        kit(
          'createContract',
          `input: { libraryId: "${p.libraryId}", services: [HELPDESK], startsOn: "${day(0)}", endsOn: "${day(200)}", annualFee: 1000, noticePeriodMonths: 3, status: ACTIVE }`,
        ),
      ),
    }),
    implies: async (before, after, _p, c) => {
      expect(after.activeContractCount).toBe(before.activeContractCount + 1);
      expect(after.activeContractCount).toBe(await c.sql(`SELECT COUNT(*) AS n FROM contract WHERE status = 'ACTIVE'`));
    },
  },
  renewContract: {
    prepare: activeContract,
    write: (p, c) => ({ query: at(c.poi, kit('renewContract', `id: "${p.id}", input: { endsOn: "${day(4000)}", expectedVersion: ${p.version} }`)) }),
    // Ending beyond 3660 days from now, it no longer counts as expiring within them.
    implies: (before, after) => expect(after.contractsExpiringWithin).toBe(before.contractsExpiringWithin - 1),
  },
  terminateContract: {
    prepare: activeContract,
    write: (p, c) => ({ query: at(c.poi, kit('terminateContract', `id: "${p.id}", input: { endsOn: "${day(1)}", expectedVersion: ${p.version} }`)) }),
    implies: async (before, after, _p, c) => {
      expect(after.activeContractCount).toBe(before.activeContractCount - 1);
      expect(after.activeContractCount).toBe(await c.sql(`SELECT COUNT(*) AS n FROM contract WHERE status = 'ACTIVE'`));
    },
  },
  createTicket: {
    prepare: async (c) => ({ libraryId: await activeLibrary(c) }),
    write: (p, c) => ({ query: at(c.poi, kit('createTicket', `input: { libraryId: "${p.libraryId}", title: "Pas geweigerd ${c.run}", category: CIRCULATION, priority: P2 }`)) }),
    implies: async (before, after, _p, c) => {
      expect(after.openTicketCount).toBe(before.openTicketCount + 1);
      expect(after.openTicketCount).toBe(await c.sql(OPEN_TICKETS));
    },
  },
  updateTicket: {
    prepare: (c) => openTicket(c),
    write: (p, c) => ({
      query: at(c.poi, kit('updateTicket', `id: "${p.id}", input: { priority: ${p.priority === 'P4' ? 'P3' : 'P4'}, expectedVersion: ${p.version} }`)),
    }),
    implies: (before, after, p) => {
      const to = p.priority === 'P4' ? 'P3' : 'P4';
      expect(countOf(after.ticketsByPriority, p.priority)).toBe(countOf(before.ticketsByPriority, p.priority) - 1);
      expect(countOf(after.ticketsByPriority, to)).toBe(countOf(before.ticketsByPriority, to) + 1);
    },
  },
  assignTicket: {
    prepare: (c) => openTicket(c),
    write: (p, c) => ({ query: at(c.poi, kit('assignTicket', `id: "${p.id}", input: { assignee: "Sanne", expectedVersion: ${p.version} }`)) }),
    // An OPEN request is IN_PROGRESS once assigned.
    implies: (before, after) => {
      expect(countOf(after.ticketsByStatus, 'OPEN')).toBe(countOf(before.ticketsByStatus, 'OPEN') - 1);
      expect(countOf(after.ticketsByStatus, 'IN_PROGRESS')).toBe(countOf(before.ticketsByStatus, 'IN_PROGRESS') + 1);
    },
  },
  resolveTicket: {
    prepare: (c) => openTicket(c),
    write: (p, c) => ({ query: at(c.poi, kit('resolveTicket', `id: "${p.id}", input: { expectedVersion: ${p.version} }`)) }),
    implies: async (before, after, _p, c) => {
      expect(after.openTicketCount).toBe(before.openTicketCount - 1);
      expect(after.openTicketCount).toBe(await c.sql(OPEN_TICKETS));
    },
  },
  // The writes below change nothing the cached figures count: the cached answer is still not served after them.
  createKnowledgeArticle: {
    prepare: async () => ({}),
    write: (_p, c) => ({
      query: at(c.poi, kit('createKnowledgeArticle', `input: { title: "Herstart ${c.run}", summary: "s", body: "b", tags: ["t"], source: "test" }`)),
    }),
  },
  updateKnowledgeArticle: {
    prepare: async (c) => (await c.data(`{ ${c.poi} { knowledgeArticles(first: 1) { nodes { id version } } } }`))[c.poi].knowledgeArticles.nodes[0],
    write: (p, c) => ({ query: at(c.poi, kit('updateKnowledgeArticle', `id: "${p.id}", input: { body: "Bijgewerkt ${c.run}", expectedVersion: ${p.version} }`)) }),
  },
  setReleaseAcceptance: {
    prepare: async (c) => {
      const { wiseReleases } = await c.data(`{ wiseReleases { version } }`);
      const version = wiseReleases[wiseReleases.length - 1].version;
      const found = await c.data(`query ($v: String!) { ${c.poi} { releaseAcceptance(releaseVersion: $v) { version } } }`, { v: version });
      return { release: version, version: found[c.poi].releaseAcceptance.version };
    },
    write: (p, c) => ({
      query: at(c.poi, kit('setReleaseAcceptance', `releaseVersion: "${p.release}", input: { notes: "Getest ${c.run}", expectedVersion: ${p.version} }`, 'version')),
    }),
  },
  updateLibrarySettings: {
    prepare: async (c) => {
      const id = await activeLibrary(c);
      const found = await c.data(`{ ${c.poi} { library(id: "${id}") { settings { version values { loanPeriodDays } } } } }`);
      return { id, settings: found[c.poi].library.settings };
    },
    write: (p, c) => ({
      query: at(
        c.poi,
        kit(
          'updateLibrarySettings',
          `libraryId: "${p.id}", input: { values: { loanPeriodDays: ${p.settings?.values.loanPeriodDays === 21 ? 28 : 21} }${p.settings ? `, expectedVersion: ${p.settings.version}` : ''} }`,
        ),
      ),
    }),
  },
};

/** Writes only one subgraph has, by `<root field>.<field>`. */
const OWN_CASES: Record<string, Case> = {
  'bisc.requestInterlibraryLoan': {
    prepare: async (c) => (await c.data(`{ bisc { interlibraryLoan { runs(first: 1) { nodes { stops { branch { id } } } } } } }`)).bisc.interlibraryLoan.runs.nodes[0].stops,
    write: (stops) => ({
      query: `mutation { bisc { requestInterlibraryLoan(input: { itemTitle: "Het Achterhuis", lendingBranchId: "${stops[0].branch.id}", requestingBranchId: "${stops[1].branch.id}", dueOn: "${day(10)}" }) { id } } }`,
    }),
  },
  'bisc.planTransportRun': {
    prepare: async (c) => (await c.data(`{ bisc { interlibraryLoan { runs(first: 1) { nodes { stops { branch { id } } } } } } }`)).bisc.interlibraryLoan.runs.nodes[0].stops,
    write: (stops, c) => ({
      query: `mutation { bisc { planTransportRun(input: { runOn: "${day(0)}", route: "Route ${c.run}", stops: [{ branchId: "${stops[0].branch.id}", plannedAt: "${day(0)}T00:00:00Z" }, { branchId: "${stops[1].branch.id}", plannedAt: "${day(0)}T00:01:00Z" }] }) { id } } }`,
    }),
  },
  'bisc.recordDelivery': {
    prepare: async (c) => {
      const { bisc } = await c.data(`{ bisc { interlibraryLoan { runs(first: 1) { nodes { stops { branch { id } } } } } } }`);
      const [a, b] = bisc.interlibraryLoan.runs.nodes[0].stops.map((s: any) => s.branch.id);
      const loan = await c.data(
        `mutation { bisc { requestInterlibraryLoan(input: { itemTitle: "Max Havelaar", lendingBranchId: "${a}", requestingBranchId: "${b}", dueOn: "${day(10)}" }) { id version } } }`,
      );
      const run = await c.data(
        `mutation { bisc { planTransportRun(input: { runOn: "${day(0)}", route: "Levering ${c.run}", stops: [{ branchId: "${a}", plannedAt: "${day(0)}T00:00:00Z" }, { branchId: "${b}", plannedAt: "${day(0)}T00:01:00Z" }] }) { id } } }`,
      );
      return { loan: loan.bisc.requestInterlibraryLoan, runId: run.bisc.planTransportRun.id };
    },
    write: (p) => ({
      query: `mutation { bisc { recordDelivery(id: "${p.loan.id}", input: { runId: "${p.runId}", deliveredAt: "${new Date().toISOString()}", expectedVersion: ${p.loan.version} }) { id } } }`,
    }),
  },
  'rijnbrink.lendSheetMusic': {
    prepare: async (c) => (await c.data(`{ rijnbrink { musidesk { sheetMusic(filter: { available: true }, first: 1) { nodes { id } } } } }`)).rijnbrink.musidesk.sheetMusic.nodes[0],
    write: (p) => ({
      query: `mutation { rijnbrink { lendSheetMusic(input: { sheetMusicId: "${p.id}", ensembleName: "Koor Demo", ensembleType: CHOIR, place: "Zutphen", sets: 1, dueOn: "${day(30)}" }) { id } } }`,
    }),
  },
  'rijnbrink.returnSheetMusic': {
    prepare: async (c) => {
      const { rijnbrink } = await c.data(`{ rijnbrink { musidesk { sheetMusic(filter: { available: true }, first: 1) { nodes { id } } } } }`);
      const lent = await c.data(
        `mutation { rijnbrink { lendSheetMusic(input: { sheetMusicId: "${rijnbrink.musidesk.sheetMusic.nodes[0].id}", ensembleName: "Harmonie Demo", ensembleType: CHOIR, place: "Zutphen", sets: 1, dueOn: "${day(30)}" }) { id version } } }`,
      );
      return lent.rijnbrink.lendSheetMusic;
    },
    write: (p) => ({ query: `mutation { rijnbrink { returnSheetMusic(id: "${p.id}", input: { returnedOn: "${day(0)}", expectedVersion: ${p.version} }) { id } } }` }),
  },
  'collaboration.createWorkAgendaItem': {
    prepare: async () => ({}),
    write: (_p, c) => ({
      query: `mutation { collaboration { createWorkAgendaItem(input: { id: "WA-2099-${c.run}", title: "Leesbevordering (demo)", description: "d", theme: SETUP, ownerCode: "CUBISS", participantCodes: ["BISC"] }) { id } } }`,
    }),
  },
  'collaboration.updateWorkAgendaItem': {
    prepare: async (c) => (await c.data(`{ workAgenda { id version } }`)).workAgenda[0],
    write: (p, c) => ({ query: `mutation { collaboration { updateWorkAgendaItem(id: "${p.id}", input: { title: "Bijgewerkt ${c.run} (demo)", expectedVersion: ${p.version} }) { id } } }` }),
  },
  'collaboration.recordDecision': {
    prepare: async () => ({}),
    write: (_p, c) => ({
      query: `mutation { collaboration { recordDecision(input: { id: "BL-2001-${c.run}", decidedOn: "2001-01-01", title: "Besluit (demo)", body: "b", decidedBy: "Stuurgroep" }) { id } } }`,
    }),
  },
  'collaboration.addMember': {
    prepare: async (c) => ({ libraryId: await activeLibrary({ ...c, poi: 'probiblio' }) }),
    write: (p, c) => ({ query: `mutation { collaboration { addMember(input: { poiCode: "PROBIBLIO", libraryId: "${p.libraryId}", joinedOn: "${day(-Number(c.run))}" }) { kind } } }` }),
  },
  'collaboration.createWiseRelease': {
    prepare: async () => ({}),
    write: (_p, c) => ({ query: `mutation { collaboration { createWiseRelease(input: { version: "DEMO-2099.${c.run}", releasedOn: "${day(60)}", notes: "Test" }) { version } } }` }),
  },
  'collaboration.updateWiseRelease': {
    prepare: async (c) => (await c.data(`{ wiseReleases { version revision } }`)).wiseReleases[0],
    write: (p, c) => ({
      query: `mutation { collaboration { updateWiseRelease(version: "${p.version}", input: { notes: "Bijgewerkt ${c.run}", expectedRevision: ${p.revision} }) { version } } }`,
    }),
  },
  'collaboration.setHarmonisationStandard': {
    prepare: async (c) => (await c.data(`{ harmonisationStandard { version values { loanPeriodDays } } }`)).harmonisationStandard,
    write: (p) => ({
      query: `mutation { collaboration { setHarmonisationStandard(input: { values: { loanPeriodDays: ${p?.values.loanPeriodDays === 21 ? 28 : 21} }, agreedOn: "${day(0)}"${p ? `, expectedVersion: ${p.version}` : ''} }) { version } } }`,
    }),
  },
};

/** Every write of the composed supergraph, by `<root field>.<field>` (e.g. `cubiss.createTicket`). */
function everyMutation(supergraphSdl: string): { root: string; field: string }[] {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  return Object.values(schema.getMutationType()!.getFields()).flatMap((root) => {
    const namespace = getNamedType(root.type) as GraphQLObjectType;
    return Object.keys(namespace.getFields()).map((field) => ({ root: root.name, field }));
  });
}

const caseFor = (root: string, field: string): Case | undefined => OWN_CASES[`${root}.${field}`] ?? (root !== 'collaboration' ? KIT_CASES[field] : undefined);

/**
 * Runs every mutation's case: the cached read is a hit before the write (through `reader`), the
 * write goes through `writer`, and right after it `reader` answers fresh, equal to the uncached
 * gateway's answer, with what the write implies.
 */
async function everyWriteAnsweredFresh(stack: Stack, writer: RunningServer, reader: RunningServer, heard?: ChangeEvent[]) {
  const token = await stack.token(ALL_SCOPES, 'read-your-writes');
  const mutations = everyMutation(stack.supergraphSdl);
  const missing = mutations.filter(({ root, field }) => !caseFor(root, field)).map(({ root, field }) => `${root}.${field}`);
  expect(missing).toEqual([]); // a new mutation needs its case here
  const data = async (query: string, variables?: Record<string, unknown>) => {
    const answer = await post(stack.gateway.url, token, query, variables);
    expect(answer.body.errors).toBeUndefined();
    return answer.body.data;
  };
  for (const [index, { root, field }] of mutations.entries()) {
    const poi = root === 'collaboration' ? 'cubiss' : root;
    const context: CaseContext = {
      stack,
      poi,
      run: String(index).padStart(2, '0'),
      data,
      sql: async (query) => Number((await stack.subgraphs.get(poi)!.database.dataSource.query(query))[0].n),
    };
    const mutation = caseFor(root, field)!;
    const prepared = await mutation.prepare(context);
    // Cached before the write: the second read is a hit.
    await post(reader.url, token, OVERVIEW);
    const before = await post(reader.url, token, OVERVIEW);
    expect({ write: `${root}.${field}`, age: before.age === null ? 'miss' : 'hit' }).toEqual({ write: `${root}.${field}`, age: 'hit' });
    const { query, variables } = mutation.write(prepared, context);
    const written = await post(writer.url, token, query, variables);
    expect({ write: `${root}.${field}`, errors: written.body.errors }).toEqual({ write: `${root}.${field}`, errors: undefined });
    if (heard) {
      // Announced as what the owner reports it committed: its subgraph and the types, never the coarse "anything".
      for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const announced = heard.splice(0);
      expect({ write: `${root}.${field}`, announced: announced.map((e) => ({ subgraph: e.subgraph, typed: e.types.length > 0 })) }).toEqual({
        write: `${root}.${field}`,
        announced: [{ subgraph: root, typed: true }],
      });
    }
    const after = await post(reader.url, token, OVERVIEW);
    expect({ write: `${root}.${field}`, age: after.age }).toEqual({ write: `${root}.${field}`, age: null });
    // The same as the gateway without a cache answers now.
    expect(after.body).toEqual((await post(stack.gateway.url, token, OVERVIEW)).body);
    await mutation.implies?.(statsOf(before.body.data, poi), statsOf(after.body.data, poi), prepared, context);
  }
}

describe('read your writes', () => {
  let stack: Stack;
  let cached: RunningServer;
  beforeAll(async () => {
    stack = await startStack();
    cached = await stack.gatewayWith({}, { responseCache: 'memory', operations: { open: false, token: OPERATIONS_TOKEN } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('every mutation: a cached answer is answered fresh right after the write, through the same gateway', async () => {
    await everyWriteAnsweredFresh(stack, cached, cached);
  }, 120_000);

  it('a write that was refused and rolled back invalidates nothing', async () => {
    const token = await stack.token(ALL_SCOPES, 'read-your-writes');
    await post(cached.url, token, OVERVIEW);
    expect((await post(cached.url, token, OVERVIEW)).age).not.toBeNull();
    const refused = await post(cached.url, token, `mutation { cubiss { resolveTicket(id: "999999", input: { expectedVersion: 1 }) { id } } }`);
    expect(refused.body.errors?.[0].extensions.code).toBeDefined();
    expect((await post(cached.url, token, OVERVIEW)).age).not.toBeNull();
  });

  it('an import through the CLI invalidates the gateway it tells (no Redis: over its admin route)', async () => {
    await importAnswersFresh(stack, cached, { GATEWAY_PORT: String(cached.port), OPERATIONS_TOKEN });
  }, 60_000);

  it('the admin route: 401 without the operations token, 400 on a bad body, and with it the tagged answers are stale', async () => {
    const token = await stack.token(ALL_SCOPES, 'read-your-writes');
    const invalidate = (body: unknown, bearer?: string) =>
      fetch(`${cached.url.replace(/\/graphql$/, '')}/admin/cache/invalidate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    await post(cached.url, token, OVERVIEW);
    expect((await post(cached.url, token, OVERVIEW)).age).not.toBeNull();
    expect((await invalidate({ tags: ['cubiss'] })).status).toBe(401);
    expect((await invalidate({ tags: ['cubiss'] }, token)).status).toBe(401); // a client token is no operations token
    expect((await invalidate({ tags: ['nowhere'] }, OPERATIONS_TOKEN)).status).toBe(400);
    expect((await invalidate({ tags: [] }, OPERATIONS_TOKEN)).status).toBe(400);
    expect((await invalidate('{not json', OPERATIONS_TOKEN)).status).toBe(400);
    expect((await post(cached.url, token, OVERVIEW)).age).not.toBeNull();
    // A POI code names its subgraph; an answer without that subgraph stays cached.
    const registry = '{ pois { code name } }';
    await post(cached.url, token, registry);
    expect((await post(cached.url, token, registry)).age).not.toBeNull();
    const done = await invalidate({ tags: ['CUBISS'] }, OPERATIONS_TOKEN);
    expect({ status: done.status, body: await done.json() }).toEqual({ status: 200, body: { invalidated: ['cubiss'] } });
    expect((await post(cached.url, token, OVERVIEW)).age).toBeNull();
    expect((await post(cached.url, token, registry)).age).not.toBeNull();
    expect((await invalidate({ all: true }, OPERATIONS_TOKEN)).status).toBe(200);
    expect((await post(cached.url, token, registry)).age).toBeNull();
  });
});

describe('a read racing a write', () => {
  let stack: Stack;
  let cached: RunningServer;
  const proxy = holdingProxy();
  beforeAll(async () => {
    await proxy.start();
    // Cubiss's fetches go through a proxy that can hold an answer back.
    stack = await startStack({ subgraphUrls: { cubiss: proxy.url } });
    proxy.target = stack.subgraphs.get('cubiss')!.url;
    cached = await stack.gatewayWith({}, { responseCache: 'memory' });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy.stop();
  });

  it("never keeps the answer read before the write under the versions after it: the next read is fresh", async () => {
    const token = await stack.token(ALL_SCOPES, 'read-your-writes');
    const { cubiss } = (await post(stack.gateway.url, token, `{ cubiss { libraries(filter: { status: ACTIVE }, first: 1) { nodes { id } } } }`)).body.data;
    // The read's Cubiss answer (made before the write) is held until the write has been answered.
    const held = proxy.holdNext((body) => body.includes('openTicketCount'));
    const read = post(cached.url, token, OVERVIEW);
    await held.answered;
    const write = await post(
      cached.url,
      token,
      `mutation { cubiss { createTicket(input: { libraryId: "${cubiss.libraries.nodes[0].id}", title: "Race", category: CIRCULATION, priority: P3 }) { id } } }`,
    );
    expect(write.body.errors).toBeUndefined();
    held.release();
    const raced = await read;
    const { dataSource } = stack.subgraphs.get('cubiss')!.database;
    const open = Number((await dataSource.query(OPEN_TICKETS))[0].n);
    expect(statsOf(raced.body.data, 'cubiss').openTicketCount).toBe(open - 1); // it read before the write
    await new Promise((resolve) => setTimeout(resolve, 50)); // its answer is stored (in the background)
    const after = await post(cached.url, token, OVERVIEW);
    expect(after.age).toBeNull();
    expect(statsOf(after.body.data, 'cubiss').openTicketCount).toBe(open);
  });
});

/** A loopback proxy to one subgraph that can hold back the answer to the next request matching a test, until released. */
function holdingProxy() {
  let server: http.Server;
  let hold: { test: (body: string) => boolean; answered: () => void; released: Promise<void> } | undefined;
  const proxy = {
    url: '',
    target: '',
    start: () =>
      new Promise<void>((resolve) => {
        server = http.createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (chunk: Buffer) => chunks.push(chunk));
          req.on('end', async () => {
            const body = Buffer.concat(chunks).toString();
            const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
            const upstream = await fetch(proxy.target, { method: req.method, headers, body: req.method === 'POST' ? body : undefined });
            const text = await upstream.text();
            const mine = hold?.test(body) ? hold : undefined;
            if (mine) {
              hold = undefined;
              mine.answered();
              await mine.released;
            }
            res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([name]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(name))));
            res.end(text);
          });
        });
        server.listen(0, '127.0.0.1', () => {
          proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
          resolve();
        });
      }),
    holdNext(test: (body: string) => boolean) {
      let answered!: () => void;
      let release!: () => void;
      const held = { answered: new Promise<void>((resolve) => (answered = resolve)), released: new Promise<void>((resolve) => (release = resolve)) };
      hold = { test, answered, released: held.released };
      return { answered: held.answered, release };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return proxy;
}

describe('read your writes across gateway replicas sharing Redis', () => {
  redisIt(
    'every mutation through one gateway: the other answers fresh right after it; an import the subgraph announced too',
    async () => {
      const redis = await startRedis();
      const subgraphRedis = connectRedis(redis.url, { warn: () => undefined });
      const subgraphChanges = redisChangeBus(subgraphRedis);
      const stack = await startStack({ subgraphChanges });
      try {
        const shared = { rateLimit: { ...stack.config.security.rateLimit, redisUrl: redis.url } };
        const first = await stack.gatewayWith(shared, { responseCache: 'redis' });
        const second = await stack.gatewayWith(shared, { responseCache: 'redis' });
        const heard: ChangeEvent[] = [];
        const listener = redisChangeBus(subgraphRedis);
        listener.subscribe((event) => heard.push(event));
        await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is made
        try {
          await everyWriteAnsweredFresh(stack, first, second, heard);
        } finally {
          await listener.close();
        }

        // The subgraph announces its import itself (X-Changes-Announced): the CLI, without Redis, tells no gateway.
        await importAnswersFresh(stack, second, { GATEWAY_PORT: '1' }); // nothing listens on port 1
      } finally {
        await stack.stop();
        await subgraphChanges.close();
        subgraphRedis.disconnect();
        await redis.stop();
      }
    },
    240_000,
  );
});

describe('an import into a subgraph without Redis, with the CLI holding REDIS_URL', () => {
  redisIt(
    'the CLI announces it through Redis itself: a gateway sharing that Redis answers fresh',
    async () => {
      const redis = await startRedis();
      const stack = await startStack();
      try {
        const gateway = await stack.gatewayWith({ rateLimit: { ...stack.config.security.rateLimit, redisUrl: redis.url } }, { responseCache: 'memory' });
        await importAnswersFresh(stack, gateway, { REDIS_URL: redis.url, GATEWAY_PORT: '1' }); // no gateway to tell on port 1
      } finally {
        await stack.stop();
        await redis.stop();
      }
    },
    120_000,
  );
});

/** samples/libraries.csv: three libraries new to Cubiss, all ACTIVE (test/import.test.ts imports the same). */
const SAMPLE_LIBRARIES = 3;

/**
 * A cached read through `reader` (once the gateway caches: with Redis, once it is connected), an
 * import of samples/libraries.csv into Cubiss with the CLI under `env`, and the read right after:
 * fresh, with the three libraries more.
 */
async function importAnswersFresh(stack: Stack, reader: RunningServer, env: Record<string, string>) {
  const token = await stack.token(ALL_SCOPES, 'read-your-writes');
  let before = await post(reader.url, token, OVERVIEW);
  for (let i = 0; i < 50 && before.age === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    before = await post(reader.url, token, OVERVIEW);
  }
  expect(before.age).not.toBeNull();
  const imported = await importLibraries(stack, env);
  expect({ code: imported.code, warning: /Warning/.test(imported.stderr) }).toEqual({ code: 0, warning: false });
  const after = await post(reader.url, token, OVERVIEW);
  expect(after.age).toBeNull();
  expect(statsOf(after.body.data, 'cubiss').libraryCount).toBe(statsOf(before.body.data, 'cubiss').libraryCount + SAMPLE_LIBRARIES);
}

/** Imports samples/libraries.csv into Cubiss through its running subgraph, with the import CLI. */
function importLibraries(stack: Stack, env: Record<string, string>) {
  const url = `http://127.0.0.1:${stack.subgraphs.get('cubiss')!.port}`;
  return cli(['--poi', 'cubiss', '--entity', 'libraries', '--file', path.join(PROJECT_ROOT, 'samples', 'libraries.csv'), '--url', url], {
    GATEWAY_SIGNING_KEY: stack.config.security.gatewaySigningKey,
    ...env,
  });
}

const OPERATIONS_TOKEN = 'read-your-writes-operations-token-0123456789';

/** Runs the import CLI as its own process (as `npm run import` does). */
function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(PROJECT_ROOT, 'scripts', 'import.ts'), ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, REDIS_URL: '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
