/**
 * Portability of the committed contract: the supergraph this project composes is served, next to
 * the project's own Apollo Gateway, by a second, independent federation engine (Hive Gateway:
 * `createGatewayRuntime` of `@graphql-hive/gateway-runtime`, imported through the dev dependency
 * `@graphql-hive/gateway`, which re-exports it) against the same running subgraphs. Both gateways
 * get the same operations over real HTTP on loopback and must give the same data.
 */
import http from 'node:http';
import net, { AddressInfo } from 'node:net';
import { createGatewayRuntime, GatewayRuntime } from '@graphql-hive/gateway';
import { createIdentitySigner, POI_TOKENS_HEADER, poiTokensHeader } from '../shared/auth/internal-token';
import { NETWORK_SUBGRAPH } from '../shared/config';
import { POIS } from '../shared/registry';
import { ALL_SCOPES } from './helpers/auth';
import { GraphQLResponse, postGraphQL, startStack, Stack } from './helpers/stack';

// ---------------------------------------------------------------------------------------------
// Every TCP connection this process opens is recorded, so the suite can show that nothing (no
// usage reporting, no telemetry, no CDN or registry fetch) leaves loopback.
const connections: string[] = [];
const originalConnect = net.Socket.prototype.connect;

function destination(args: unknown[]): string {
  let first = args[0];
  if (Array.isArray(first)) first = first[0]; // net.connect() passes its normalized arguments as an array
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; port?: number | string; path?: string };
    if (options.path) return `unix:${options.path}`;
    return `${options.host ?? 'localhost'}:${options.port}`;
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return `unix:${first}`;
  return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${String(first)}`;
}

function isLoopback(address: string): boolean {
  if (address.startsWith('unix:')) return true; // a local socket file never leaves the machine
  const host = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(host);
}

// ---------------------------------------------------------------------------------------------

let stack: Stack;
let hive: GatewayRuntime;
let hiveServer: http.Server;
let hiveUrl: string;
/** URLs the Hive gateway fetched (its upstream requests), from its own onFetch hook. */
const hiveFetches: string[] = [];

beforeAll(async () => {
  net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
    connections.push(destination(args));
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof originalConnect;

  stack = await startStack();
  const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
  const everyScope = { subject: 'test-all-scopes', name: 'test-all-scopes', scopes: ALL_SCOPES, anonymous: false };
  // The very supergraph the Apollo gateway serves, over the running subgraphs.
  const { supergraphSdl } = stack;

  hive = createGatewayRuntime({
    // SDL text (not a path, URL, CDN or GraphOS option): a static supergraph, never polled.
    supergraph: supergraphSdl,
    // No `reporting` (neither Hive Console usage nor GraphOS usage reporting) and no
    // `persistedDocuments` CDN: the runtime then sends nothing but the subgraph fetches.
    logging: 'error',
    landingPage: false,
    graphiql: false,
    // The subgraphs answer only identities signed with the gateway key: Hive gets the same key and
    // forwards the same identity as the Apollo side's (every scope), signed per subgraph. The
    // network subgraph also needs that identity signed for every POI subgraph (x-poi-tokens), as
    // this project's gateway sends it: what any other gateway must add (README "Network lists").
    propagateHeaders: {
      fromClientToSubgraphs: async ({ subgraphName }) => ({
        authorization: `Bearer ${await sign(everyScope, subgraphName)}`,
        ...(subgraphName === NETWORK_SUBGRAPH
          ? {
              [POI_TOKENS_HEADER]: await poiTokensHeader(
                sign,
                everyScope,
                POIS.map((p) => p.subgraphName),
              ),
            }
          : {}),
      }),
    },
    plugins: () => [
      {
        onFetch({ url }) {
          hiveFetches.push(url);
        },
      },
    ],
  });
  hiveServer = http.createServer(hive);
  await new Promise<void>((resolve, reject) => {
    hiveServer.once('error', reject);
    hiveServer.listen(0, '127.0.0.1', () => resolve());
  });
  hiveUrl = `http://127.0.0.1:${(hiveServer.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  try {
    if (hiveServer) {
      await new Promise<void>((resolve) => {
        hiveServer.close(() => resolve());
        hiveServer.closeAllConnections();
      });
    }
    await hive?.dispose();
    await stack?.stop();
  } finally {
    net.Socket.prototype.connect = originalConnect;
  }
});

type Answer = GraphQLResponse & { extensions?: unknown };

/** Sends one operation to both gateways at once. */
async function ask(query: string, variables?: Record<string, unknown>): Promise<{ apollo: Answer; hive: Answer }> {
  const [apollo, hiveAnswer] = await Promise.all([stack.query(query, variables), postGraphQL(hiveUrl, query, variables)]);
  return { apollo, hive: hiveAnswer };
}

/** Both gateways answer without errors and with the same data; returns that data. */
async function sameData<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const { apollo, hive: hiveAnswer } = await ask(query, variables);
  expect({ gateway: 'apollo', status: apollo.status, errors: apollo.errors }).toEqual({ gateway: 'apollo', status: 200, errors: undefined });
  expect({ gateway: 'hive', status: hiveAnswer.status, errors: hiveAnswer.errors }).toEqual({ gateway: 'hive', status: 200, errors: undefined });
  expect(apollo.data).toBeTruthy();
  expect(hiveAnswer.data).toEqual(apollo.data);
  // Stricter than deep equality: the same field order too (the spec orders a response by the selection).
  expect(JSON.stringify(hiveAnswer.data)).toBe(JSON.stringify(apollo.data));
  return apollo.data as T;
}

const NETWORK_OVERVIEW = `{ pois { __typename code name provinces inSteeringGroup
  stats { libraryCount branchCount memberCount activeContractCount openTicketCount ticketsByStatus { key count } } } }`;

const CUBISS_PAGE = `query CubissLimburg($first: Int, $after: String) {
  cubiss { libraries(filter: { province: LIMBURG }, first: $first, after: $after) {
    totalCount
    nodes { name branches { name } contract { status endsOn } tickets(first: 2) { totalCount nodes { title } } }
    pageInfo { hasNextPage endCursor } } } }`;

describe('the committed supergraph on a second federation engine (Hive Gateway)', () => {
  it('gives the same network overview', async () => {
    const { pois } = await sameData(NETWORK_OVERVIEW);
    expect(pois.map((p: any) => p.code)).toEqual(['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK']);
    for (const poi of pois) expect(poi.stats.libraryCount).toBeGreaterThan(0);
  });

  it("gives the same first and second page of one POI's libraries, filtered", async () => {
    const literal = await sameData(`{ cubiss { libraries(filter: { province: LIMBURG }, first: 5) { totalCount
      nodes { name branches { name } contract { status endsOn } tickets(first: 2) { totalCount nodes { title } } }
      pageInfo { hasNextPage endCursor } } } }`);
    const first = await sameData(CUBISS_PAGE, { first: 5 });
    expect(first).toEqual(literal);
    const page = first.cubiss.libraries;
    expect(page.nodes).toHaveLength(5);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await sameData(CUBISS_PAGE, { first: 5, after: page.pageInfo.endCursor });
    expect(second.cubiss.libraries.nodes.length).toBeGreaterThan(0);
    const firstNames = new Set(page.nodes.map((l: any) => l.name));
    for (const library of second.cubiss.libraries.nodes) expect(firstNames.has(library.name)).toBe(false);
  });

  it('gives the same POI by code, through an inline fragment on its own type', async () => {
    const { poi } = await sameData(`{ poi(code: "BISC") { ... on BiscPoi { code } name libraries { totalCount } } }`);
    expect(poi.code).toBe('BISC');
    expect(poi.libraries.totalCount).toBeGreaterThan(0);
  });

  it('gives the same POIs by province', async () => {
    const result = await sameData(`{ pois(province: LIMBURG) { code } }`);
    expect(result).toEqual({ pois: [{ code: 'CUBISS' }] });
  });

  it("gives the same work agenda, crossing from the collaboration into each owner's subgraph", async () => {
    const { workAgenda } = await sameData(`{ workAgenda { id title owner { code libraries { totalCount } } participants { code } goal { code } } }`);
    expect(workAgenda.length).toBeGreaterThan(5);
  });

  it("gives the same Wise work: platforms, each POI's release acceptance, harmonisation through @requires, service levels", async () => {
    const result = await sameData(`{
      wisePlatforms { code pois { code } migrations { migratedOn } }
      nextWiseRelease { version acceptance { __typename poi { code } testStatus } }
      pois { code harmonisationScore harmonisation { __typename settings { setting deviatingCount harmonisedShare } }
             stats { slaCompliance(months: 3) { month due met complete } } }
      cubiss { libraries(first: 3) { nodes { name wisePlatform { code name } } } } }`);
    expect(result.wisePlatforms.find((p: any) => p.code === 'MIDDEN-ZUID').pois.map((p: any) => p.code)).toEqual(['BISC', 'CUBISS']);
    expect(result.nextWiseRelease.acceptance.map((a: any) => a.__typename)).toEqual([
      'BiscReleaseAcceptance',
      'CubissReleaseAcceptance',
      'ProbiblioReleaseAcceptance',
      'RijnbrinkReleaseAcceptance',
    ]);
    // The standard comes from the collaboration, the figures from each owner (one type per POI).
    for (const poi of result.pois) {
      expect(poi.harmonisationScore).toEqual(expect.any(Number));
      expect(poi.harmonisation.__typename).toBe(`${poi.code[0]}${poi.code.slice(1).toLowerCase()}Harmonisation`);
      expect(poi.harmonisation.settings).toHaveLength(4);
    }
    expect(result.cubiss.libraries.nodes[0].wisePlatform).toEqual({ code: 'MIDDEN-ZUID', name: 'Midden-Zuid' });
  });

  it('gives the same steering group', async () => {
    const { steeringGroup } = await sameData(`{ steeringGroup { name poi { code name } } }`);
    expect(steeringGroup.map((m: any) => m.poi.code).sort()).toEqual(['BISC', 'PROBIBLIO', 'RIJNBRINK']);
  });

  it('gives the same knowledge search across the POIs', async () => {
    const { pois } = await sameData(`{ pois { code knowledgeArticles(search: "reservering", first: 5) { totalCount nodes { title source } } } }`);
    for (const poi of pois) expect(poi.knowledgeArticles.totalCount).toBeGreaterThan(0);
  });

  it('gives the same library profile on Probiblio', async () => {
    const { probiblio } = await sameData(`{ probiblio { libraries(first: 1) { nodes { id } } } }`);
    const id = probiblio.libraries.nodes[0].id;
    const profile = await sameData(
      `query Profile($id: ID!) { probiblio { library(id: $id) { id name municipalities wisePlatform { code name } memberCount
        branches { name city postalCode isMain } contract { library { id } status startsOn endsOn annualFee services noticePeriodMonths }
        tickets(first: 10) { totalCount nodes { library { id } title priority status openedAt resolvedAt } } }
        missing: library(id: "999999") { id } } }`,
      { id },
    );
    expect(profile.probiblio.library.id).toBe(id);
    expect(profile.probiblio.missing).toBeNull();
  });

  it('gives the same answer to an operation with variables, named fragments and directives', async () => {
    const result = await sameData(
      `query Network($province: Province, $first: Int!, $search: String!, $withStats: Boolean!, $brief: Boolean!) {
        pois(province: $province) {
          ...PoiCard
          stats @include(if: $withStats) { libraryCount openTicketCount }
          ... on CubissPoi { libraries(first: $first) { ...LibraryPage } }
          ... on ProbiblioPoi { vendorContracts @skip(if: $brief) { vendor product } }
          knowledgeArticles(search: $search, first: $first) { totalCount nodes { ...Article } }
        }
      }
      fragment PoiCard on Poi { __typename code name provinces }
      fragment LibraryPage on LibraryConnection { totalCount nodes { id name province } pageInfo { hasNextPage endCursor } }
      fragment Article on KnowledgeArticle { title source tags }`,
      { province: 'NOORD_BRABANT', first: 3, search: 'reservering', withStats: true, brief: false },
    );
    expect(result.pois.map((p: any) => p.code)).toEqual(['CUBISS']);
    expect(result.pois[0].libraries.nodes).toHaveLength(3);
    const all = await sameData(
      `query All($withStats: Boolean!) { pois { code ... on ProbiblioPoi { vendorContracts { vendor } } stats @include(if: $withStats) { libraryCount } } }`,
      { withStats: false },
    );
    expect(all.pois.find((p: any) => p.code === 'PROBIBLIO').vendorContracts.length).toBeGreaterThan(0);
    for (const poi of all.pois) expect(poi).not.toHaveProperty('stats');
  });

  it('refuses a page size over the cap with the same BAD_USER_INPUT message: this gateway before any fetch, Hive from the owning subgraph', async () => {
    const { apollo, hive: hiveAnswer } = await ask(`{ bisc { libraries(first: 1000) { totalCount } } }`);
    const shape = (a: Answer) => a.errors!.map((e) => ({ code: e.extensions?.code, message: e.message }));
    // This gateway refuses out-of-range page sizes before costing or planning (a 400, no data).
    expect(apollo.status).toBe(400);
    expect(apollo.data).toBeUndefined();
    expect(shape(apollo)).toEqual([{ code: 'BAD_USER_INPUT', message: '"first" must be between 0 and 100, got 1000' }]);
    // Hive forwards it; the subgraph refuses it with the same rule, null at that path.
    expect(hiveAnswer.status).toBe(200);
    expect(hiveAnswer.data).toEqual({ bisc: { libraries: null } });
    expect(shape(hiveAnswer)).toEqual(shape(apollo));
    expect(hiveAnswer.errors![0].path).toEqual(['bisc', 'libraries']);
  });

  it('gives the same network list (the network subgraph, merging every POI), page after page, and the same work-agenda item tickets', async () => {
    const LIST = `query OpenTickets($after: String) { network { tickets(filter: { status: [OPEN, IN_PROGRESS] }, orderBy: { field: OPENED_AT, direction: ASC }, first: 7, after: $after) {
      totalCount incomplete missingPois
      nodes { reference openedAt priority library { name contract { status ... on CubissContract { annualFee } } } poi { code name } }
      pageInfo { hasNextPage endCursor } } } }`;
    const first = await sameData(LIST);
    const page = first.network.tickets;
    expect(page.nodes).toHaveLength(7);
    expect(page.incomplete).toBe(false);
    expect(new Set(page.nodes.map((n: any) => n.poi.code)).size).toBeGreaterThan(1);
    // Hive's cursor resumes on this gateway's second page, and the other way round: one contract.
    const second = await sameData(LIST, { after: page.pageInfo.endCursor });
    expect(second.network.tickets.nodes.length).toBeGreaterThan(0);
    const references = new Set(page.nodes.map((n: any) => n.reference));
    for (const node of second.network.tickets.nodes) expect(references.has(node.reference)).toBe(false);
    const { workAgendaItem } = await sameData(
      `{ workAgendaItem(id: "WA-2024-03") { id title tickets(first: 5) { totalCount nodes { reference poi { code } } } } }`,
    );
    expect(workAgendaItem.id).toBe('WA-2024-03');
  });

  it('really went through the Hive gateway to the subgraphs, and nothing left loopback', () => {
    const subgraphUrls = new Set([...stack.subgraphs.values()].map((s) => s.url));
    expect(hiveFetches.length).toBeGreaterThan(0);
    for (const url of hiveFetches) expect(subgraphUrls.has(url)).toBe(true);
    // Every subgraph was reached by the Hive gateway (the operations above cross all five).
    expect(new Set(hiveFetches)).toEqual(subgraphUrls);
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.filter((c) => !isLoopback(c))).toEqual([]);
  });
});
