// The compiled build (issue 16, item 1): `npm run build` makes dist/, whose JavaScript runs on
// plain `node` with only the production dependencies: no tsx, no esbuild, no TypeScript in any
// service's process, every file the services read copied in, and stack traces on the .ts lines.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { SUBGRAPH_NAMES } from '../shared/config';
import { build } from '../scripts/build';
import { ProcessStack, startProcessStack } from './helpers/process-stack';
import { openStream } from './helpers/live-stream';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..');
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
/** The installed top-level packages `npm ci --omit=dev` keeps, by package-lock.json's own marks. */
const PRODUCTION_PACKAGES = Object.entries(lock.packages)
  .filter(([key, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !entry.dev)
  .map(([key]) => key.slice('node_modules/'.length))
  .filter((name) => fs.existsSync(path.join(ROOT, 'node_modules', name)));

/** A node_modules of the production packages alone (links into the checkout's), as the image's runtime stage has. */
function productionNodeModules(target: string): void {
  for (const name of PRODUCTION_PACKAGES) {
    fs.mkdirSync(path.dirname(path.join(target, name)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(target, name), 'dir');
  }
}

/** The process's command line, its NODE_OPTIONS, and the processes it started. */
function processInfo(pid: number) {
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const nodeOptions = environ.find((v) => v.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length) ?? '';
  const children = fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean));
  return { argv, nodeOptions, children };
}

/** Current libraries in a POI's seed list: its rows that are not MERGED. */
function currentLibraries(subgraph: string): number {
  const rows: { status?: string }[] = parse(fs.readFileSync(path.join(ROOT, 'subgraphs', subgraph, 'data', 'libraries.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  });
  return rows.filter((row) => (row.status || 'ACTIVE') !== 'MERGED').length;
}

describe('the compiled build', () => {
  let folder: string;
  let dist: string;
  let stack: ProcessStack | undefined;

  beforeAll(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'poi-dist-'));
    dist = path.join(folder, 'dist');
    build(dist);
    productionNodeModules(path.join(folder, 'node_modules'));
    // Development mode on fresh embedded databases (also in CI's MariaDB run, whose databases other
    // suites write to: the counts below are the seed's); the build itself is what production runs.
    const embedded = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_DATABASE_URL`, '']));
    stack = await startProcessStack({ ...embedded, NODE_ENV: 'development', LOCAL_SECRETS_FILE: path.join(folder, '.secrets', 'local.json') }, dist, true);
  });
  afterAll(async () => {
    await stack?.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('leaves tsx, esbuild and TypeScript to the dev dependencies', () => {
    expect(PRODUCTION_PACKAGES).toContain('graphql');
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vite'])
      expect({ tool, production: PRODUCTION_PACKAGES.includes(tool) }).toEqual({ tool, production: false });
  });

  it('is JavaScript with source maps, and holds no TypeScript source', () => {
    const files = execFileSync('find', [dist, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    for (const entry of ['gateway/src/index.js', 'scripts/start-subgraph.js', 'scripts/migrate.js', 'shared/source-maps.js']) {
      expect({ entry, js: fs.existsSync(path.join(dist, entry)), map: fs.existsSync(path.join(dist, `${entry}.map`)) }).toEqual({ entry, js: true, map: true });
    }
  });

  it('runs every service on plain node: no tsx or esbuild in any process', () => {
    for (const name of [...SUBGRAPH_NAMES, 'gateway']) {
      const { argv, nodeOptions, children } = processInfo(stack!.pid(name));
      expect({ name, program: path.basename(argv[0]), script: argv.find((a) => /\.(js|ts)$/.test(a)) }).toEqual({
        name,
        program: 'node',
        script: name === 'gateway' ? 'gateway/src/index.js' : 'scripts/start-subgraph.js',
      });
      expect({ name, tsx: [...argv, nodeOptions].filter((a) => /tsx|esbuild/.test(a)), children }).toEqual({ name, tsx: [], children: [] });
    }
  });

  it('answers a query across every subgraph, the network lists, the dashboard and the live channel included', async () => {
    const response = await fetch(stack!.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ pois { code stats { libraryCount } } network { libraries(first: 1) { totalCount incomplete } } }' }),
    });
    const body = (await response.json()) as any;
    expect(body.errors).toBeUndefined();
    const registry = JSON.parse(fs.readFileSync(path.join(ROOT, 'registry.json'), 'utf8')) as { code: string }[];
    const expected = registry.map(({ code }) => ({ code, stats: { libraryCount: currentLibraries(code.toLowerCase()) } }));
    expect(body.data.pois).toEqual(expect.arrayContaining(expected));
    expect(body.data.pois).toHaveLength(expected.length);
    const total = expected.reduce((sum, p) => sum + p.stats.libraryCount, 0);
    expect(body.data.network.libraries).toEqual({ totalCount: total, incomplete: false });
    const dashboard = await fetch(stack!.gatewayUrl.replace(/\/graphql$/, '/dashboard/'));
    expect([dashboard.status, dashboard.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    const stream = await openStream(stack!.gatewayUrl.replace(/\/graphql$/, '/graphql/stream'), undefined);
    stream.close();
    expect([stream.status, stream.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/event-stream')]);
  });

  it('points stack traces at the TypeScript lines, with no node flag', () => {
    const source = fs.readFileSync(path.join(ROOT, 'subgraphs', 'catalog.ts'), 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes('throw new Error(`Unknown subgraph')) + 1;
    expect(line).toBeGreaterThan(0);
    const fail = "require('./subgraphs/catalog').subgraphDefinition('no-such-subgraph')";
    // As every entry point does (runMain): frames of the build are mapped when the trace is made.
    const mapped = spawnSync(process.execPath, ['-e', `require('./shared/source-maps').installSourceMaps(); ${fail}`], { cwd: dist, encoding: 'utf8' });
    expect(mapped.status).not.toBe(0);
    expect(mapped.stderr).toMatch(new RegExp(`subgraphs/catalog\\.ts:${line}:\\d+`));
    expect(mapped.stderr).not.toMatch(/^\s+at .*subgraphs\/catalog\.js:/m);
    // Without it, the trace names the JavaScript.
    const plain = spawnSync(process.execPath, ['-e', fail], { cwd: dist, encoding: 'utf8' });
    expect(plain.stderr).toMatch(/^\s+at .*subgraphs\/catalog\.js:\d+:\d+/m);
  });
});
