// Findings of the attack run (issue 18): caching headers, authentication before the body, token
// lifetimes, hostile bodies and headers, input ranges, CSV formulas, operations endpoints.
import { SignJWT } from 'jose';
import { toCsv as dashboardCsv } from '../dashboard/src/csv';
import { signClientToken } from '../shared/auth/client-token';
import { toCsv } from '../shared/flatten';
import { NETWORK_READ, poiScope } from '../shared/auth/identity';
import { loadConfig } from '../shared/config';
import { poiByCode } from '../shared/registry';
import type { RunningServer } from '../shared/server';
import { GraphQLResponse, postGraphQL, startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const OVERVIEW = 'query Overview { pois { code stats { libraryCount } } }';

/** A GET of a cacheable query (CSRF prevention wants the preflight header). */
function getQuery(url: string, query: string, headers: Record<string, string> = {}) {
  return fetch(`${url}?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true', ...headers } });
}

describe('cache-control of answers that depend on the caller', () => {
  let cached: RunningServer;
  beforeAll(async () => {
    cached = await stack.gatewayWith({}, { responseCache: 'memory' });
  });

  it('an answer to a token holder is private and varies by Authorization, also from the cache', async () => {
    const token = await stack.token([NETWORK_READ, poiScope(poiByCode('BISC'), 'contracts')], 'cache-staff');
    for (let i = 0; i < 2; i++) {
      const response = await getQuery(cached.url, OVERVIEW, bearer(token));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toMatch(/^max-age=\d+, private$/);
      expect(response.headers.get('vary')).toMatch(/authorization/i);
    }
    const post = await fetch(cached.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query: OVERVIEW }),
    });
    expect(post.headers.get('cache-control')).toMatch(/private$/);
  });

  it('only an anonymous answer is public, and it too varies by Authorization', async () => {
    const response = await getQuery(cached.url, OVERVIEW);
    expect(response.headers.get('cache-control')).toMatch(/^max-age=\d+, public$/);
    expect(response.headers.get('vary')).toMatch(/authorization/i);
  });
});

describe('authentication comes first, and failures are counted', () => {
  const badToken = bearer('not-a-jwt');

  it('a bad token is refused before the body is read: neither an unparsable nor a too large body is looked at', async () => {
    const broken = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...badToken }, body: '{ not json' });
    expect(broken.status).toBe(401);
    const large = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...badToken },
      body: JSON.stringify({ query: `{ pois { code } } # ${'x'.repeat(1.5 * 2 ** 20)}` }),
    });
    expect(large.status).toBe(401);
    expect(((await large.json()) as GraphQLResponse).errors![0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("failed authentications spend the address's budget: 429 once it is spent, while valid tokens go on", async () => {
    const gateway = await stack.gatewayWith({ rateLimit: { requests: 3, windowSeconds: 60 } });
    const send = (headers: Record<string, string>) =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ pois { code } }' }) });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(badToken)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await send(bearer('another.bad.token'));
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as GraphQLResponse).errors![0].extensions?.code).toBe('RATE_LIMITED');
    expect((await send(bearer(await stack.token([NETWORK_READ], 'honest')))).status).toBe(200);
  });
});

describe('token lifetime and clock skew', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const craft = (claims: { iat?: number; exp: number; nbf?: number }) => {
    const clients = stack.config.security.clients;
    const jwt = new SignJWT({ scope: NETWORK_READ, ...(claims.nbf ? { nbf: claims.nbf } : {}), ...(claims.iat ? { iat: claims.iat } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('lifetime')
      .setIssuer(clients.issuer)
      .setAudience(clients.audience)
      .setExpirationTime(claims.exp);
    return jwt.sign(new TextEncoder().encode(clients.secret!));
  };
  const ask = async (token: string) => postGraphQL(stack.gateway.url, '{ pois { code } }', undefined, bearer(token));

  it('refuses a token valid for longer than the maximum lifetime (exp − iat), one without iat, and one issued in the future', async () => {
    const tenYears = await ask(await craft({ iat: now(), exp: now() + 10 * 365 * 86_400 }));
    expect(tenYears.status).toBe(401);
    expect(tenYears.errors![0].message).toMatch(/valid for at most 86400 s/);
    const noIat = await ask(await craft({ exp: now() + 600 }));
    expect(noIat.status).toBe(401);
    expect(noIat.errors![0].message).toMatch(/"iat"/);
    const future = await ask(await craft({ iat: now() + 3600, exp: now() + 7200 }));
    expect(future.status).toBe(401);
    expect(future.errors![0].message).toMatch(/"iat"/);
    const notYet = await ask(await craft({ iat: now(), nbf: now() + 3600, exp: now() + 7200 }));
    expect(notYet.status).toBe(401);
  });

  it('accepts a token within the lifetime, also one issued a little (within the skew) ahead of this clock', async () => {
    expect((await ask(await craft({ iat: now() + 20, exp: now() + 3600 }))).status).toBe(200);
    expect((await ask(await craft({ iat: now() - 60, exp: now() + 86_400 - 60 }))).status).toBe(200);
  });

  it('npm run token (signClientToken) will not make a token that lives longer than the maximum', async () => {
    const clients = stack.config.security.clients;
    await expect(signClientToken(clients, { subject: 'x', scopes: [NETWORK_READ], expiresIn: '2d' })).rejects.toThrow(/at most 86400 s/);
    await expect(signClientToken(clients, { subject: 'x', scopes: [NETWORK_READ], expiresIn: '24h' })).resolves.toMatch(/\./);
  });
});

describe('hostile bodies and headers', () => {
  it('a JSON body nested 200,000 deep is a 400 that says so', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"{ pois { code } }","variables":{"a":${deep}}}`,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as GraphQLResponse;
    expect(body.errors![0]).toMatchObject({ message: expect.stringMatching(/nested too deeply/), extensions: { code: 'BAD_REQUEST' } });
  });

  it('headers that are too large (a token with 5,000 scopes) get a 431 with a JSON error', async () => {
    const token = await stack.token(
      Array.from({ length: 5000 }, (_, i) => `poi:many${i}:read`),
      'many-scopes',
    );
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: '{"query":"{ pois { code } }"}',
    });
    expect(response.status).toBe(431);
    const body = (await response.json()) as GraphQLResponse;
    expect(body.errors![0]).toMatchObject({
      message: expect.stringMatching(/headers are too large/i),
      extensions: { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' },
    });
  });

  it('no service says what it is built with (no X-Powered-By)', async () => {
    const answers = [
      await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ pois { code } }"}' }),
      await fetch(stack.gateway.url.replace(/graphql$/, 'health')),
      await fetch(stack.subgraphs.get('cubiss')!.url.replace(/graphql$/, 'health')),
      await fetch(stack.subgraphs.get('collaboration')!.url),
    ];
    for (const answer of answers) expect(answer.headers.get('x-powered-by')).toBeNull();
  });
});

describe('CSV cells that a spreadsheet would run as a formula', () => {
  const hostile = ['=HYPERLINK("http://evil.example","klik")', '+31 6 1234', '-2+3', '@SUM(A1)', '\tTab', '\rCR'];

  it('npm run query and the dashboard both write them behind a single quote; plain numbers stay numbers', () => {
    const query = toCsv({ columns: ['title'], rows: [...hostile.map((t) => [t]), ['-12.5'], ['42']] });
    const dashboard = dashboardCsv({ columns: ['title'], rows: [...hostile.map((t) => [t]), [-12.5], ['42']] });
    expect(dashboard).toBe(query);
    const cells = query.split('\r\n').slice(1, -1);
    expect(cells.slice(0, 4)).toEqual([`"'=HYPERLINK(""http://evil.example"",""klik"")"`, "'+31 6 1234", "'-2+3", "'@SUM(A1)"]);
    expect(query).toContain("'\tTab");
    expect(query).toContain(`"'\rCR`);
    expect(cells.slice(-2)).toEqual(['-12.5', '42']);
  });
});

describe('input ranges', () => {
  const CREATE = `mutation Create($input: ContractInput!) { cubiss { createContract(input: $input) { id } } }`;
  const contract = {
    libraryId: '1',
    services: ['HELPDESK'],
    startsOn: '2027-01-01',
    endsOn: '2029-12-31',
    annualFee: 1000,
    noticePeriodMonths: 6,
    status: 'DRAFT',
  };
  const problemFields = (response: GraphQLResponse) => (response.errors?.[0].extensions?.problems as { field: string }[] | undefined)?.map((p) => p.field);

  it('a Date before 1900 or after 2199 is refused, as a variable and as a literal', async () => {
    const early = await stack.query(CREATE, { input: { ...contract, startsOn: '0000-01-01' } });
    expect(early.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/input.startsOn.*1900-01-01 to 2199-12-31/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const late = await stack.query(`{ cubiss { contracts(filter: { endsBefore: "9999-12-31" }) { totalCount } } }`);
    // A literal is refused while the document is validated, as every bad literal is.
    expect(late.errors?.[0]).toMatchObject({ message: expect.stringMatching(/1900-01-01 to 2199-12-31/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect((await stack.query(CREATE, { input: { ...contract, endsOn: '2200-01-01' } })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a contract naming a service twice is refused at its path', async () => {
    const twice = await stack.query(CREATE, { input: { ...contract, services: ['HELPDESK', 'HELPDESK'] } });
    expect(twice.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(problemFields(twice)).toEqual(['input.services']);
  });

  it('an article takes at most 50 tags of at most 50 characters', async () => {
    const ARTICLE = `mutation Create($input: KnowledgeArticleInput!) { cubiss { createKnowledgeArticle(input: $input) { id } } }`;
    const article = { title: 'Tags', summary: 's', body: 'b', source: 'eKIC' };
    const many = await stack.query(ARTICLE, { input: { ...article, tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) } });
    expect(many.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(problemFields(many)).toEqual(['input.tags']);
    const long = await stack.query(ARTICLE, { input: { ...article, tags: ['x'.repeat(51)] } });
    expect(problemFields(long)).toEqual(['input.tags[0]']);
  });
});

describe('operations endpoints (/metrics, /ready) behind OPERATIONS_TOKEN', () => {
  const OPERATIONS_TOKEN = 'o'.repeat(40);

  it('are open locally, closed in production, and behind the token once it is set', () => {
    const env = { ...process.env, AUTH_JWT_SECRET: 's'.repeat(40) };
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).operations).toEqual({ open: true, token: undefined });
    expect(loadConfig({ ...env, NODE_ENV: 'development', OPERATIONS_TOKEN }).operations).toEqual({ open: false, token: OPERATIONS_TOKEN });
    expect(() => loadConfig({ ...env, OPERATIONS_TOKEN: 'short' })).toThrow(/OPERATIONS_TOKEN must be at least 32 characters/);
  });

  it('without the token: no metrics, and /ready says only its status; with it: everything', async () => {
    const gateway = await stack.gatewayWith({}, { operations: { open: false, token: OPERATIONS_TOKEN } });
    const base = gateway.url.replace(/graphql$/, '');
    const metrics = await fetch(`${base}metrics`);
    expect(metrics.status).toBe(401);
    expect(await metrics.text()).not.toMatch(/nodejs_|gateway_/);
    const ready = await fetch(`${base}ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const withToken = bearer(OPERATIONS_TOKEN);
    expect(await (await fetch(`${base}metrics`, { headers: withToken })).text()).toMatch(/nodejs_version_info/);
    expect(await (await fetch(`${base}ready`, { headers: withToken })).json()).toMatchObject({
      status: 'ready',
      service: 'gateway',
      subgraphs: expect.any(Object),
    });
    expect((await fetch(`${base}metrics`, { headers: bearer('x'.repeat(40)) })).status).toBe(401);
  });
});

describe('a down POI asked through its own root field', () => {
  it("its SUBGRAPH_UNAVAILABLE error carries the root field's path", async () => {
    await stack.stopSubgraph('cubiss');
    const response = await stack.query('{ cubiss { name } bisc { name } }');
    expect(response.data?.bisc?.name).toBeTruthy();
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['cubiss'], extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', poi: 'CUBISS' }) }),
    ]);
  });
});
