import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvField, flatten, formatCell, toCsv } from '../shared/flatten';
import { startStack, Stack } from './helpers/stack';

const ROOT = path.join(__dirname, '..');

describe('flatten: one row per leaf object, dotted columns', () => {
  it('names columns by dotted path without list indices and repeats scalars of every level', () => {
    const table = flatten({
      pois: [
        {
          code: 'BISC',
          stats: { libraryCount: 2 },
          libraries: { totalCount: 2, nodes: [{ name: 'Bibliotheek Utrecht' }, { name: 'Bibliotheek Eemland' }] },
        },
        { code: 'CUBISS', stats: { libraryCount: 1 }, libraries: { totalCount: 1, nodes: [{ name: 'Bibliotheek Venlo' }] } },
      ],
    });
    expect(table.columns).toEqual(['pois.code', 'pois.stats.libraryCount', 'pois.libraries.totalCount', 'pois.libraries.nodes.name']);
    expect(table.rows).toEqual([
      ['BISC', '2', '2', 'Bibliotheek Utrecht'],
      ['BISC', '2', '2', 'Bibliotheek Eemland'],
      ['CUBISS', '1', '1', 'Bibliotheek Venlo'],
    ]);
  });

  it('makes one row per leaf through nested lists, repeating every ancestor', () => {
    const table = flatten({
      pois: [
        {
          code: 'BISC',
          libraries: {
            nodes: [
              { name: 'A', branches: [{ name: 'A1' }, { name: 'A2' }] },
              { name: 'B', branches: [{ name: 'B1' }] },
            ],
          },
        },
      ],
    });
    expect(table.columns).toEqual(['pois.code', 'pois.libraries.nodes.name', 'pois.libraries.nodes.branches.name']);
    expect(table.rows).toEqual([
      ['BISC', 'A', 'A1'],
      ['BISC', 'A', 'A2'],
      ['BISC', 'B', 'B1'],
    ]);
  });

  it('joins a list of scalars into one cell with "; "', () => {
    const table = flatten({
      pois: [
        { code: 'CUBISS', provinces: ['LIMBURG', 'NOORD_BRABANT'] },
        { code: 'X', provinces: [] },
      ],
    });
    expect(table.columns).toEqual(['pois.code', 'pois.provinces']);
    expect(table.rows).toEqual([
      ['CUBISS', 'LIMBURG; NOORD_BRABANT'],
      ['X', ''],
    ]);
  });

  it('puts sibling lists one after the other, not as a cartesian product', () => {
    const table = flatten({
      library: {
        name: 'Bibliotheek Venlo',
        branches: [{ name: 'Centrum' }, { name: 'Blerick' }],
        tickets: { totalCount: 3, nodes: [{ title: 'Wise-koppeling' }, { title: 'Inlogprobleem' }, { title: 'Printer' }] },
      },
    });
    expect(table.columns).toEqual(['library.name', 'library.branches.name', 'library.tickets.totalCount', 'library.tickets.nodes.title']);
    // 2 + 3 rows, not 2 × 3; the library's own fields (tickets.totalCount too) on every row.
    expect(table.rows).toEqual([
      ['Bibliotheek Venlo', 'Centrum', '3', ''],
      ['Bibliotheek Venlo', 'Blerick', '3', ''],
      ['Bibliotheek Venlo', '', '3', 'Wise-koppeling'],
      ['Bibliotheek Venlo', '', '3', 'Inlogprobleem'],
      ['Bibliotheek Venlo', '', '3', 'Printer'],
    ]);
  });

  it('treats sibling root fields like sibling lists', () => {
    const table = flatten({ pois: [{ code: 'BISC' }, { code: 'CUBISS' }], steeringGroup: [{ name: 'Anna' }] });
    expect(table.columns).toEqual(['pois.code', 'steeringGroup.name']);
    expect(table.rows).toEqual([
      ['BISC', ''],
      ['CUBISS', ''],
      ['', 'Anna'],
    ]);
  });

  it('keeps an object whose list is empty as one row with its own fields', () => {
    const table = flatten({
      pois: [
        {
          code: 'BISC',
          libraries: {
            nodes: [
              { name: 'A', branches: [] },
              { name: 'B', branches: [{ name: 'B1' }] },
            ],
          },
        },
        { code: 'EMPTY', libraries: { nodes: [] } },
      ],
    });
    expect(table.columns).toEqual(['pois.code', 'pois.libraries.nodes.name', 'pois.libraries.nodes.branches.name']);
    expect(table.rows).toEqual([
      ['BISC', 'A', ''],
      ['BISC', 'B', 'B1'],
      ['EMPTY', '', ''],
    ]);
  });

  it('adds no row for an empty sibling list when the other list has rows', () => {
    const table = flatten({ library: { name: 'L', branches: [], tickets: { nodes: [{ title: 'T' }] } } });
    // A list only ever seen empty keeps a column (empty cells): the query asked for it.
    expect(table.columns).toEqual(['library.name', 'library.branches', 'library.tickets.nodes.title']);
    expect(table.rows).toEqual([['L', '', 'T']]);
  });

  it('writes null as an empty cell and keeps a null object as a row with its parent fields', () => {
    const table = flatten({
      pois: [
        { code: 'BISC', seat: null, stats: { libraryCount: 5 }, libraries: { nodes: [{ name: 'A' }] } },
        // A POI whose subgraph is down: its own fields are null.
        { code: 'CUBISS', seat: 'Tilburg', stats: null, libraries: null },
      ],
    });
    expect(table.columns).toEqual(['pois.code', 'pois.seat', 'pois.stats.libraryCount', 'pois.libraries.nodes.name']);
    expect(table.rows).toEqual([
      ['BISC', '', '5', 'A'],
      ['CUBISS', 'Tilburg', '', ''],
    ]);
  });

  it('keeps a row for a null element of a list of objects', () => {
    const table = flatten({ poi: { code: 'BISC', vendorContracts: [{ product: 'Wise' }, null] } });
    expect(table.rows).toEqual([
      ['BISC', 'Wise'],
      ['BISC', ''],
    ]);
  });

  it('orders columns by first appearance, a field first seen as null keeping its place', () => {
    const table = flatten({
      pois: [
        { code: 'CUBISS', stats: null, libraries: { nodes: [{ name: 'A' }] } },
        { code: 'BISC', stats: { libraryCount: 1, memberCount: 10 }, libraries: { nodes: [{ name: 'B', city: 'Zeist' }] } },
      ],
    });
    expect(table.columns).toEqual(['pois.code', 'pois.stats.libraryCount', 'pois.stats.memberCount', 'pois.libraries.nodes.name', 'pois.libraries.nodes.city']);
    expect(table.rows).toEqual([
      ['CUBISS', '', '', 'A', ''],
      ['BISC', '1', '10', 'B', 'Zeist'],
    ]);
  });

  it('writes numbers plainly and booleans as true/false', () => {
    expect(formatCell(1234567)).toBe('1234567');
    expect(formatCell(1234.5)).toBe('1234.5');
    expect(formatCell(-0.25)).toBe('-0.25');
    expect(formatCell(0)).toBe('0');
    expect(formatCell(true)).toBe('true');
    expect(formatCell(false)).toBe('false');
    expect(formatCell(null)).toBe('');
    expect(flatten({ poi: { memberCount: 1234567, inSteeringGroup: false, scores: [1.5, 2] } }).rows).toEqual([['1234567', 'false', '1.5; 2']]);
  });

  it('gives a table with only the header when data has nothing but empty lists', () => {
    expect(flatten({ pois: [] })).toEqual({ columns: ['pois'], rows: [] });
    expect(flatten({ poi: null })).toEqual({ columns: ['poi'], rows: [] });
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Noord-Brabant, Limburg')).toBe('"Noord-Brabant, Limburg"');
    expect(csvField('de "Wise"-koppeling')).toBe('"de ""Wise""-koppeling"');
    expect(csvField('regel 1\nregel 2')).toBe('"regel 1\nregel 2"');
    expect(csvField('regel 1\r\nregel 2')).toBe('"regel 1\r\nregel 2"');
    expect(csvField('')).toBe('');
  });

  it('writes a header and CRLF-ended lines that csv-parse reads back unchanged, Dutch characters included', () => {
    const cells = ['Bibliotheekservice Fryslân', 'Ülo, "de" bieb', 'café\nGroningen', "'s-Hertogenbosch", 'Oost-Vlaanderen; IJsselmeer'];
    const table = { columns: ['a', 'b,c', 'd"e', 'f', 'g'], rows: [cells, ['', '', '', '', '']] };
    const csv = toCsv(table);
    expect(csv.startsWith('a,"b,c","d""e",f,g\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parse(csv)).toEqual([table.columns, ...table.rows]);
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: the CLI as a child process against a real stack.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, which serves the stack the CLI talks to. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/query.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A port nothing listens on: one a server held a moment ago. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that answers every request with the given status, content type and body. */
async function fakeGateway(status: number, contentType: string, body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const OVERVIEW = `# Every POI with a few libraries and their branches
query Overview {
  pois {
    code
    name
    libraries(first: 3) { nodes { name branches { name } } }
  }
}
`;

describe('npm run query (end to end)', () => {
  let stack: Stack;
  let dir: string;
  const file = (name: string, text: string) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'query-export-'));
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes CSV with one row per branch, POI fields repeated, matching the JSON answer', async () => {
    const operation = file('overview.graphql', OVERVIEW);
    const out = path.join(dir, 'exports', 'nested', 'overview.csv');
    const run = await runCli([operation, '--url', stack.gateway.url, '--format', 'csv', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const expected = await stack.query(OVERVIEW);
    expect(expected.errors).toBeUndefined();
    const leaves: string[][] = [];
    for (const poi of expected.data.pois) {
      const libraries = poi.libraries.nodes as { name: string; branches: { name: string }[] }[];
      if (libraries.length === 0) leaves.push([poi.code, poi.name, '', '']);
      for (const library of libraries) {
        if (library.branches.length === 0) leaves.push([poi.code, poi.name, library.name, '']);
        for (const branch of library.branches) leaves.push([poi.code, poi.name, library.name, branch.name]);
      }
    }
    expect(leaves.length).toBeGreaterThan(expected.data.pois.length);
    expect(run.stdout.trim()).toBe(`wrote ${leaves.length} rows to ${out}`);

    const text = fs.readFileSync(out, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff); // byte-order mark, for Excel
    const [header, ...rows] = parse(text, { bom: true }) as string[][];
    expect(header).toEqual(['pois.code', 'pois.name', 'pois.libraries.nodes.name', 'pois.libraries.nodes.branches.name']);
    expect(rows).toEqual(leaves);
    expect(new Set(rows.map((row) => row[0]))).toEqual(new Set(expected.data.pois.map((p: { code: string }) => p.code)));
  });

  it('writes CSV to stdout by default, from the gateway port in the configuration', async () => {
    const operation = file('pois.graphql', '{ pois { code provinces inSteeringGroup stats { libraryCount } } }');
    const run = await runCli([operation], { GATEWAY_PORT: String(stack.gateway.port) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [header, ...rows] = parse(run.stdout) as string[][];
    expect(header).toEqual(['pois.code', 'pois.provinces', 'pois.inSteeringGroup', 'pois.stats.libraryCount']);
    expect(rows.find((row) => row[0] === 'CUBISS')).toEqual(['CUBISS', 'LIMBURG; NOORD_BRABANT', 'false', expect.stringMatching(/^\d+$/)]);
    expect(rows).toHaveLength(4);
  });

  it('writes the data as pretty JSON with --format json, running the chosen operation with variables', async () => {
    const operation = file(
      'two.graphql',
      `query One($code: ID!) { poi(code: $code) { code name } }
       query All { pois { code } }`,
    );
    const run = await runCli([operation, '--url', stack.gateway.url, '--format', 'json', '--operation', 'One', '--variables', '{"code":"CUBISS"}']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${JSON.stringify({ poi: { code: 'CUBISS', name: 'Cubiss' } }, null, 2)}\n`);

    const out = path.join(dir, 'json', 'all.json');
    const written = await runCli([operation, '--url', stack.gateway.url, '--format', 'json', '--operation', 'All', '--out', out]);
    expect(written.code).toBe(0);
    expect(written.stdout.trim()).toBe(`wrote JSON to ${out}`);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual((await stack.query('{ pois { code } }')).data);
  });

  describe('errors: one line, exit code 1', () => {
    const expectFailure = (run: Run, message: RegExp) => {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    };

    it('a missing file', async () => {
      const missing = path.join(dir, 'nope.graphql');
      expectFailure(await runCli([missing, '--url', stack.gateway.url]), new RegExp(`^${escape(missing)}: no such file\\n$`));
    });

    it('no file at all', async () => {
      expectFailure(await runCli([]), /^no operation file given\nusage: npm run query/);
    });

    it('a file that is not valid GraphQL, with line and column', async () => {
      const broken = file('broken.graphql', '{\n  pois {\n    code\n  \n');
      expectFailure(
        await runCli([broken, '--url', stack.gateway.url]),
        new RegExp(`^${escape(broken)}:5:1: not valid GraphQL: Syntax Error: Expected Name, found <EOF>\\.\\n$`),
      );
    });

    it('several operations without --operation, and an unknown --operation', async () => {
      const two = file('several.graphql', 'query A { pois { code } }\nquery B { steeringGroup { name } }\n');
      expectFailure(await runCli([two, '--url', stack.gateway.url]), /several\.graphql has 2 operations \(A, B\): choose one with --operation <name>\n$/);
      expectFailure(await runCli([two, '--url', stack.gateway.url, '--operation', 'C']), /no operation named "C"; the file has: A, B\n$/);
    });

    it('--variables that are not JSON, or not an object', async () => {
      const operation = file('var.graphql', 'query One($code: ID!) { poi(code: $code) { code } }');
      expectFailure(
        await runCli([operation, '--url', stack.gateway.url, '--variables', "{code: 'CUBISS'}"]),
        /^--variables is not valid JSON \(.+\): \{code: 'CUBISS'\}\n$/,
      );
      expectFailure(await runCli([operation, '--url', stack.gateway.url, '--variables', '["CUBISS"]']), /^--variables must be a JSON object/);
    });

    it('an unknown --format', async () => {
      const operation = file('format.graphql', '{ pois { code } }');
      expectFailure(await runCli([operation, '--url', stack.gateway.url, '--format', 'xlsx']), /^unknown --format "xlsx": use csv or json\n$/);
    });

    it('an unreachable gateway: names the URL and says how to start it', async () => {
      const operation = file('unreachable.graphql', '{ pois { code } }');
      const url = `http://127.0.0.1:${await closedPort()}/graphql`;
      expectFailure(
        await runCli([operation, '--url', url]),
        new RegExp(`^cannot reach the gateway at ${escape(url)} \\(ECONNREFUSED\\): is the gateway running\\? npm start\\n$`),
      );
    });

    it('an HTTP error without a GraphQL body: a wrong path on the gateway, a proxy error page', async () => {
      const operation = file('http.graphql', '{ pois { code } }');
      const wrongPath = stack.gateway.url.replace(/\/graphql$/, '/nothing-here');
      // The gateway answers an unknown path with a JSON 404, which the CLI shows as the error it is.
      expectFailure(
        await runCli([operation, '--url', wrongPath]),
        new RegExp(`^error: Not found: .*\\(code: NOT_FOUND\\)\\nno data from ${escape(wrongPath)}`),
      );

      const proxy = await fakeGateway(502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>');
      try {
        expectFailure(await runCli([operation, '--url', proxy.url]), /^the gateway at .+ answered HTTP 502 Bad Gateway \(text\/html\): 502 Bad Gateway\n$/);
      } finally {
        await proxy.close();
      }
    });

    it('a 200 answer that is not JSON, or JSON that is not a GraphQL response', async () => {
      const operation = file('notjson.graphql', '{ pois { code } }');
      const text = await fakeGateway(200, 'text/plain', 'hello');
      const other = await fakeGateway(200, 'application/json', '{"status":"ok"}');
      try {
        expectFailure(await runCli([operation, '--url', text.url]), /^the gateway at .+ did not answer with JSON \(HTTP 200 OK, text\/plain\): hello\n$/);
        expectFailure(
          await runCli([operation, '--url', other.url]),
          /^the gateway at .+ answered HTTP 200 OK without a GraphQL response: \{"status":"ok"\}\n$/,
        );
      } finally {
        await Promise.all([text.close(), other.close()]);
      }
    });

    it('a query the schema rejects: its errors with code and place, then "no data"', async () => {
      const operation = file('invalid.graphql', '{\n  pois { code colour }\n}\n');
      const run = await runCli([operation, '--url', stack.gateway.url]);
      expectFailure(
        run,
        /^error: Cannot query field "colour" on type "Poi"\. \(code: GRAPHQL_VALIDATION_FAILED, at .*invalid\.graphql:2:15\)\nno data from .+: 1 error\(s\) above\n$/,
      );
    });
  });

  describe('with anonymous access off (as in production): --token, POI_TOKEN, --header', () => {
    let secured: { url: string };
    const FEES = `# Cubiss's service agreements with their confidential fees
query Fees { cubiss { contracts(first: 5) { nodes { id annualFee } } } }
`;
    beforeAll(async () => {
      secured = await stack.gatewayWith({ clients: { ...stack.config.security.clients, allowAnonymous: false } });
    });

    it("without a token: fails with the gateway's UNAUTHENTICATED and says how to send one", async () => {
      const operation = file('fees-anonymous.graphql', FEES);
      const run = await runCli([operation, '--url', secured.url], { POI_TOKEN: '' });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: .*\(code: UNAUTHENTICATED\)$/m);
      expect(run.stderr).toMatch(/--token <jwt> or POI_TOKEN.*npm run -s token/);
    });

    it('with a contracts-scoped --token: the export works and the confidential column is filled', async () => {
      const operation = file('fees-token.graphql', FEES);
      const token = await stack.token(['network:read', 'poi:cubiss:read', 'poi:cubiss:contracts'], 'analyst-cli');
      const run = await runCli([operation, '--url', secured.url, '--token', token]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const [header, ...rows] = parse(run.stdout) as string[][];
      expect(header).toEqual(['cubiss.contracts.nodes.id', 'cubiss.contracts.nodes.annualFee']);
      // The same fees as a caller with every scope gets them.
      const expected = await stack.query(FEES);
      const fees = expected.data.cubiss.contracts.nodes.map((c: { id: string; annualFee: number }) => [c.id, String(c.annualFee)]);
      expect(fees).toHaveLength(5);
      expect(rows).toEqual(fees);
      expect(rows.every((row) => /^\d/.test(row[1]))).toBe(true);
    });

    it('takes the token from POI_TOKEN; without the contracts scope the fee column is empty with FORBIDDEN', async () => {
      const operation = file('fees-env.graphql', FEES);
      const readOnly = await stack.token(['network:read'], 'analyst-env');
      const run = await runCli([operation, '--url', secured.url], { POI_TOKEN: readOnly });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^error: .*\(path: cubiss\.contracts\.nodes\.0\.annualFee, code: FORBIDDEN\)$/m);
      const [, ...rows] = parse(run.stdout) as string[][];
      expect(rows).toHaveLength(5);
      expect(rows.every((row) => row[0] !== '' && row[1] === '')).toBe(true);
      // --token wins over POI_TOKEN.
      const full = await stack.token(['network:read', 'poi:cubiss:contracts'], 'analyst-flag');
      const flagged = await runCli([operation, '--url', secured.url, '--token', full], { POI_TOKEN: readOnly });
      expect(flagged.stderr).toBe('');
      expect((parse(flagged.stdout) as string[][]).slice(1).every((row) => row[1] !== '')).toBe(true);
    });

    it("sends --header 'Name: value' (an Authorization header too); refuses one without a colon", async () => {
      const operation = file('fees-header.graphql', FEES);
      const token = await stack.token(['network:read', 'poi:cubiss:contracts'], 'analyst-header');
      const run = await runCli([operation, '--url', secured.url, '--header', `Authorization: Bearer ${token}`, '--header', 'x-request-id: export-1']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect((parse(run.stdout) as string[][]).slice(1).every((row) => row[1] !== '')).toBe(true);
      const bad = await runCli([operation, '--url', secured.url, '--header', 'no-colon']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^--header must be 'Name: value', got "no-colon"\n/);
    });
  });

  // Last: it stops a subgraph of the shared stack.
  it('partial data: prints the errors, warns, keeps the POI whose subgraph is down, exits 0', async () => {
    await stack.stopSubgraph('cubiss');
    const operation = file('partial.graphql', OVERVIEW);
    const run = await runCli([operation, '--url', stack.gateway.url]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^error: Cubiss is unavailable.*code: SUBGRAPH_UNAVAILABLE\)$/m);
    expect(run.stderr).toMatch(/^warning: partial data: 1 error\(s\) above/m);
    const [header, ...rows] = parse(run.stdout) as string[][];
    expect(header).toEqual(['pois.code', 'pois.name', 'pois.libraries.nodes.name', 'pois.libraries.nodes.branches.name']);
    expect(rows.filter((row) => row[0] === 'CUBISS')).toEqual([['CUBISS', 'Cubiss', '', '']]);
    expect(rows.filter((row) => row[0] === 'BISC').length).toBeGreaterThan(1);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
