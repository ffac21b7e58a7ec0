// The POI contract checker (scripts/conformance/, `npm run poi:conformance`): every registered POI
// subgraph passes it, and subgraphs that break the contract fail it, each with a clear reason.
// The broken subgraphs are small in-process servers in front of a real kit subgraph, each
// changing one thing on the way through; the kit itself is untouched.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, print, visit, type ObjectTypeDefinitionNode } from 'graphql';
import { createIdentitySigner, createIdentityVerifier } from '../shared/auth/internal-token';
import type { Identity } from '../shared/auth/identity';
import { POIS, poiByCode } from '../shared/registry';
import { checkerIdentity } from '../scripts/conformance/client';
import { contractSdl, sdlProblems } from '../scripts/conformance/contract-sdl';
import { CheckResult, formatResult, runConformance } from '../scripts/conformance/checks';
import { startStack, Stack } from './helpers/stack';

jest.setTimeout(180_000);

let stack: Stack;
const proxies: http.Server[] = [];

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => new Promise((resolve) => p.close(resolve))));
  await stack?.stop();
});

const signingKey = () => stack.config.security.gatewaySigningKey!;
const subgraphUrl = (name: string) => stack.subgraphs.get(name)!.url;
const failures = (results: CheckResult[]) => results.filter((r) => !r.ok).map(formatResult);

interface Rewrites {
  /** Changes the request's headers before it goes on (e.g. its forwarded identity). */
  headers?(headers: Record<string, string>): Promise<Record<string, string>>;
  /** Changes the request's JSON before it goes on. */
  request?(body: any): any;
  /** Changes the answer's JSON before it comes back. */
  answer?(body: any): any;
}

/** A subgraph in front of `target` that passes everything through, with `rewrites` applied. */
async function brokenSubgraph(target: string, rewrites: Rewrites): Promise<string> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const upstream = await fetch(target, {
      method: 'POST',
      headers: (await rewrites.headers?.(headers)) ?? headers,
      body: JSON.stringify(rewrites.request?.(body) ?? body),
    });
    const answer = await upstream.json();
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(rewrites.answer ? rewrites.answer(answer) : answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxies.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** The SDL with the fields, arguments or enum values named `name` of `owner` (a type, or a field for arguments) changed by `change`: null removes them. */
function changeField(sdl: string, owner: string, name: string, change: (node: any) => any): string {
  const owned = (node: { name: { value: string } }, ancestors: readonly any[]) =>
    node.name.value === name && [...ancestors].reverse().find((a) => a.name)?.name.value === owner;
  const edit = (node: any, _key: unknown, _parent: unknown, _path: unknown, ancestors: readonly any[]) => (owned(node, ancestors) ? change(node) : undefined);
  return print(visit(parse(sdl), { FieldDefinition: edit, InputValueDefinition: edit, EnumValueDefinition: edit }));
}

/** A type written as SDL (`String!`), as a type node. */
const typeNode = (text: string) => (parse(`type T { f: ${text} }`).definitions[0] as ObjectTypeDefinitionNode).fields![0].type;

/** Applies `change` to every object in a JSON value, depth first. */
function everyObject(value: any, change: (object: any) => void): any {
  if (Array.isArray(value)) value.forEach((item) => everyObject(item, change));
  else if (value && typeof value === 'object') {
    Object.values(value).forEach((item) => everyObject(item, change));
    change(value);
  }
  return value;
}

test.each(POIS.map((poi) => [poi.subgraphName]))('the %s subgraph meets the POI contract', async (name) => {
  const results = await runConformance({ poi: poiByCode(name), url: subgraphUrl(name), signingKey: signingKey() });
  expect(failures(results)).toEqual([]);
  // Every part of the contract was checked, not skipped.
  for (const part of ['schema', 'entities', 'auth', 'scope', 'audit', 'paging', 'filter', 'order', 'bad argument']) {
    expect(results.some((r) => r.name.startsWith(`${part}:`))).toBe(true);
  }
});

describe('the SDL comparison names every way a schema falls short of the contract', () => {
  const cubiss = poiByCode('CUBISS');
  const kit = contractSdl(cubiss);
  const retype = (type: string, field: string, to: string) => changeField(kit, type, field, (node) => ({ ...node, type: typeNode(to) }));

  test.each([
    ['a nullable output the contract makes non-null', retype('Library', 'name', 'String'), ['Library.name is String, the contract says String!']],
    [
      'another argument type',
      retype('libraries', 'first', 'String'),
      ['Poi.libraries(first:) is String, the contract says Int', 'CubissPoi.libraries(first:) is String, the contract says Int'],
    ],
    ['an input field of another type', retype('LibraryFilter', 'province', 'String'), ['LibraryFilter.province is String, the contract says Province']],
    [
      'a required argument the contract does not have',
      kit.replace(/(\n\s*tickets\()/g, '$1region: String!, '),
      [
        'Poi.tickets(region:) is required but not in the contract',
        'CubissPoi.tickets(region:) is required but not in the contract',
        'Library.tickets(region:) is required but not in the contract',
        'ReleaseAcceptance.tickets(region:) is required but not in the contract',
        'CubissReleaseAcceptance.tickets(region:) is required but not in the contract',
      ],
    ],
    ['a missing enum value', changeField(kit, 'TicketStatus', 'WAITING', () => null), ['enum TicketStatus lacks WAITING']],
    [
      'another access rule',
      kit.replace(
        'annualFee: Float @requiresScopes(scopes: [["poi:cubiss:contracts"]])\n  "Notice',
        'annualFee: Float @requiresScopes(scopes: [["network:read"]])\n  "Notice',
      ),
      ['CubissContract.annualFee declares @requiresScopes(scopes: [["network:read"]]), the contract says @requiresScopes(scopes: [["poi:cubiss:contracts"]])'],
    ],
    ['a missing interface', kit.replace('type CubissContract implements Contract', 'type CubissContract'), ['CubissContract does not implement Contract']],
    [
      'a missing type',
      changeField(kit, 'Query', 'cubiss', () => null).replace(/"A branch \(vestiging\) of a library."\ntype Branch @shareable \{[^}]*\}/, ''),
      ['Query.cubiss is missing', 'type Branch is missing'],
    ],
  ])('%s', (_, sdl, problems) => {
    expect(sdlProblems(cubiss, sdl)).toEqual(problems);
  });

  test('what a POI adds of its own, and outputs stricter than the contract, pass', () => {
    const stricter = retype('CubissPoi', 'stats', 'PoiStats!');
    expect(
      sdlProblems(cubiss, `${stricter}\nextend type CubissPoi { sheetMusic(first: Int, genre: String): [String!] }\ntype CubissSheetMusic { id: ID! }`),
    ).toEqual([]);
  });
});

describe('a subgraph that breaks the contract fails it, with the reason', () => {
  const cubiss = poiByCode('CUBISS');

  test('paging that skips an item: the last item of every page that has a next one is left out', async () => {
    const url = await brokenSubgraph(subgraphUrl('cubiss'), {
      answer: (body) =>
        everyObject(body, (object) => {
          if (Array.isArray(object.nodes) && object.pageInfo?.hasNextPage && object.nodes.length > 1) object.nodes.pop();
        }),
    });
    const results = await runConformance({ poi: cubiss, url, signingKey: signingKey() });
    const failed = failures(results);
    expect(failed).toEqual(expect.arrayContaining([expect.stringMatching(/^FAIL {2}paging: libraries: .*hasNextPage is true after \d+ items/)]));
    expect(failed.find((line) => line.startsWith('FAIL  paging: tickets'))).toMatch(
      /pages of \d+ skip \d+ item\(s\) that pages of 100 return|totalCount is \d+ but paging returned \d+ items/,
    );
    // What does not page is not blamed.
    expect(results.find((r) => r.name.startsWith('schema:'))!.ok).toBe(true);
    expect(results.find((r) => r.name.startsWith('auth:'))!.ok).toBe(true);
  });

  test('an SDL without a field of interface Poi', async () => {
    const url = await brokenSubgraph(subgraphUrl('cubiss'), {
      answer: (body) => {
        if (!body.data?._service) return body;
        return { data: { _service: { sdl: changeField(body.data._service.sdl, 'CubissPoi', 'knowledgeArticles', () => null) } } };
      },
    });
    const results = await runConformance({ poi: cubiss, url, signingKey: signingKey() });
    expect(failures(results)).toEqual(['FAIL  schema: implements interface Poi and the shared types: CubissPoi.knowledgeArticles is missing']);
  });

  /** Request headers whose forwarded identity (verified, or undefined) is replaced by what `replace` makes of it; undefined leaves them as they came. */
  async function reIdentify(replace: (identity: Identity | undefined) => Identity | undefined): Promise<Rewrites['headers']> {
    const verify = await createIdentityVerifier(stack.config.security.gatewayPublicKey!, 'cubiss');
    const sign = await createIdentitySigner(signingKey());
    return async (headers) => {
      const identity = replace(await verify(headers.authorization?.replace(/^Bearer /, '') ?? '').catch(() => undefined));
      return identity ? { ...headers, authorization: `Bearer ${await sign(identity, 'cubiss')}` } : headers;
    };
  }

  test('unsigned requests served: the subgraph takes anyone for the checker', async () => {
    const url = await brokenSubgraph(subgraphUrl('cubiss'), { headers: await reIdentify((identity) => identity ?? checkerIdentity(cubiss)) });
    const results = await runConformance({ poi: cubiss, url, signingKey: signingKey() });
    expect(failures(results)).toEqual([
      "FAIL  auth: unsigned, wrongly signed or expired requests get 401: no token: HTTP 200 with data; a token signed with another key: HTTP 200 with data; the gateway's token for bisc: HTTP 200 with data; an expired token: HTTP 200 with data",
    ]);
  });

  test('filters ignored: the subgraph drops the filter argument', async () => {
    const url = await brokenSubgraph(subgraphUrl('cubiss'), {
      request: (body) => ({ ...body, variables: { ...body.variables, filter: undefined } }),
    });
    const failed = failures(await runConformance({ poi: cubiss, url, signingKey: signingKey() }));
    expect(failed).toEqual([
      expect.stringMatching(
        /^FAIL {2}filter: libraries by province: libraries with province NOORD_BRABANT include province LIMBURG \(id \d+\);.* the counts per province add up to \d+, the whole list has \d+/,
      ),
      expect.stringMatching(/^FAIL {2}filter: contracts by status: contracts with status DRAFT include status /),
      expect.stringMatching(/^FAIL {2}filter: tickets by status: tickets with status OPEN include status /),
      expect.stringMatching(/^FAIL {2}filter: tickets by priority: tickets with priority P1 include priority /),
      'FAIL  bad argument: a DateTime filter that is no date: expected BAD_USER_INPUT, got an answer without errors',
    ]);
  });

  test('orders ignored: the subgraph drops the orderBy argument', async () => {
    const url = await brokenSubgraph(subgraphUrl('cubiss'), {
      request: (body) => ({ ...body, variables: { ...body.variables, orderBy: undefined } }),
    });
    const failed = failures(await runConformance({ poi: cubiss, url, signingKey: signingKey() }));
    expect(failed).toEqual([
      expect.stringMatching(/^FAIL {2}order: libraries by MEMBER_COUNT DESC: item \d+ \(id \d+, \d+\) comes before item \d+ \(id \d+, \d+\)$/),
      expect.stringMatching(/^FAIL {2}order: tickets by PRIORITY ASC: item \d+ \(id \d+, "P\d"\) comes before item \d+ \(id \d+, "P\d"\)$/),
    ]);
  });

  test('writes not audited: the audit trail stays empty', async () => {
    const url = await brokenSubgraph(subgraphUrl('cubiss'), {
      answer: (body) => everyObject(body, (object) => object.audit && Object.assign(object.audit, { totalCount: 0, nodes: [] })),
    });
    const failed = failures(await runConformance({ poi: cubiss, url, signingKey: signingKey() }));
    expect(failed).toEqual([
      'FAIL  audit: a write is in the audit trail: audit totalCount went from 0 to 0 after one write; the audit trail has no entry for the write',
    ]);
  });

  test("guarded fields served to anyone: the subgraph ignores the caller's scopes", async () => {
    const poiScopes = checkerIdentity(cubiss).scopes;
    // A valid identity gets every scope of the POI; anything else goes on as it came (and is refused).
    const url = await brokenSubgraph(subgraphUrl('cubiss'), { headers: await reIdentify((identity) => identity && { ...identity, scopes: poiScopes }) });
    const results = await runConformance({ poi: cubiss, url, signingKey: signingKey() });
    const failed = failures(results);
    expect(failed).toEqual([
      expect.stringMatching(
        /^FAIL {2}scope: poi:<code>:contracts guards a contract's annualFee: a caller without poi:cubiss:contracts asked for a contract's annualFee and got it, without a FORBIDDEN error$/,
      ),
      expect.stringMatching(/^FAIL {2}scope: poi:<code>:contracts guards ordering contracts by ANNUAL_FEE: .*without a FORBIDDEN error$/),
      expect.stringMatching(/^FAIL {2}scope: poi:<code>:contracts guards a contract's serviceLevels: .*without a FORBIDDEN error$/),
      expect.stringMatching(/^FAIL {2}scope: poi:<code>:contracts guards a request's due moments: .*without a FORBIDDEN error$/),
      expect.stringMatching(/^FAIL {2}scope: poi:<code>:contracts guards a vendor licence's annualFee: .*without a FORBIDDEN error$/),
      expect.stringMatching(/^FAIL {2}scope: poi:<code>:read guards the audit trail: .*without a FORBIDDEN error$/),
      expect.stringMatching(/^FAIL {2}scope: poi:<code>:write guards writes: a caller without poi:cubiss:write asked for writes and got BAD_USER_INPUT/),
    ]);
  });

  test('no subgraph at the URL: every check fails, saying so', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/graphql`;
    await new Promise((resolve) => closed.close(resolve));
    const results = await runConformance({ poi: cubiss, url, signingKey: signingKey() });
    expect(results.filter((r) => r.ok)).toEqual([]);
    for (const result of results) expect(result.detail).toMatch(/^no answer from http:\/\/127\.0\.0\.1:\d+\/graphql: .*ECONNREFUSED/);
  });

  test('the command prints one line per check and exits non-zero on a failure', async () => {
    const url = await brokenSubgraph(subgraphUrl('cubiss'), {
      answer: (body) => (body.data?._service ? { data: { _service: { sdl: body.data._service.sdl.replace(/@key\(fields: "code"\)/g, '') } } } : body),
    });
    const security = stack.config.security;
    const env = {
      ...process.env,
      GATEWAY_SIGNING_KEY: signingKey(),
      GATEWAY_PUBLIC_KEY: security.gatewayPublicKey,
      AUTH_JWT_SECRET: security.clients.secret!,
      CURSOR_SECRET: security.cursorSecret!,
      LOG_LEVEL: 'silent',
    };
    const run = (args: string[]) =>
      promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['scripts/poi-conformance.ts', ...args], { env, timeout: 120_000 }).then(
        (done) => ({ code: 0, stdout: done.stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const broken = await run(['--poi', 'cubiss', '--url', url]);
    expect(broken.code).toBe(1);
    const lines = broken.stdout.trim().split('\n');
    expect(lines.filter((line) => /^(PASS|FAIL) {2}/.test(line)).length).toBeGreaterThan(20);
    expect(lines).toContain('FAIL  schema: implements interface Poi and the shared types: CubissPoi lacks @key(fields: "code")');
    expect(lines[lines.length - 1]).toMatch(/^cubiss: \d+ checks, \d+ passed, 1 failed$/);
    const good = await run(['--poi', 'bisc', '--url', subgraphUrl('bisc')]);
    expect(good.code).toBe(0);
    expect(good.stdout).not.toMatch(/^FAIL/m);
  });
});
