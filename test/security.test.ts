import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT, type KeyLike } from 'jose';
import { createIdentitySigner } from '../shared/auth/internal-token';
import { redisIt, startRedis } from './helpers/redis';
import { NETWORK_READ, poiScope } from '../shared/auth/identity';
import type { SecurityConfig } from '../shared/config';
import { POIS, poiByCode } from '../shared/registry';
import type { RunningServer } from '../shared/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  isInputObjectType,
  Kind,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type OperationDefinitionNode,
} from 'graphql';
import { FILTER_READS } from '../poi-kit/resolvers';
import { poiSubgraphSdl } from '../poi-kit/schema';
import { documentShape } from '../shared/graphql-limits';
import { exampleVariables, readExampleOperations } from '../gateway/src/ide';
import { operationCost } from '../gateway/src/operation-limits';
import { apiSchemaOf } from '../shared/schema-changes';
import { GraphQLResponse, postGraphQL, startStack, Stack } from './helpers/stack';
import { aliasedChain, doublingChain, fragmentBombs } from './helpers/hostile-documents';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bisc = poiByCode('BISC');
const cubiss = poiByCode('CUBISS');

const gatewayWith = (changes: Partial<SecurityConfig>) => stack.gatewayWith(changes);

/**
 * The role presets of `npm run token` as README "Security" (Tokens) documents them, written out
 * here rather than taken from roleScopes(): dashboard and analyst `network:read`; a POI's staff
 * `network:read` and that POI's read, contracts and write scopes (test/token.test.ts checks
 * the script against the same list).
 */
const DASHBOARD = ['network:read'];
const ANALYST = ['network:read'];
const staffOf = (poi: { subgraphName: string }) => [
  'network:read',
  `poi:${poi.subgraphName}:read`,
  `poi:${poi.subgraphName}:contracts`,
  `poi:${poi.subgraphName}:write`,
];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.code);

/** An HS256 token like the stack's, with any claim or header changed. */
async function craftedToken(change: { secret?: string; issuer?: string; audience?: string; expiresAt?: number; noExp?: boolean } = {}) {
  const clients = stack.config.security.clients;
  let jwt = new SignJWT({ scope: NETWORK_READ })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('crafted')
    .setIssuer(change.issuer ?? clients.issuer)
    .setAudience(change.audience ?? clients.audience)
    .setIssuedAt();
  if (!change.noExp) jwt = jwt.setExpirationTime(change.expiresAt ?? '5m');
  return jwt.sign(new TextEncoder().encode(change.secret ?? clients.secret!));
}

describe('who may see what: roles × fields', () => {
  const MATRIX_QUERY = `{
    pois { code
      stats { libraryCount }
      contracts(first: 2) { nodes { id endsOn annualFee noticePeriodMonths } }
      vendorContracts { vendor annualFee }
    }
    workAgenda { id }
  }`;

  type Sees = { stats: boolean; contracts: boolean; fees: boolean; vendor: boolean };
  /** What an identity with these scopes must see of one POI. */
  const expected = (scopes: readonly string[], poi: (typeof POIS)[number]): Sees => {
    const read = scopes.includes(poiScope(poi, 'read'));
    const shared = read || scopes.includes(NETWORK_READ);
    return { stats: shared, contracts: shared, fees: shared && scopes.includes(poiScope(poi, 'contracts')), vendor: read };
  };

  const identities: [string, readonly string[] | undefined][] = [
    ['anonymous (local default: network:read)', undefined],
    ['dashboard role', DASHBOARD],
    ['analyst role', ANALYST],
    ['BiSC contracts reader', [NETWORK_READ, poiScope(bisc, 'read'), poiScope(bisc, 'contracts')]],
    ['Cubiss staff role', staffOf(cubiss)],
    ['Cubiss reader without network:read', [poiScope(cubiss, 'read')]],
    ['a token with no scopes', []],
  ];

  it.each(identities)('%s sees exactly what its scopes allow, with FORBIDDEN at every denied path', async (_label, scopes) => {
    const token = scopes === undefined ? undefined : await stack.token(scopes, 'matrix');
    const response = await stack.queryAs(token, MATRIX_QUERY);
    const held = scopes ?? stack.config.security.clients.anonymousScopes;
    expect(response.status).toBe(200);
    const forbidden = new Set((response.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => JSON.stringify(e.path)));
    expect((response.errors ?? []).every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);

    if (!held.includes(NETWORK_READ)) {
      expect(response.data).toEqual({ pois: null, workAgenda: null });
      expect(forbidden).toEqual(new Set([JSON.stringify(['pois']), JSON.stringify(['workAgenda'])]));
      return;
    }
    expect(response.data!.workAgenda.length).toBeGreaterThan(0);
    expect(response.data!.pois).toHaveLength(POIS.length);
    response.data!.pois.forEach((poi: any, i: number) => {
      const sees = expected(held, poiByCode(poi.code));
      expect(poi.stats === null).toBe(!sees.stats);
      expect(forbidden.has(JSON.stringify(['pois', i, 'stats']))).toBe(!sees.stats);
      if (sees.stats) expect(poi.stats.libraryCount).toBeGreaterThan(0);
      expect(poi.contracts === null).toBe(!sees.contracts);
      if (sees.contracts) {
        expect(poi.contracts.nodes).toHaveLength(2);
        poi.contracts.nodes.forEach((contract: any, j: number) => {
          expect(contract.endsOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          expect(typeof contract.annualFee === 'number').toBe(sees.fees);
          expect(typeof contract.noticePeriodMonths === 'number').toBe(sees.fees);
          expect(forbidden.has(JSON.stringify(['pois', i, 'contracts', 'nodes', j, 'annualFee']))).toBe(!sees.fees);
        });
      }
      expect(poi.vendorContracts === null).toBe(!sees.vendor);
      expect(forbidden.has(JSON.stringify(['pois', i, 'vendorContracts']))).toBe(!sees.vendor);
      if (sees.vendor)
        expect(poi.vendorContracts.every((v: any) => typeof v.annualFee === 'number' && v.vendor)).toBe(expected(held, poiByCode(poi.code)).fees);
    });
  });

  it('a POI reader without network:read still reaches its own POI through its root field, and nothing else', async () => {
    const token = await stack.token([poiScope(cubiss, 'read')]);
    const response = await stack.queryAs(token, `{ cubiss { name stats { libraryCount } } bisc { stats { libraryCount } } }`);
    expect(response.data!.cubiss.name).toBe('Cubiss');
    expect(response.data!.cubiss.stats.libraryCount).toBeGreaterThan(0);
    expect(response.data!.bisc).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ path: ['bisc'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  });

  it("the audit trail is for the POI's own readers", async () => {
    const query = `{ bisc { audit(first: 1) { totalCount } } }`;
    const dashboard = await stack.queryAs(await stack.token(DASHBOARD), query);
    expect(dashboard.data!.bisc.audit).toBeNull();
    expect(codes(dashboard)).toEqual(['FORBIDDEN']);
    const staff = await stack.queryAs(await stack.token(staffOf(bisc)), query);
    expect(staff.errors).toBeUndefined();
    expect(typeof staff.data!.bisc.audit.totalCount).toBe('number');
  });

  it('done when: a BiSC staff token over all POIs gets BiSC fees and FORBIDDEN nulls for every other POI', async () => {
    const token = await stack.token(staffOf(bisc), 'anouk@bisc');
    const response = await stack.queryAs(token, `{ pois { code contracts(first: 3) { nodes { annualFee } } } }`);
    const byCode = Object.fromEntries(response.data!.pois.map((p: any) => [p.code, p.contracts.nodes.map((n: any) => n.annualFee)]));
    expect(byCode.BISC.every((fee: unknown) => typeof fee === 'number' && fee > 0)).toBe(true);
    for (const code of ['CUBISS', 'PROBIBLIO', 'RIJNBRINK']) expect(byCode[code]).toEqual([null, null, null]);
    expect(response.errors).toHaveLength(9);
    for (const error of response.errors!) {
      expect(error.extensions?.code).toBe('FORBIDDEN');
      expect(error.path?.at(-1)).toBe('annualFee');
      expect(error.message).toMatch(/needs the scope poi:(cubiss|probiblio|rijnbrink):contracts/);
    }
  });
});

describe('order, filter, cursor and audit follow the field rules (a guarded value never surfaces another way)', () => {
  const FEE_ORDER = `{ pois { code contracts(first: 1, orderBy: { field: ANNUAL_FEE, direction: DESC }) { nodes { annualFee } pageInfo { endCursor } } } }`;
  /** What a cursor shows to someone who base64-decodes it. */
  const decoded = (cursor: string) => Buffer.from(cursor, 'base64url').toString('latin1');

  it.each([
    ['anonymous (local default: network:read)', undefined],
    ['dashboard role', DASHBOARD],
    ['Cubiss reader without the contracts scope', [NETWORK_READ, poiScope(cubiss, 'read')]],
  ] as [string, string[] | undefined][])('%s cannot order by a fee it may not read: the list is FORBIDDEN, no cursor comes back', async (_label, scopes) => {
    const response = await stack.queryAs(scopes && (await stack.token(scopes)), FEE_ORDER);
    expect(response.status).toBe(200);
    expect(response.data!.pois).toHaveLength(POIS.length);
    response.data!.pois.forEach((poi: any, i: number) => {
      expect(poi.contracts).toBeNull();
      const error = response.errors!.find((e) => JSON.stringify(e.path) === JSON.stringify(['pois', i, 'contracts']));
      expect(error?.extensions?.code).toBe('FORBIDDEN');
      expect(error?.message).toMatch(new RegExp(`ANNUAL_FEE needs the scope poi:${poi.code.toLowerCase()}:contracts`));
    });
    expect(JSON.stringify(response)).not.toMatch(/endCursor":"/);
  });

  it('a BiSC contracts reader orders BiSC by fee; every other POI stays FORBIDDEN', async () => {
    const response = await stack.queryAs(await stack.token([NETWORK_READ, poiScope(bisc, 'read'), poiScope(bisc, 'contracts')]), FEE_ORDER);
    const byCode = Object.fromEntries(response.data!.pois.map((p: any) => [p.code, p.contracts]));
    expect(byCode.BISC.nodes[0].annualFee).toBeGreaterThan(0);
    for (const code of ['CUBISS', 'PROBIBLIO', 'RIJNBRINK']) expect(byCode[code]).toBeNull();
    expect(codes(response)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
  });

  /** Every list with its first page's nodes and cursor, read with every scope. */
  const LISTS: { name: string; query: (after?: string) => string; at: (data: any) => any }[] = [
    {
      name: 'libraries by member count',
      query: (after) =>
        `{ cubiss { libraries(first: 2, orderBy: { field: MEMBER_COUNT, direction: DESC }${after ? `, after: "${after}"` : ''}) { nodes { id memberCount } pageInfo { endCursor } } } }`,
      at: (d) => d.cubiss.libraries,
    },
    {
      name: 'contracts by fee',
      query: (after) =>
        `{ cubiss { contracts(first: 2, orderBy: { field: ANNUAL_FEE, direction: DESC }${after ? `, after: "${after}"` : ''}) { nodes { id annualFee } pageInfo { endCursor } } } }`,
      at: (d) => d.cubiss.contracts,
    },
    {
      name: 'tickets by priority',
      query: (after) =>
        `{ cubiss { tickets(first: 2, orderBy: { field: PRIORITY }, filter: { status: [OPEN] }${after ? `, after: "${after}"` : ''}) { nodes { id priority } pageInfo { endCursor } } } }`,
      at: (d) => d.cubiss.tickets,
    },
    {
      name: 'knowledge search',
      query: (after) =>
        `{ cubiss { knowledgeArticles(first: 2, search: "reserveringen"${after ? `, after: "${after}"` : ''}) { nodes { id score } pageInfo { endCursor } } } }`,
      at: (d) => d.cubiss.knowledgeArticles,
    },
    {
      name: 'audit trail',
      query: (after) => `{ cubiss { audit(first: 2${after ? `, after: "${after}"` : ''}) { nodes { id } pageInfo { endCursor } } } }`,
      at: (d) => d.cubiss.audit,
    },
  ];

  beforeAll(async () => {
    // The audit trail needs entries to page through.
    const staff = await stack.token(staffOf(cubiss), 'cursor-test');
    for (const n of [1, 2, 3]) {
      const created = await stack.queryAs(
        staff,
        `mutation { cubiss { createKnowledgeArticle(input: { title: "Cursor test ${n} ${Date.now()}", summary: "s", body: "b", tags: ["t"], source: "test" }) { id } } }`,
      );
      expect(created.errors).toBeUndefined();
    }
  });

  it.each(LISTS.map((list) => [list.name, list] as const))('%s: the cursor is opaque, resumes the list, and refuses tampering', async (_name, list) => {
    const first = await stack.query(list.query());
    expect(first.errors).toBeUndefined();
    const page = list.at(first.data);
    expect(page.nodes).toHaveLength(2);
    const cursor: string = page.pageInfo.endCursor;
    const last = page.nodes[1];
    const plain = decoded(cursor);
    // No value of the last row can be read from the cursor (values of 4+ characters: shorter ones turn up in random bytes).
    for (const value of Object.values(last)
      .map(String)
      .filter((v) => v.length >= 4))
      expect(plain).not.toContain(value);
    expect(() => JSON.parse(plain)).toThrow();

    const next = await stack.query(list.query(cursor));
    expect(next.errors).toBeUndefined();
    expect(list.at(next.data).nodes.map((n: any) => n.id)).not.toContain(last.id);

    const bytes = Buffer.from(cursor, 'base64url');
    for (const index of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[index] ^= 0x01;
      const tampered = await stack.query(list.query(flipped.toString('base64url')));
      expect(codes(tampered)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('every filter condition of every list says which field it reads, so a guard on that field also guards the filter', () => {
    const schema = buildSubgraphSchema({ typeDefs: parse(poiSubgraphSdl(cubiss)) });
    const filters = Object.values(schema.getTypeMap()).filter((t): t is GraphQLInputObjectType => isInputObjectType(t) && t.name.endsWith('Filter'));
    expect(filters.map((f) => f.name).sort()).toEqual(['ContractFilter', 'LibraryFilter', 'TicketFilter']);
    for (const filter of filters) {
      const listed = filter.name.replace(/Filter$/, '');
      const fields = (schema.getType(listed) as GraphQLInterfaceType).getFields();
      for (const condition of Object.keys(filter.getFields())) {
        expect([filter.name, condition, FILTER_READS[listed]?.[condition] in fields]).toEqual([filter.name, condition, true]);
      }
    }
  });

  it('hand-made cursors of the old clear-text kind are refused, so chosen values cannot be probed', async () => {
    for (const forged of [
      ['contract.ANNUAL_FEE.DESC', 39566, 23],
      ['contract.ANNUAL_FEE.DESC', 1, 1],
      ['contract.ENDS_ON.ASC', { date: '2020-01-01T00:00:00.000Z' }, 1],
    ]) {
      const after = Buffer.from(JSON.stringify(forged)).toString('base64url');
      for (const orderBy of ['{ field: ANNUAL_FEE, direction: DESC }', '{ field: ENDS_ON }']) {
        const response = await stack.query(`{ cubiss { contracts(first: 1, orderBy: ${orderBy}, after: "${after}") { nodes { id } } } }`);
        expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      }
    }
  });

  it('a cursor is bound to its list, order and filter', async () => {
    const endCursor = async (query: string, at: (d: any) => any) => {
      const response = await stack.query(query);
      expect(response.errors).toBeUndefined();
      return at(response.data).pageInfo.endCursor as string;
    };
    const contracts = (poi: string, args: string) => `{ ${poi} { contracts(first: 1${args}) { nodes { id } pageInfo { endCursor } } } }`;
    const active = await endCursor(contracts('cubiss', ', filter: { status: ACTIVE }'), (d) => d.cubiss.contracts);
    // The same list, order and filter: accepted.
    expect((await stack.query(contracts('cubiss', `, filter: { status: ACTIVE }, after: "${active}"`))).errors).toBeUndefined();
    const refusals = [
      contracts('cubiss', `, filter: { status: EXPIRED }, after: "${active}"`), // another filter
      contracts('cubiss', `, after: "${active}"`), // no filter
      contracts('cubiss', `, filter: { status: ACTIVE }, orderBy: { field: STARTS_ON }, after: "${active}"`), // another order
      contracts('cubiss', `, filter: { status: ACTIVE }, orderBy: { field: ENDS_ON, direction: DESC }, after: "${active}"`), // another direction
      contracts('bisc', `, filter: { status: ACTIVE }, after: "${active}"`), // another POI's list
      `{ cubiss { libraries(first: 1, after: "${active}") { nodes { id } } } }`, // another list
    ];
    for (const query of refusals) expect(codes(await stack.query(query))).toEqual(['BAD_USER_INPUT']);

    const libraries = (await stack.query(`{ cubiss { libraries(first: 2) { nodes { id tickets(first: 1) { pageInfo { endCursor } } } } } }`)).data.cubiss
      .libraries.nodes;
    const ofFirst = libraries[0].tickets.pageInfo.endCursor;
    const ticketsOf = (id: string) => `{ cubiss { library(id: "${id}") { tickets(first: 1, after: "${ofFirst}") { nodes { id } } } } }`;
    expect((await stack.query(ticketsOf(libraries[0].id))).errors).toBeUndefined();
    expect(codes(await stack.query(ticketsOf(libraries[1].id)))).toEqual(['BAD_USER_INPUT']); // another library's tickets
    expect(codes(await stack.query(`{ cubiss { tickets(first: 1, after: "${ofFirst}") { nodes { id } } } }`))).toEqual(['BAD_USER_INPUT']); // the POI-wide list
  });

  it("the audit trail shows a guarded field's change only to whoever may read that field", async () => {
    const writer = await stack.token(staffOf(bisc), 'fees@bisc');
    const library = (await stack.queryAs(writer, `{ bisc { libraries(first: 1) { nodes { id } } } }`)).data.bisc.libraries.nodes[0].id;
    const created = await stack.queryAs(
      writer,
      `mutation { bisc { createContract(input: { libraryId: "${library}", services: [HELPDESK], startsOn: "2031-01-01", endsOn: "2031-12-31", annualFee: 12345.67, noticePeriodMonths: 5, status: DRAFT }) { id } } }`,
    );
    expect(created.errors).toBeUndefined();
    const query = `{ bisc { audit(entity: CONTRACT, first: 1) { nodes { entityId changes { field from to } } } } }`;

    const withTerms = await stack.queryAs(writer, query);
    expect(withTerms.errors).toBeUndefined();
    const entry = withTerms.data.bisc.audit.nodes[0];
    expect(entry.entityId).toBe(created.data.bisc.createContract.id);
    const fee = entry.changes.findIndex((c: any) => c.field === 'annualFee');
    const notice = entry.changes.findIndex((c: any) => c.field === 'noticePeriodMonths');
    expect(entry.changes[fee].to).toBe('12345.67');
    expect(entry.changes[notice].to).toBe('5');

    const reader = await stack.queryAs(await stack.token([NETWORK_READ, poiScope(bisc, 'read')]), query);
    const seen = reader.data.bisc.audit.nodes[0].changes;
    expect(seen[fee]).toEqual({ field: 'annualFee', from: null, to: null });
    expect(seen[notice]).toEqual({ field: 'noticePeriodMonths', from: null, to: null });
    expect(seen.find((c: any) => c.field === 'endsOn').to).toBe('"2031-12-31"');
    const denied = (reader.errors ?? []).map((e) => [e.extensions?.code, e.path!.slice(-3).join('.')]).sort();
    expect(denied).toEqual(
      [fee, notice]
        .flatMap((i) => [
          ['FORBIDDEN', `changes.${i}.from`],
          ['FORBIDDEN', `changes.${i}.to`],
        ])
        .sort(),
    );
    expect(JSON.stringify(reader)).not.toContain('12345.67');
  });
});

describe("writes need the owner's write scope and record the verified identity", () => {
  const CREATE = (poi: string) =>
    `mutation { ${poi} { createKnowledgeArticle(input: { title: "Scope test ${Date.now()} ${poi}", summary: "s", body: "b", tags: ["t"], source: "test" }) { id } } }`;

  it('anonymous writes are unauthenticated, a dashboard is forbidden, staff write only their own POI', async () => {
    expect(codes(await stack.queryAs(undefined, CREATE('bisc')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await stack.queryAs(await stack.token(DASHBOARD), CREATE('bisc')))).toEqual(['FORBIDDEN']);
    const staff = await stack.token(staffOf(bisc), 'marieke@bisc');
    const own = await stack.queryAs(staff, CREATE('bisc'));
    expect(own.errors).toBeUndefined();
    expect(codes(await stack.queryAs(staff, CREATE('cubiss')))).toEqual(['FORBIDDEN']);
    const audit = await stack.queryAs(staff, `{ bisc { audit(entity: KNOWLEDGE_ARTICLE, first: 1) { nodes { actor entityId } } } }`);
    expect(audit.data!.bisc.audit.nodes[0]).toEqual({ actor: 'marieke@bisc', entityId: own.data!.bisc.createKnowledgeArticle.id });
  });

  it('the work agenda needs collaboration:write', async () => {
    const mutation = `mutation { collaboration { updateWorkAgendaItem(id: "WA-2024-01", input: { title: "x", expectedVersion: 1 }) { id } } }`;
    expect(codes(await stack.queryAs(await stack.token(staffOf(bisc)), mutation))).toEqual(['FORBIDDEN']);
  });
});

describe('tokens the gateway refuses (401, never silently anonymous)', () => {
  const refused = async (headers: Record<string, string>) => {
    const response = await postGraphQL(stack.gateway.url, '{ pois { code } }', undefined, headers);
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    return response.errors![0].message;
  };

  it('expired', async () => {
    expect(await refused(bearer(await craftedToken({ expiresAt: Math.floor(Date.now() / 1000) - 60 })))).toMatch(/expired/);
  });
  it('signed with another secret', async () => {
    expect(await refused(bearer(await craftedToken({ secret: 'x'.repeat(40) })))).toMatch(/signature/);
  });
  it('for another audience or from another issuer', async () => {
    expect(await refused(bearer(await craftedToken({ audience: 'some-other-api' })))).toMatch(/"aud"/);
    expect(await refused(bearer(await craftedToken({ issuer: 'someone-else' })))).toMatch(/"iss"/);
  });
  it('without an expiry', async () => {
    expect(await refused(bearer(await craftedToken({ noExp: true })))).toMatch(/"exp"/);
  });
  it('alg: none, and garbage', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const clients = stack.config.security.clients;
    const none = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'x', scope: 'network:read', iss: clients.issuer, aud: clients.audience, exp: 9e9 })}.`;
    expect(await refused(bearer(none))).toMatch(/algorithm/);
    await refused(bearer('not-a-jwt'));
    await refused({ authorization: 'Basic dXNlcjpwYXNz' });
  });

  it('RS256 and ES256 tokens from a JWKS URL are accepted; an unknown key is not', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    const jwks = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    try {
      const clients = {
        ...stack.config.security.clients,
        secret: undefined,
        jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
        allowAnonymous: false,
      };
      const gateway = await gatewayWith({ clients });
      const sign = (alg: string, kid: string, key: KeyLike) =>
        new SignJWT({ scope: NETWORK_READ })
          .setProtectedHeader({ alg, kid })
          .setSubject('idp-user')
          .setIssuer(clients.issuer)
          .setAudience(clients.audience)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key);
      for (const token of [await sign('RS256', 'rsa-1', rsa.privateKey), await sign('ES256', 'ec-1', ec.privateKey)]) {
        const ok = await postGraphQL(gateway.url, '{ pois { code } }', undefined, bearer(token));
        expect(ok.errors).toBeUndefined();
        expect(ok.data.pois).toHaveLength(4);
      }
      const unknown = await postGraphQL(gateway.url, '{ pois { code } }', undefined, bearer(await sign('ES256', 'ec-1', stranger.privateKey)));
      expect(unknown.status).toBe(401);
      // With JWKS only, an HS256 token is refused: no algorithm confusion with the public keys.
      expect((await postGraphQL(gateway.url, '{ pois { code } }', undefined, bearer(await craftedToken()))).status).toBe(401);
    } finally {
      await new Promise((resolve) => jwks.close(resolve));
    }
  });
});

describe('production mode', () => {
  let production: RunningServer;
  beforeAll(async () => {
    production = await gatewayWith({ clients: { ...stack.config.security.clients, allowAnonymous: false }, introspection: false, ide: false });
  });

  it('refuses anonymous requests unless configured otherwise', async () => {
    const response = await postGraphQL(production.url, '{ pois { code } }');
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    const withToken = await postGraphQL(production.url, '{ pois { code } }', undefined, bearer(await stack.token([NETWORK_READ])));
    expect(withToken.data.pois).toHaveLength(4);
  });

  it('has no introspection and no IDE, and its errors suggest no field names', async () => {
    const headers = bearer(await stack.token([NETWORK_READ]));
    const introspection = await postGraphQL(production.url, '{ __schema { types { name } } }', undefined, headers);
    expect(introspection.data).toBeUndefined();
    expect(introspection.errors![0].message).toMatch(/introspection/i);
    const typo = await postGraphQL(production.url, '{ poiss { code } }', undefined, headers);
    expect(typo.errors![0].message).not.toMatch(/Did you mean/);
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('keeps CSRF prevention on: a simple GET without a preflight header is refused', async () => {
    const response = await fetch(`${stack.gateway.url}?query=${encodeURIComponent('{ pois { code } }')}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });
});

describe('no way around the gateway', () => {
  const direct = (name: string, headers: Record<string, string> = {}) =>
    postGraphQL(stack.subgraphs.get(name)!.url, '{ _service { sdl } }', undefined, headers);

  it.each(['collaboration', ...POIS.map((p) => p.subgraphName)])('%s refuses a direct call with 401, also with a client token', async (name) => {
    const bare = await direct(name);
    expect(bare.status).toBe(401);
    expect(bare.data).toBeUndefined();
    expect(codes(bare)).toEqual(['UNAUTHENTICATED']);
    expect((await direct(name, bearer(await stack.token(staffOf(bisc))))).status).toBe(401);
  });

  it('a gateway token is valid for one subgraph only and only while it is fresh; a forged one is refused', async () => {
    const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
    const identity = { subject: 'x', name: 'x', scopes: [NETWORK_READ], anonymous: false };
    const forCubiss = await sign(identity, 'cubiss');
    expect((await direct('cubiss', bearer(forCubiss))).status).toBe(200); // the positive control
    expect((await direct('bisc', bearer(forCubiss))).status).toBe(401);
    const stale = await (await createIdentitySigner(stack.config.security.gatewaySigningKey!, () => Date.now() - 120_000))(identity, 'cubiss');
    expect((await direct('cubiss', bearer(stale))).status).toBe(401);
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect((await direct('cubiss', bearer(await (await createIdentitySigner(privateKey))(identity, 'cubiss')))).status).toBe(401);
  });

  it('the POI import route is guarded the same way, and needs the write scope', async () => {
    const url = stack.subgraphs.get('cubiss')!.url.replace(/graphql$/, 'import?entity=libraries&dryRun=true');
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body: 'name,province\n' });
    expect((await post({})).status).toBe(401);
    const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
    const reader = await sign({ subject: 'r', name: 'r', scopes: [poiScope(cubiss, 'read')], anonymous: false }, 'cubiss');
    const readerAnswer = await post(bearer(reader));
    expect(readerAnswer.status).toBe(403);
    expect(await readerAnswer.json()).toEqual({ error: 'importing into Cubiss needs the scope poi:cubiss:write' });
  });
});

describe('operation limits, each with its own error', () => {
  let limited: RunningServer;
  const limits = { depth: 6, aliases: 3, directives: 3, tokens: 400, expandedFields: 1000, bodyBytes: 4096, cost: 5000, batch: 2 };
  beforeAll(async () => {
    limited = await gatewayWith({ limits });
  });
  const ask = (query: string) => postGraphQL(limited.url, query);

  it('depth', async () => {
    const ok = await ask('{ pois { contracts { nodes { library { name } } } } }');
    expect(ok.errors).toBeUndefined();
    const deep = await ask('{ pois { contracts { nodes { library { contract { library { name } } } } } } }');
    expect(deep.status).toBe(400);
    expect(deep.errors![0].message).toBe('Query is nested too deeply: more than 6 levels');
  });

  it('aliases', async () => {
    const response = await ask('{ a: pois { code } b: pois { code } c: pois { code } d: pois { code } }');
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['TOO_MANY_ALIASES']);
    expect(response.errors![0].message).toBe('Too many aliases: 4, at most 3');
  });

  it('directives', async () => {
    const response = await ask('{ pois { code @include(if: true) name @include(if: true) fullName @skip(if: false) seat @skip(if: false) } }');
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['TOO_MANY_DIRECTIVES']);
  });

  it('tokens', async () => {
    const response = await ask(`{ pois { ${'code '.repeat(500)} } }`);
    expect(response.status).toBe(400);
    expect(response.errors![0].message).toMatch(/more th[ae]t? 400 tokens/);
  });

  it('request body size', async () => {
    const response = await ask(`{ pois { code } } # ${'x'.repeat(5000)}`);
    expect(response.status).toBe(413);
    expect(codes(response)).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  it('cost: list sizes × nesting, reported with the figure, before any subgraph is asked', async () => {
    const before = stack.statementCounts();
    const response = await ask('{ pois { libraries(first: 100) { nodes { branches { name } } } } }');
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(response.errors![0].extensions).toEqual(expect.objectContaining({ cost: 1 + 10 + 10 + 1000 + 10_000, maxCost: 5000 }));
    expect(stack.statementCounts()).toEqual(before);
    expect((await ask('{ pois { libraries(first: 10) { nodes { name } } } }')).errors).toBeUndefined();
    // Variables count too.
    const viaVariable = await postGraphQL(limited.url, 'query($n: Int) { pois { libraries(first: $n) { nodes { name branches { name } } } } }', { n: 100 });
    expect(codes(viaVariable)).toEqual(['COST_LIMIT_EXCEEDED']);
  });

  it("the default cost limit leaves every example operation (dashboards' and analysts') at least 2× headroom", () => {
    const schema = apiSchemaOf(stack.supergraphSdl);
    const costs = Object.fromEntries(
      readExampleOperations().map((op) => {
        const document = parse(op.text);
        const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
        return [op.file, operationCost(schema, operation.selectionSet, schema.getRootType(operation.operation)!, {}, exampleVariables(op.variableDefinitions))];
      }),
    );
    expect(Object.keys(costs).length).toBeGreaterThanOrEqual(15);
    for (const [file, cost] of Object.entries(costs)) expect([file, cost <= stack.config.security.limits.cost / 2]).toEqual([file, true]);
    expect(costs['dashboard-overview.graphql']).toBeGreaterThan(1000); // the estimate does count lists
  });

  it('fragment bombs are refused by their expanded size, without expanding them (issue 18, item 2)', async () => {
    for (const [bytes, doublings] of [
      [2048, 20],
      [2 ** 20 - 1000, 36],
    ]) {
      for (const bomb of fragmentBombs(bytes, doublings)) {
        const started = performance.now();
        const response = await stack.query(bomb.text);
        const ms = performance.now() - started;
        expect([bomb.shape, response.status, codes(response)]).toEqual([bomb.shape, 400, ['TOO_MANY_FIELDS']]);
        expect([bomb.shape, ms < 1000]).toEqual([bomb.shape, true]); // 50 ms on an idle machine; generous for a busy one
      }
    }
  });

  it('depth, fields and cost of a fragment bomb take one look per selection, whatever its expansion; graphql-js validation stays fast on it', () => {
    const schema = apiSchemaOf(stack.supergraphSdl);
    const selectionsIn = (document: DocumentNode) => {
      let count = 0;
      visit(document, { Field: () => void count++, FragmentSpread: () => void count++, InlineFragment: () => void count++ });
      return count;
    };
    for (const bomb of [
      ...fragmentBombs(2048, 36),
      ...fragmentBombs(2 ** 20, 36),
      { shape: '5,000 aliases of a spread, 2^30', text: aliasedChain({ levels: 30, fanOut: 2, aliases: 5000 }) },
    ]) {
      const document = parse(bomb.text, { maxTokens: 10 ** 6 });
      const shape = documentShape(document);
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      const fragments = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])));
      const counter = { visits: 0 };
      const cost = operationCost(schema, operation.selectionSet, schema.getQueryType()!, fragments, {}, counter);
      expect([bomb.shape, shape.visits <= selectionsIn(document), counter.visits <= selectionsIn(document)]).toEqual([bomb.shape, true, true]);
      expect([bomb.shape, shape.operations.get(operation)!.fields >= 2 ** 20, cost >= 2 ** 20]).toEqual([bomb.shape, true, true]);
      const started = performance.now();
      validate(schema, document, specifiedRules);
      expect([bomb.shape, performance.now() - started < 2000]).toEqual([bomb.shape, true]);
    }
    // Arithmetic, not estimates: 2^20 copies of `pois { code }` (1 + 10 per copy, 2 fields per copy).
    const chain = parse(doublingChain({ levels: 20, fanOut: 2 }));
    expect(documentShape(chain).operations.values().next().value).toEqual({ depth: 2, fields: 2 * 2 ** 20 });
    const operation = chain.definitions[0] as OperationDefinitionNode;
    const fragments = Object.fromEntries(chain.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])));
    expect(operationCost(apiSchemaOf(stack.supergraphSdl), operation.selectionSet, schema.getQueryType()!, fragments, {})).toBe(11 * 2 ** 20);
  });

  it('fragments spread inside each other deeper than the depth limit are refused before validation (no stack overflow)', async () => {
    const gateway = await gatewayWith({ limits: { ...stack.config.security.limits, tokens: 100_000 } });
    const response = await postGraphQL(gateway.url, doublingChain({ levels: 6000, fanOut: 1 }), undefined, bearer(await stack.token([NETWORK_READ])));
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['QUERY_TOO_DEEP']);
    expect(response.errors![0].message).toBe('Fragments are nested too deeply: more than 40 spreads inside each other');
  });

  it('a page size out of range is refused before costing, so a negative first cannot cancel the cost (issue 18, item 3)', async () => {
    const before = stack.statementCounts();
    const expensive = 'pois { libraries(first: 100) { nodes { branches { name } } } }';
    const negative = await ask(`{ a: pois { libraries(first: -2147483648) { nodes { name } } } ${expensive} }`);
    expect(negative.status).toBe(400);
    expect(negative.errors).toEqual([
      { message: '"first" must be between 0 and 100, got -2147483648', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'first' }) },
    ]);
    for (const n of [-2147483648, -1, 101, 2147483647]) {
      const viaVariable = await postGraphQL(limited.url, `query($n: Int) { a: pois { libraries(first: $n) { totalCount } } ${expensive} }`, { n });
      expect([n, viaVariable.status, codes(viaVariable), viaVariable.errors![0].extensions?.argument]).toEqual([n, 400, ['BAD_USER_INPUT'], 'first']);
    }
    // A variable's default counts like a given value.
    const byDefault = await ask(`query($n: Int = 100) { pois { libraries(first: $n) { nodes { branches { name } } } } }`);
    expect(codes(byDefault)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(stack.statementCounts()).toEqual(before);
    expect((await ask('{ pois { libraries(first: 0) { totalCount } } }')).errors).toBeUndefined();
  });

  it('batched operations per request', async () => {
    const batch = (n: number) =>
      fetch(limited.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Array.from({ length: n }, () => ({ query: '{ pois { code } }' }))),
      });
    const two = await batch(2);
    expect(two.status).toBe(200);
    expect(((await two.json()) as unknown[]).length).toBe(2);
    const three = await batch(3);
    expect(three.status).toBe(400);
    expect(await three.json()).toEqual({
      errors: [{ message: 'Too many operations in one batch: 3, at most 2', extensions: { code: 'BATCH_LIMIT_EXCEEDED' } }],
    });
  });
});

describe('rate limiting per client identity', () => {
  it('answers 429 with Retry-After once an identity spends its budget; other identities go on', async () => {
    const gateway = await gatewayWith({ rateLimit: { requests: 3, windowSeconds: 60 } });
    const alice = bearer(await stack.token([NETWORK_READ], 'alice'));
    const bob = bearer(await stack.token([NETWORK_READ], 'bob'));
    const send = (headers: Record<string, string>) =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ pois { code } }' }) });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(alice)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await send(alice);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(((await limited.json()) as GraphQLResponse).errors![0].extensions?.code).toBe('RATE_LIMITED');
    const other = await send(bob);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('2');
  });
});

describe('a rate limit shared through Redis', () => {
  redisIt('gateway replicas count one budget per identity, and keep serving while Redis is away', async () => {
    const redis = await startRedis();
    try {
      const rateLimit = { requests: 4, windowSeconds: 60, redisUrl: redis.url };
      const [first, second] = [await gatewayWith({ rateLimit }), await gatewayWith({ rateLimit })];
      const carol = bearer(await stack.token([NETWORK_READ], `carol-${Date.now()}`));
      const send = (gateway: RunningServer) =>
        fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...carol },
          body: JSON.stringify({ query: '{ pois { code } }' }),
        }).then((r) => r.status);
      const connected = async (gateway: RunningServer) => ((await (await fetch(gateway.url.replace(/graphql$/, 'ready'))).json()) as any).rateLimit.connected;
      for (let i = 0; i < 50 && !((await connected(first)) && (await connected(second))); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect([await connected(first), await connected(second)]).toEqual([true, true]);
      expect([await send(first), await send(second), await send(first), await send(second), await send(first), await send(second)]).toEqual([
        200, 200, 200, 200, 429, 429,
      ]);
      await redis.stop();
      // Redis gone: each replica falls back to its own in-memory budget instead of failing requests.
      for (let i = 0; i < 50 && (await connected(first)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await connected(first)).toBe(false);
      expect(await send(first)).toBe(200);
    } finally {
      await redis.stop();
    }
  });
});

describe('hostile strings in every filter argument change nothing and leak nothing', () => {
  const PAYLOADS = [
    "' OR '1'='1",
    '1; DROP TABLE library; --',
    "%' UNION SELECT name FROM sqlite_master --",
    "\\'); DELETE FROM ticket; --",
    '%',
    '_',
    '!',
    '"',
    'x'.repeat(100_000),
  ];
  const STATS = `{ pois { code stats { libraryCount branchCount activeContractCount openTicketCount } knowledgeArticles { totalCount } } workAgenda { id } }`;
  const LEAK = /sql|syntax|select |sqlite|mysql|ER_|SQLITE|column|near "|stack|at .*\.ts/i;

  /** Each string argument a client can pass to a filter or lookup, as a query over one variable. */
  const ARGUMENTS: [string, string, (data: any) => number][] = [
    ['libraries.nameContains', 'query($v: String) { cubiss { libraries(filter: { nameContains: $v }) { totalCount } } }', (d) => d.cubiss.libraries.totalCount],
    ['libraries.municipality', 'query($v: String) { cubiss { libraries(filter: { municipality: $v }) { totalCount } } }', (d) => d.cubiss.libraries.totalCount],
    ['tickets.libraryId', 'query($v: ID) { cubiss { tickets(filter: { libraryId: $v }) { totalCount } } }', (d) => d.cubiss.tickets.totalCount],
    [
      'Library.tickets.libraryId',
      'query($v: ID) { cubiss { libraries(first: 1) { nodes { tickets(filter: { libraryId: $v }) { totalCount } } } } }',
      (d) => d.cubiss.libraries.nodes[0].tickets.totalCount,
    ],
    ['library(id)', 'query($v: ID!) { cubiss { library(id: $v) { id } } }', (d) => (d.cubiss.library ? 1 : 0)],
    ['poi(code)', 'query($v: ID!) { poi(code: $v) { code } }', (d) => (d.poi ? 1 : 0)],
    ['workAgenda(ownerCode)', 'query($v: ID) { workAgenda(ownerCode: $v) { id } }', (d) => d.workAgenda.length],
    ['workAgendaItem(id)', 'query($v: ID!) { workAgendaItem(id: $v) { id } }', (d) => (d.workAgendaItem ? 1 : 0)],
  ];

  it('matches nothing, answers cleanly (data or a BAD_USER_INPUT), and the data is unchanged afterwards', async () => {
    const before = await stack.query(STATS);
    expect(before.errors).toBeUndefined();
    for (const [label, query, count] of ARGUMENTS) {
      for (const payload of PAYLOADS) {
        const response = await stack.query(query, { v: payload });
        const context = `${label} = ${JSON.stringify(payload.slice(0, 40))}`;
        for (const error of response.errors ?? []) {
          expect([context, error.extensions?.code]).toEqual([context, 'BAD_USER_INPUT']);
          expect([context, error.message]).not.toEqual([context, expect.stringMatching(LEAK)]);
          expect(JSON.stringify(error.extensions)).not.toMatch(/stacktrace/i);
        }
        if (!response.errors) expect([context, count(response.data)]).toEqual([context, 0]);
      }
    }
    // Cursors and knowledge search are strings too: a hostile one is refused or finds nothing it should not.
    for (const payload of PAYLOADS) {
      const page = await stack.query('query($v: String) { cubiss { libraries(after: $v) { totalCount } } }', { v: payload });
      expect(codes(page)).toEqual(['BAD_USER_INPUT']);
      const search = await stack.query('query($v: String) { cubiss { knowledgeArticles(search: $v) { totalCount nodes { title } } } }', { v: payload });
      for (const error of search.errors ?? []) expect(error.message).not.toMatch(LEAK);
    }
    expect(await stack.query(STATS)).toEqual(before);
  });
});
