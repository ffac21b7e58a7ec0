// `npm run bench:memory`: resident memory (VmRSS, from /proc/<pid>/status) of every service, each
// its own process on loopback with its embedded database, run from the TypeScript sources through
// tsx (as `npm start`) and from the compiled build on plain node (as production). Per process:
// at idle after start-up, and at idle after one request of each example operation
// (operations/*.graphql); also the peak (VmHWM) and, for tsx, what its esbuild child holds.
//
//   npm run bench:memory                     both, building dist/ first (npm run build)
//   npm run bench:memory -- --only compiled  one of them (sources | compiled)
//   npm run bench:memory -- --no-build       use the dist/ there is
//
// Subgraphs run on their embedded databases (SQLite files in a temporary DATA_DIR), or on MySQL/MariaDB when the
// <NAME>_DATABASE_URL variables are set, as in production (`source` the output of .ci/mariadb.sh).
// Prints a table and writes bench/results/memory.json (memory-mysql.json on MySQL). Targets (issue 16): the compiled gateway
// ≤ 150 MiB and each compiled subgraph ≤ 100 MiB after the operations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exampleVariables, readExampleOperations } from '../gateway/src/ide';
import { loadConfig, PROJECT_ROOT, SUBGRAPH_NAMES } from '../shared/config';
import { build, DIST } from '../scripts/build';
import { startProcessStack, ProcessStack } from '../test/helpers/process-stack';
import { ALL_SCOPES, tokenFor } from '../test/helpers/auth';
import { authEnvironment } from './subgraph-auth';

/** How long the processes are left alone before a reading: start-up and request work settles. */
const SETTLE_MS = 3000;
const SERVICES = [...SUBGRAPH_NAMES, 'gateway'];
const TARGET_MIB: Record<string, number> = Object.fromEntries(SERVICES.map((s) => [s, s === 'gateway' ? 150 : 100]));
const OPERATIONS_DIR = path.join(PROJECT_ROOT, 'operations');

interface Reading {
  rssMiB: number;
  peakMiB: number;
  /** Resident memory of the processes it started (tsx's esbuild), MiB. */
  childrenMiB: number;
}
type Mode = 'sources' | 'compiled';
interface ModeResult {
  mode: Mode;
  idle: Record<string, Reading>;
  afterOperations: Record<string, Reading>;
  operations: { name: string; status: number; errors: number }[];
}

const mib = (kib: string | undefined) => Math.round((Number(kib ?? 0) / 1024) * 10) / 10;

function statusOf(pid: number): { rss: number; hwm: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: mib(/VmRSS:\s+(\d+)/.exec(text)?.[1]), hwm: mib(/VmHWM:\s+(\d+)/.exec(text)?.[1]) };
}

function childrenOf(pid: number): number[] {
  return fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
}

function read(stack: ProcessStack): Record<string, Reading> {
  return Object.fromEntries(
    SERVICES.map((name) => {
      const pid = stack.pid(name);
      const own = statusOf(pid);
      const childrenMiB = childrenOf(pid).reduce((sum, child) => sum + statusOf(child).rss, 0);
      return [name, { rssMiB: own.rss, peakMiB: own.hwm, childrenMiB: Math.round(childrenMiB * 10) / 10 }];
    }),
  );
}

/** Every example operation with the variables the IDE gives it (gateway/src/ide.ts), a real library for LibraryProfile. */
async function exampleOperations(
  gatewayUrl: string,
  headers: Record<string, string>,
): Promise<{ name: string; query: string; variables: Record<string, unknown> }[]> {
  const probe = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ cubiss { libraries(first: 1) { nodes { id } } } }' }),
  });
  const libraryId = ((await probe.json()) as any).data?.cubiss?.libraries?.nodes?.[0]?.id;
  return readExampleOperations(OPERATIONS_DIR).map((operation) => ({
    name: operation.name ?? operation.file,
    query: operation.text,
    variables: { ...exampleVariables(operation.variableDefinitions), ...(operation.name === 'LibraryProfile' ? { id: libraryId } : {}) },
  }));
}

async function measure(mode: Mode, dist: string): Promise<ModeResult> {
  const env = { ...authEnvironment(), NODE_ENV: 'development', RESPONSE_CACHE: 'memory', SEED_SCALE: '1' };
  for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
  const stack = await startProcessStack(env, mode === 'compiled' ? dist : PROJECT_ROOT, mode === 'compiled');
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idle = read(stack);
    // Every scope, so that every field of every operation is read (contract fees included).
    const headers = { authorization: `Bearer ${await tokenFor(loadConfig(env).security.clients, ALL_SCOPES, 'bench-memory', '1h')}` };
    const operations: ModeResult['operations'] = [];
    for (const { name, query, variables } of await exampleOperations(stack.gatewayUrl, headers)) {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      operations.push({ name, status: response.status, errors: body.errors?.length ?? 0 });
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { mode, idle, afterOperations: read(stack), operations };
  } finally {
    await stack.stop();
  }
}

function table(results: ModeResult[]): string {
  const head = ['process', ...results.flatMap((r) => [`${r.mode} idle`, `${r.mode} after ops`, `${r.mode} peak`]), 'target'];
  const rows = SERVICES.map((name) => [
    name,
    ...results.flatMap((r) => {
      const children = (reading: Reading) => (reading.childrenMiB > 0 ? ` (+${reading.childrenMiB})` : '');
      return [
        `${r.idle[name].rssMiB}${children(r.idle[name])}`,
        `${r.afterOperations[name].rssMiB}${children(r.afterOperations[name])}`,
        String(r.afterOperations[name].peakMiB),
      ];
    }),
    `≤ ${TARGET_MIB[name]}`,
  ]);
  const totals = [
    'total',
    ...results.flatMap((r) =>
      [r.idle, r.afterOperations].map((at) => String(Math.round(SERVICES.reduce((s, n) => s + at[n].rssMiB + at[n].childrenMiB, 0)))).concat(''),
    ),
    '',
  ];
  return [head, head.map(() => '---'), ...rows, totals].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] as Mode) : undefined;
  const modes: Mode[] = only ? [only] : ['sources', 'compiled'];
  if (modes.includes('compiled') && !args.includes('--no-build')) build();
  if (modes.includes('compiled') && !fs.existsSync(path.join(DIST, 'gateway', 'src', 'index.js'))) throw new Error('no dist/: run npm run build first');
  const results: ModeResult[] = [];
  for (const mode of modes) {
    console.log(`measuring ${mode}…`);
    results.push(await measure(mode, DIST));
  }
  const engine = SUBGRAPH_NAMES.some((name) => process.env[`${name.toUpperCase()}_DATABASE_URL`]) ? 'mysql' : 'embedded';
  const failed = results.flatMap((r) =>
    r.operations.filter((o) => o.status !== 200 || o.errors > 0).map((o) => `${r.mode} ${o.name}: HTTP ${o.status}, ${o.errors} errors`),
  );
  console.log(
    `\nVmRSS in MiB per process (in brackets: its child processes, tsx's esbuild); subgraphs on ${engine === 'mysql' ? 'MySQL/MariaDB' : 'their embedded databases'}; ${results[0].operations.length} example operations, one request each\n`,
  );
  console.log(table(results));
  if (failed.length) console.log(`\noperations answered with errors (still measured):\n${failed.join('\n')}`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const file = path.join(PROJECT_ROOT, 'bench', 'results', engine === 'mysql' ? 'memory-mysql.json' : 'memory.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ machine, engine, measuredAt: new Date().toISOString(), settleMs: SETTLE_MS, results }, null, 2)}\n`);
  console.log(`\nwritten to ${path.relative(PROJECT_ROOT, file)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
