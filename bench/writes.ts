// `npm run bench:writes`: what the embedded default costs a writer and a start. Every service its
// own process on loopback (as `npm start`), the subgraphs on their embedded databases in a fresh
// temporary DATA_DIR; then, through the gateway:
//   - write latency: N `createTicket` mutations on Cubiss one after another (each waits for the
//     previous answer), median and p99 of the round trip;
//   - start-up: Cubiss stopped (SIGTERM) and started again over the database it wrote, time from
//     spawn until /ready answers (median of a few restarts), and its idle VmRSS after it settles;
//   - the same again after importing 100,000 more tickets (POST /import, as `npm run import`):
//     on disk, the data should not show in start-up time or memory.
//
//   npm run bench:writes                 200 writes, 3 restarts, 100,000 imported tickets
//   npm run bench:writes -- --writes 500 --restarts 5 --import 0
//
// Prints the figures as JSON and writes bench/results/writes.json. The machine may be shared:
// read the figures as this machine's at that moment, not as absolutes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createIdentitySigner } from '../shared/auth/internal-token';
import { loadConfig, PROJECT_ROOT } from '../shared/config';
import { COLLABORATION_TOKEN_HEADER } from '../poi-kit/agenda-items';
import { readLibrarySources } from '../poi-kit/seed';
import { ticketsCsv } from './tickets-csv';
import { ProcessStack, startProcessStack } from '../test/helpers/process-stack';
import { ALL_SCOPES, tokenFor } from '../test/helpers/auth';
import { authEnvironment } from './subgraph-auth';

const SETTLE_MS = 3000;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const round = (ms: number) => Math.round(ms * 100) / 100;

/** Restarts Cubiss `times` times (SIGTERM, then start until ready): the start times, then its idle VmRSS and file size. */
async function restarts(stack: ProcessStack, times: number) {
  const starts: number[] = [];
  for (let i = 0; i < times; i++) {
    await stack.kill('cubiss', 'SIGTERM');
    const started = performance.now();
    await stack.start('cubiss');
    starts.push(performance.now() - started);
  }
  starts.sort((a, b) => a - b);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const file = path.join(stack.dataDir, 'cubiss.sqlite');
  return {
    startMs: { median: round(quantile(starts, 0.5)), max: round(starts[starts.length - 1]) },
    idleRssMiB: Math.round(stack.rssMiB('cubiss') * 10) / 10,
    fileMiB: fs.existsSync(file) ? Math.round((fs.statSync(file).size / 2 ** 20) * 10) / 10 : null,
  };
}

/** POSTs `rows` new tickets to Cubiss's /import, signed as the import CLI signs (write scope, collaboration token). */
async function importTickets(stack: ProcessStack, env: Record<string, string>, rows: number): Promise<number> {
  const sign = await createIdentitySigner(env.GATEWAY_SIGNING_KEY);
  const identity = { subject: 'bench-writes', name: 'import:bench-writes', scopes: ['poi:cubiss:write', 'network:read'], anonymous: false };
  const libraries = readLibrarySources(path.join(PROJECT_ROOT, 'subgraphs', 'cubiss', 'data', 'libraries.csv')).map((s) => s.organisation);
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${stack.port('cubiss')}/import?entity=tickets`, {
    method: 'POST',
    headers: {
      'content-type': 'text/csv',
      authorization: `Bearer ${await sign(identity, 'cubiss')}`,
      [COLLABORATION_TOKEN_HEADER]: await sign(identity, 'collaboration'),
    },
    body: ticketsCsv(libraries, rows, false),
    signal: AbortSignal.timeout(600_000),
  });
  const body = (await response.json()) as { created?: number; errors?: unknown[] };
  if (!response.ok || body.created !== rows) throw new Error(`import failed: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  return round((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const writes = option('writes', 200);
  const times = option('restarts', 3);
  const imported = option('import', 100_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poi-bench-writes-'));
  const env = { ...authEnvironment(), NODE_ENV: 'development', RESPONSE_CACHE: 'off', SEED_SCALE: '1', DATA_DIR: dataDir };
  const stack = await startProcessStack(env);
  try {
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${await tokenFor(loadConfig(env).security.clients, ALL_SCOPES, 'bench-writes', '1h')}`,
    };
    const mutation = `mutation Create($title: String!) { cubiss { createTicket(input: { libraryId: "1", title: $title, category: CIRCULATION, priority: P3 }) { id } } }`;
    const latencies: number[] = [];
    for (let i = 0; i < writes; i++) {
      const started = performance.now();
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: mutation, variables: { title: `bench ${i}` } }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      latencies.push(performance.now() - started);
      if (body.errors) throw new Error(`write ${i} failed: ${JSON.stringify(body.errors)}`);
    }
    latencies.sort((a, b) => a - b);
    const afterWrites = await restarts(stack, times);
    let afterImport;
    if (imported > 0) {
      const importSeconds = await importTickets(stack, env, imported);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      // Before a restart: what holding the imported rows costs the running process.
      const idleRssBeforeRestartMiB = Math.round(stack.rssMiB('cubiss') * 10) / 10;
      afterImport = { importSeconds, idleRssBeforeRestartMiB, ...(await restarts(stack, times)) };
    }
    const result = {
      date: new Date().toISOString(),
      writes,
      writeMs: { median: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)), max: round(latencies[latencies.length - 1]) },
      restarts: times,
      afterWrites,
      imported,
      afterImport,
      cores: os.cpus().length,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    };
    console.log(JSON.stringify(result, null, 2));
    fs.mkdirSync(path.join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join(PROJECT_ROOT, 'bench', 'results', 'writes.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
