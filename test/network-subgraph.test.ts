// The network subgraph (subgraphs/network/, issue 17 item 5) answers only the gateway, like every
// subgraph, and cannot raise anyone's rights: it asks each POI with the token the gateway signed
// for that POI (x-poi-tokens), so a missing, forged or misaddressed POI token leaves that POI out
// (its error named), and a POI's confidential fields follow the identity in that POI's token, not
// the one the network subgraph was given.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSecrets } from '../shared/auth/local-secrets';
import { createIdentitySigner, POI_TOKENS_HEADER, type IdentitySigner } from '../shared/auth/internal-token';
import { NETWORK_READ, poiScope } from '../shared/auth/identity';
import { POIS, poiByCode } from '../shared/registry';
import { ALL_SCOPES } from './helpers/auth';
import { postGraphQL, startStack, Stack } from './helpers/stack';

let stack: Stack;
let sign: IdentitySigner;
let url: string;

beforeAll(async () => {
  stack = await startStack({ env: { RESPONSE_CACHE: 'off' } });
  sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
  url = stack.subgraphs.get('network')!.url;
});
afterAll(() => stack?.stop());

const identity = (scopes: readonly string[], subject = 'network-test') => ({ subject, name: subject, scopes: [...scopes], anonymous: false });
const everyone = identity(ALL_SCOPES);
const cubiss = poiByCode('CUBISS');
const bisc = poiByCode('BISC');

/** Contracts of every POI with their fees, ordered by end date (no scope needed to order). */
const CONTRACTS = `{ network { contracts(first: 100) { totalCount incomplete missingPois nodes { id annualFee poi { code } } } } }`;

/** Every POI's token for this identity, as the gateway puts them in x-poi-tokens. */
async function poiTokens(who: ReturnType<typeof identity>, overrides: Record<string, string | undefined> = {}) {
  const tokens: Record<string, string> = {};
  for (const poi of POIS) tokens[poi.subgraphName] = await sign(who, poi.subgraphName);
  for (const [name, token] of Object.entries(overrides)) {
    if (token === undefined) delete tokens[name];
    else tokens[name] = token;
  }
  return JSON.stringify(tokens);
}

async function askNetwork(headers: Record<string, string>, query = CONTRACTS) {
  return postGraphQL(url, query, undefined, headers);
}

/** The number of contracts of a POI, counted in its own database. */
async function contractCount(subgraph: string): Promise<number> {
  const [row] = await stack.subgraphs.get(subgraph)!.database.dataSource.query('SELECT COUNT(*) AS n FROM contract');
  return Number(row.n);
}

describe('the network subgraph answers only the gateway', () => {
  it('refuses a request without a token, with a client token, or with a token signed for another subgraph (401)', async () => {
    expect((await askNetwork({})).status).toBe(401);
    expect((await askNetwork({ authorization: `Bearer ${await stack.token(ALL_SCOPES)}` })).status).toBe(401);
    expect((await askNetwork({ authorization: `Bearer ${await sign(everyone, 'cubiss')}` })).status).toBe(401);
    const forged = await createIdentitySigner(generateSecrets().gatewayPrivateKey);
    expect((await askNetwork({ authorization: `Bearer ${await forged(everyone, 'network')}` })).status).toBe(401);
  });

  it("with the gateway's token, answers the list from every POI whose own token it was given", async () => {
    const response = await askNetwork({ authorization: `Bearer ${await sign(everyone, 'network')}`, [POI_TOKENS_HEADER]: await poiTokens(everyone) });
    expect(response.errors).toBeUndefined();
    let total = 0;
    for (const poi of POIS) total += await contractCount(poi.subgraphName);
    expect(response.data.network.contracts).toMatchObject({ totalCount: total, incomplete: false, missingPois: [] });
  });
});

describe('POI tokens: the network subgraph cannot raise anyone', () => {
  const networkToken = () => sign(everyone, 'network');

  it('without x-poi-tokens every POI refuses: an empty, incomplete list, each POI named, nothing of theirs', async () => {
    const response = await askNetwork({ authorization: `Bearer ${await networkToken()}` });
    expect(response.data.network.contracts).toMatchObject({ totalCount: 0, nodes: [], incomplete: true });
    expect([...response.data.network.contracts.missingPois].sort()).toEqual(POIS.map((p) => p.code).sort());
    for (const poi of POIS)
      expect(response.errors).toContainEqual(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', poi: poi.code }) }));
  });

  it("a forged Cubiss token, or another POI's token in Cubiss's place, leaves Cubiss out and the others in", async () => {
    const forged = await createIdentitySigner(generateSecrets().gatewayPrivateKey);
    for (const wrong of [await forged(everyone, cubiss.subgraphName), await sign(everyone, bisc.subgraphName), 'not-a-token']) {
      const response = await askNetwork({
        authorization: `Bearer ${await networkToken()}`,
        [POI_TOKENS_HEADER]: await poiTokens(everyone, { [cubiss.subgraphName]: wrong }),
      });
      const list = response.data.network.contracts;
      expect(list).toMatchObject({ incomplete: true, missingPois: [cubiss.code] });
      expect(list.nodes.some((n: { poi: { code: string } }) => n.poi.code === cubiss.code)).toBe(false);
      expect(list.nodes.length).toBeGreaterThan(0);
      expect(response.errors).toEqual([
        expect.objectContaining({ path: ['network', 'contracts'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', poi: cubiss.code }) }),
      ]);
    }
  });

  it("a POI's confidential fields follow the identity in that POI's own token, not the network token's", async () => {
    // The network token claims every scope; the POI tokens carry a BiSC staff member's only.
    const staff = identity([NETWORK_READ, poiScope(bisc, 'read'), poiScope(bisc, 'contracts')], 'bisc-staff');
    const response = await askNetwork({ authorization: `Bearer ${await networkToken()}`, [POI_TOKENS_HEADER]: await poiTokens(staff) });
    const nodes: { annualFee: number | null; poi: { code: string } }[] = response.data.network.contracts.nodes;
    const others = nodes.filter((n) => n.poi.code !== bisc.code);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((n) => n.annualFee === null)).toBe(true);
    expect(nodes.some((n) => n.poi.code === bisc.code && n.annualFee !== null)).toBe(true);
    const forbidden = (response.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN');
    expect(forbidden).toHaveLength(others.length);
    for (const error of forbidden) expect(error.path?.slice(-1)).toEqual(['annualFee']);
  });
});

describe('the gateway sends the network subgraph the POI tokens', () => {
  it("so through the gateway a caller's own scopes decide per POI (no escalation, nothing lost)", async () => {
    const staff = await stack.token([NETWORK_READ, poiScope(bisc, 'read'), poiScope(bisc, 'contracts')], 'bisc-staff');
    const response = await stack.queryAs(staff, CONTRACTS);
    const nodes: { annualFee: number | null; poi: { code: string } }[] = response.data.network.contracts.nodes;
    expect(response.data.network.contracts.incomplete).toBe(false);
    expect(nodes.filter((n) => n.poi.code !== bisc.code).every((n) => n.annualFee === null)).toBe(true);
    expect(nodes.some((n) => n.poi.code === bisc.code && n.annualFee !== null)).toBe(true);
  });
});

describe("a selection naming one POI's own type", () => {
  it('is asked of that POI only: the others never see a fragment on a type they do not have (no error, its values where they apply)', async () => {
    const query = `query Fees { network { contracts(first: 100) { incomplete nodes { id poi { code }
        library { contract { __typename ... on CubissContract { annualFee } ...BiscFee } } } } } }
      fragment BiscFee on BiscContract { bisc: annualFee }`;
    const response = await stack.query(query);
    expect(response.errors).toBeUndefined();
    const nodes: { poi: { code: string }; library: { contract: Record<string, unknown> | null } }[] = response.data.network.contracts.nodes;
    expect(response.data.network.contracts.incomplete).toBe(false);
    expect(new Set(nodes.map((n) => n.poi.code))).toEqual(new Set(POIS.map((p) => p.code)));
    for (const { poi, library } of nodes) {
      if (!library.contract) continue;
      expect(library.contract.__typename).toBe(`${poi.code[0]}${poi.code.slice(1).toLowerCase()}Contract`);
      expect('annualFee' in library.contract).toBe(poi.code === cubiss.code);
      expect('bisc' in library.contract).toBe(poi.code === bisc.code);
    }
  });
});

describe('a POI that does not answer in time', () => {
  it("is left out with SUBGRAPH_TIMEOUT before the gateway gives up on the network subgraph: the others' items still come", async () => {
    // Cubiss's address, for the gateway and the network subgraph alike, is a server that never answers.
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hanging = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`;
    const slow = await startStack({
      env: { RESPONSE_CACHE: 'off' },
      resilience: { timeoutMs: 1500, failureThreshold: 1000 },
      subgraphUrls: { cubiss: hanging },
    });
    try {
      const response = await slow.query(`{ network { tickets(first: 10) { totalCount incomplete missingPois nodes { reference poi { code } } } } }`);
      const list = response.data.network.tickets;
      expect(list).toMatchObject({ incomplete: true, missingPois: [cubiss.code] });
      expect(list.nodes).toHaveLength(10);
      expect(list.nodes.some((n: { poi: { code: string } }) => n.poi.code === cubiss.code)).toBe(false);
      expect(response.errors).toEqual([
        expect.objectContaining({ path: ['network', 'tickets'], extensions: expect.objectContaining({ code: 'SUBGRAPH_TIMEOUT', poi: cubiss.code }) }),
      ]);
    } finally {
      await slow.stop();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('a POI that keeps failing', () => {
  it('is not asked while its circuit is open (its part fails at once, as when it is down), then exactly one probe goes through', async () => {
    // Cubiss's address is a server that counts what it is asked and answers 500 while `failing`, else passes the request to Cubiss.
    let failing = true;
    let asked = 0;
    let cubissUrl = '';
    const front = http.createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      asked++;
      if (failing) return void response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'boom' }] }));
      const upstream = await fetch(cubissUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
        body: Buffer.concat(chunks),
      });
      response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    // The circuits' clock moves only when the test moves it: 3 failures open a circuit for 1000 ms.
    let now = 1_000_000;
    const failingStack = await startStack({
      env: { RESPONSE_CACHE: 'off' },
      resilience: { failureThreshold: 3, cooldownMs: 1000, now: () => now },
      subgraphUrls: { cubiss: `http://127.0.0.1:${(front.address() as AddressInfo).port}/graphql` },
    });
    cubissUrl = failingStack.subgraphs.get('cubiss')!.url;
    const network = failingStack.subgraphs.get('network')!.url;
    const circuit = async () => ((await (await fetch(network.replace(/\/graphql$/, '/ready'))).json()) as { circuits: Record<string, string> }).circuits.cubiss;
    const page = () => failingStack.query(`{ network { libraries(first: 5) { incomplete missingPois nodes { name poi { code } } } } }`);
    /** A page without Cubiss: the others' items and an error at the list naming Cubiss, as for a POI that is down. */
    const withoutCubiss = (message: RegExp) => ({
      data: { network: { libraries: { incomplete: true, missingPois: [cubiss.code] } } },
      errors: [
        expect.objectContaining({
          message: expect.stringMatching(message),
          path: ['network', 'libraries'],
          extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', poi: cubiss.code }),
        }),
      ],
    });
    try {
      for (let i = 1; i <= 3; i++) expect(await page()).toMatchObject(withoutCubiss(/HTTP 500/));
      expect([asked, await circuit()]).toEqual([3, 'open']);

      // Open: Cubiss is not asked; the list still comes from the others.
      const refused = await page();
      expect(refused).toMatchObject(withoutCubiss(/recent requests failed/));
      expect(refused.data.network.libraries.nodes).toHaveLength(5);
      expect(refused.data.network.libraries.nodes.every((n: { poi: { code: string } }) => n.poi.code !== cubiss.code)).toBe(true);
      now += 999;
      await page();
      expect(asked).toBe(3);

      // The cool-down is over: of two pages at once, one probe reaches Cubiss; it fails, so the circuit opens again.
      now += 1;
      expect(await circuit()).toBe('half-open');
      await Promise.all([page(), page()]);
      expect([asked, await circuit()]).toEqual([4, 'open']);
      await page();
      expect(asked).toBe(4);

      // Cubiss is back: after the next cool-down the probe succeeds and closes the circuit; the list is whole again.
      failing = false;
      now += 1000;
      const whole = await page();
      expect(whole.errors).toBeUndefined();
      expect(whole.data.network.libraries.incomplete).toBe(false);
      expect(await circuit()).toBe('closed');
      const metrics = await (await fetch(network.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).toContain('subgraph_circuit_state{subgraph="cubiss",state="closed",service="network"} 1');
    } finally {
      await failingStack.stop();
      front.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
    }
  });
});
