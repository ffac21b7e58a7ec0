// `npm run bench:network`: what a 100-item page of a network list costs at seed scale 1 and 10.
//
// For each scale it starts the whole stack in this process (gateway + 5 subgraphs on embedded
// databases, loopback HTTP, no response cache) and times, one request at a time, the first page
// and a later page of `network { tickets(orderBy: OPENED_AT ASC, first: 100) }`, next to the same
// 100 tickets asked of every POI separately (`pois { tickets(first: 100) }`, which the network
// page merges), and counts the SQL statements per page. Then the first page with 4 and with 12 POIs
// (the registered four plus synthetic ones, as `bench:federation` makes them) at seed scale 1.
// Results: markdown tables on stdout, JSON in bench/results/network-lists.json. See bench/README.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../shared/config';
import { runMain } from '../shared/lifecycle';
import { Stack, startStack } from '../test/helpers/stack';
import { federationOf, subgraphsOf } from './federations';

const SCALES = [1, 10];
const POI_COUNTS = [4, 12];
const WARMUP = 10;
const MEASURED = 60;
const SELECTION = 'totalCount nodes { reference priority openedAt library { name } } pageInfo { endCursor }';
const networkPage = (after: string | null) =>
  `query BenchNetworkPage { network { tickets(orderBy: { field: OPENED_AT, direction: ASC }, first: 100${after ? `, after: "${after}"` : ''}) { ${SELECTION.replace('} }', '} poi { code } }')} } } }`;
const PER_POI = `query BenchPerPoiPages { pois { code tickets(orderBy: { field: OPENED_AT, direction: ASC }, first: 100) { ${SELECTION} } } }`;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(stack: Stack, query: string) {
  const send = async () => {
    const response = await stack.query(query);
    if (response.errors) throw new Error(`${query}: ${JSON.stringify(response.errors)}`);
  };
  for (let i = 0; i < WARMUP; i++) await send();
  const before = stack.statementCounts();
  const times: number[] = [];
  for (let i = 0; i < MEASURED; i++) {
    const start = performance.now();
    await send();
    times.push(performance.now() - start);
  }
  const after = stack.statementCounts();
  const statements = Object.keys(after).reduce((sum, name) => sum + (after[name] - (before[name] ?? 0)), 0) / MEASURED;
  times.sort((a, b) => a - b);
  return { medianMs: Number(quantile(times, 0.5).toFixed(1)), p95Ms: Number(quantile(times, 0.95).toFixed(1)), statements };
}

runMain(async () => {
  const rows: Record<string, unknown>[] = [];
  for (const seedScale of SCALES) {
    process.stderr.write(`seed scale ${seedScale}: starting the stack\n`);
    const stack = await startStack({ seedScale, env: { RESPONSE_CACHE: 'off', RATE_LIMIT_REQUESTS: '1000000' } });
    try {
      const first = await stack.query(networkPage(null));
      const total = first.data.network.tickets.totalCount as number;
      const second = networkPage(first.data.network.tickets.pageInfo.endCursor);
      for (const [label, query] of [
        ['network, first page', networkPage(null)],
        ['network, next page', second],
        ['per POI, 4 × 100 (reference)', PER_POI],
      ] as const) {
        process.stderr.write(`seed scale ${seedScale}: ${label}\n`);
        rows.push({ seedScale, tickets: total, page: label, ...(await measure(stack, query)) });
      }
    } finally {
      await stack.stop();
    }
  }
  const byPois: Record<string, unknown>[] = [];
  for (const n of POI_COUNTS) {
    process.stderr.write(`${n} POIs: starting the stack\n`);
    const stack = await startStack({ subgraphs: subgraphsOf(federationOf(n)), env: { RESPONSE_CACHE: 'off', RATE_LIMIT_REQUESTS: '1000000' } });
    try {
      const first = await stack.query(networkPage(null));
      byPois.push({ pois: n, tickets: first.data.network.tickets.totalCount, ...(await measure(stack, networkPage(null))) });
    } finally {
      await stack.stop();
    }
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  fs.mkdirSync(path.join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(
    path.join(PROJECT_ROOT, 'bench', 'results', 'network-lists.json'),
    JSON.stringify({ machine, measured: MEASURED, rows, byPois }, null, 2) + '\n',
  );
  console.log(`| seed scale | tickets in the network | page | median ms | p95 ms | SQL statements per page |\n| --- | --- | --- | --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.seedScale} | ${r.tickets} | ${r.page} | ${r.medianMs} | ${r.p95Ms} | ${r.statements} |`);
  console.log(`\n| POIs | tickets in the network | median ms | p95 ms | SQL statements per page |\n| --- | --- | --- | --- | --- |`);
  for (const r of byPois) console.log(`| ${r.pois} | ${r.tickets} | ${r.medianMs} | ${r.p95Ms} | ${r.statements} |`);
  console.log(`\n${machine}; ${MEASURED} requests each, one at a time, after ${WARMUP} unmeasured.`);
});
