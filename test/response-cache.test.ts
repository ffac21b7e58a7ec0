// The gateway's response cache (subgraphs' @cacheControl hints → Cache-Control → one cache
// policy per answer) and automatic persisted queries, against the real stack.
import { createHash } from 'node:crypto';
import { NETWORK_READ, poiScope } from '../shared/auth/identity';
import { poiByCode } from '../shared/registry';
import type { RunningServer } from '../shared/server';
import { startStack, Stack } from './helpers/stack';

let stack: Stack;
let cached: RunningServer;
beforeAll(async () => {
  stack = await startStack();
  cached = await stack.gatewayWith({}, { responseCache: 'memory' });
});
afterAll(async () => {
  await stack?.stop();
});

const OVERVIEW = `query Overview { pois { code name stats { libraryCount openTicketCount ticketsByStatus { key count } } } }`;
const totalStatements = () => Object.values(stack.statementCounts()).reduce((a, b) => a + b, 0);

async function ask(query: string, token?: string, extensions?: object, url = cached.url) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, ...(extensions ? { extensions } : {}) }),
  });
  const statementsAfter = totalStatements();
  return {
    status: response.status,
    age: response.headers.get('age'),
    cacheControl: response.headers.get('cache-control'),
    body: (await response.json()) as any,
    statementsAfter,
  };
}

describe('response cache', () => {
  it('answers a repeated aggregate query from the cache: no subgraph, no SQL, the same data', async () => {
    const first = await ask(OVERVIEW);
    expect(first.body.errors).toBeUndefined();
    expect(first.age).toBeNull();
    // The lowest hint of the answer: stats (60 s) under the registry (300 s), as README "Caching" documents them.
    expect(first.cacheControl).toBe('max-age=60, public');
    const second = await ask(OVERVIEW);
    expect(second.age).not.toBeNull();
    expect(second.body).toEqual(first.body);
    expect(second.statementsAfter).toBe(first.statementsAfter);
  });

  it('does not cache answers with a field that has no hint', async () => {
    const query = '{ pois { code libraries(first: 1) { totalCount } } }';
    const first = await ask(query);
    const second = await ask(query);
    expect(second.age).toBeNull();
    expect(second.cacheControl).toBe('no-store');
    expect(second.statementsAfter).toBeGreaterThan(first.statementsAfter);
  });

  it("never serves one identity's answer to a caller with other scopes, and never caches a refusal", async () => {
    const reader = await stack.token([NETWORK_READ], 'reader');
    const otherReader = await stack.token([NETWORK_READ], 'another-reader');
    const staff = await stack.token([NETWORK_READ, poiScope(poiByCode('BISC'), 'contracts')], 'staff');
    const outsider = await stack.token([poiScope(poiByCode('BISC'), 'read')], 'outsider');
    const query = `{ pois { code stats { memberCount } } }`;

    expect((await ask(query, reader)).age).toBeNull();
    // Same scopes: the same answer, so it may be shared.
    expect((await ask(query, otherReader)).age).not.toBeNull();
    // Other scopes: its own entry.
    expect((await ask(query, staff)).age).toBeNull();
    expect((await ask(query, staff)).age).not.toBeNull();
    // A caller without network:read is refused every time, never answered from anyone's cache.
    for (let i = 0; i < 2; i++) {
      const refused = await ask(query, outsider);
      expect(refused.age).toBeNull();
      expect(refused.body.data.pois).toBeNull();
      expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
  });

  it("is off unless configured: the stack's own gateway asks the subgraphs every time", async () => {
    const first = await ask(OVERVIEW, undefined, undefined, stack.gateway.url);
    const second = await ask(OVERVIEW, undefined, undefined, stack.gateway.url);
    expect(second.age).toBeNull();
    expect(second.statementsAfter).toBeGreaterThan(first.statementsAfter);
  });
});

describe('automatic persisted queries', () => {
  it('registers a query by its hash once, then runs it from the hash alone', async () => {
    const query = '{ pois { code inSteeringGroup } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const post = (body: object) =>
      fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      }));

    const unknown = await post({ extensions: { persistedQuery } });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post({ query, extensions: { persistedQuery } });
    expect(registered.body.data.pois).toHaveLength(4);
    const byHash = await post({ extensions: { persistedQuery } });
    expect(byHash.body).toEqual(registered.body);
    // A text that does not match its hash is refused.
    const mismatch = await post({ query: '{ pois { code } }', extensions: { persistedQuery } });
    expect(mismatch.status).toBe(400);
  });
});
