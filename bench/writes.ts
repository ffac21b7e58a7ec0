// `npm run bench:writes`: what the embedded default costs a writer and a start. Every service its
// own process on loopback (as `npm start`), the subgraphs on their embedded databases in a fresh
// temporary DATA_DIR; then, through the gateway:
//   - write latency: N `createTicket` mutations on Cubiss one after another (each waits for the
//     previous answer), median and p99 of the round trip;
//   - start-up: Cubiss stopped (SIGTERM) and started again over the database it wrote, time from
//     spawn until /ready answers (median of a few restarts), and its idle VmRSS after it settles.
//
//   npm run bench:writes                 200 writes, 3 restarts
//   npm run bench:writes -- --writes 500 --restarts 5
//
// Prints the figures as JSON and writes bench/results/writes.json. The machine may be shared:
// read the figures as this machine's at that moment, not as absolutes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../shared/config';
import { startProcessStack } from '../test/helpers/process-stack';
import { ALL_SCOPES, tokenFor } from '../test/helpers/auth';
import { authEnvironment } from './subgraph-auth';

const SETTLE_MS = 3000;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const round = (ms: number) => Math.round(ms * 100) / 100;

async function main(): Promise<void> {
  const writes = option('writes', 200);
  const restarts = option('restarts', 3);
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
      const response = await fetch(stack.gatewayUrl, { method: 'POST', headers, body: JSON.stringify({ query: mutation, variables: { title: `bench ${i}` } }) });
      const body = (await response.json()) as { errors?: unknown[] };
      latencies.push(performance.now() - started);
      if (body.errors) throw new Error(`write ${i} failed: ${JSON.stringify(body.errors)}`);
    }
    latencies.sort((a, b) => a - b);
    const starts: number[] = [];
    for (let i = 0; i < restarts; i++) {
      await stack.kill('cubiss', 'SIGTERM');
      const started = performance.now();
      await stack.start('cubiss');
      starts.push(performance.now() - started);
    }
    starts.sort((a, b) => a - b);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const result = {
      date: new Date().toISOString(),
      writes,
      writeMs: { median: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)), max: round(latencies[latencies.length - 1]) },
      restarts,
      startMs: { median: round(quantile(starts, 0.5)), max: round(starts[starts.length - 1]) },
      idleRssMiB: Math.round(stack.rssMiB('cubiss') * 10) / 10,
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
