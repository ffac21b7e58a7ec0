// `npm run bench:federation`: how the federation itself scales with the number of POIs.
//
// For N = 4, 8 and 12 POIs (12: one per Dutch province) it measures
//   1. composition time of the N+1 subgraphs' SDL (collaboration + N POIs),
//   2. cold query-planning time of the overview operation, and checks that the plan sends the N
//      POI fetches from one Parallel node,
//   3. the latency of the overview through a real gateway over real HTTP (loopback), with the
//      whole stack (gateway + N+1 subgraphs on embedded databases) in this one process;
//   4. the same latency through a second gateway whose every subgraph fetch is delayed by
//      FETCH_DELAY_MS (a loopback proxy), which shows whether the POI fetches overlap: in one
//      process the CPU work of the N fetches is serialised anyway, a delay is not.
// Results: a markdown table on stdout, JSON in bench/results/federation-scale.json. Progress goes
// to stderr; the services' logs are silent. See bench/README.md for method and caveats.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'graphql';
// Both ship with @apollo/gateway (same versions as the gateway uses); this is the planner the gateway runs.
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { PlanNode, QueryPlan, QueryPlanner } from '@apollo/query-planner';
import { startGateway } from '../gateway/src/gateway';
import { PROJECT_ROOT } from '../shared/config';
import { createLogger } from '../shared/logger';
import type { Poi } from '../shared/registry';
import { composeSupergraph } from '../shared/supergraph';
import { Federation, federationOf, subgraphsOf } from './federations';
import { postGraphQL, Stack, startStack } from '../test/helpers/stack';

const SIZES = [4, 8, 12];
/** Measured rounds of composition and planning (the medians), after WARMUP_ROUNDS that are not counted. */
const RUNS = 7;
const WARMUP_ROUNDS = 3;
const WARMUP_REQUESTS = 50;
const MEASURED_REQUESTS = 300;
/** The measured requests (all sizes together) stop early after this long, so a slow machine still finishes. */
const LATENCY_BUDGET_MS = 60_000;
/** Added to every subgraph fetch of the delayed gateway (request held this long before it is forwarded). */
const FETCH_DELAY_MS = 20;
const DELAYED_WARMUP_REQUESTS = 10;
const DELAYED_REQUESTS = 100;
const OVERVIEW = '{ pois { stats { libraryCount openTicketCount } } }';
const RESULTS_PATH = path.join(PROJECT_ROOT, 'bench', 'results', 'federation-scale.json');

// The bench always runs on the embedded databases: a MySQL-backed subgraph among embedded ones
// would measure MySQL, and the collaboration's registry never drops a POI, so synthetic POIs
// would linger in a shared MySQL schema.
for (const key of Object.keys(process.env)) if (key.endsWith('_DATABASE_URL')) delete process.env[key];
// Apollo Server adds a SIGINT and a SIGTERM listener per running server: two gateways and N+1
// subgraphs per size, all sizes at once.
process.setMaxListeners(SIZES.reduce((sum, n) => sum + n + 3, 10));

const time = <T>(fn: () => T): [T, number] => {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of an ascending list. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Every fetch of a plan, with the Parallel node it sits under (nearest ancestor), if any. */
function fetchesOf(node: PlanNode | undefined, parallel: PlanNode | null = null, out: { service: string; parallel: PlanNode | null }[] = []) {
  if (!node) return out;
  switch (node.kind) {
    case 'Fetch':
      out.push({ service: node.serviceName, parallel });
      break;
    case 'Flatten':
      fetchesOf(node.node, parallel, out);
      break;
    case 'Sequence':
      for (const child of node.nodes) fetchesOf(child, parallel, out);
      break;
    case 'Parallel':
      for (const child of node.nodes) fetchesOf(child, node, out);
      break;
    case 'Condition':
      fetchesOf(node.ifClause, parallel, out);
      fetchesOf(node.elseClause, parallel, out);
      break;
    case 'Defer':
      fetchesOf(node.primary.node, parallel, out);
      for (const deferred of node.deferred) fetchesOf(deferred.node, parallel, out);
      break;
    default:
      throw new Error(`unexpected plan node ${(node as { kind: string }).kind}`);
  }
  return out;
}

/** The number of POI fetches under the one Parallel node; throws unless all N POIs are fetched there, once each. */
function parallelPoiFetches(plan: QueryPlan, pois: Poi[]): number {
  if (plan.node?.kind === 'Subscription') throw new Error('unexpected subscription plan');
  const names = new Set(pois.map((p) => p.subgraphName));
  const poiFetches = fetchesOf(plan.node).filter((f) => names.has(f.service));
  const parallels = new Set(poiFetches.map((f) => f.parallel));
  const services = new Set(poiFetches.map((f) => f.service));
  if (parallels.size !== 1 || parallels.has(null) || poiFetches.length !== pois.length || services.size !== pois.length) {
    throw new Error(
      `expected ${pois.length} POI fetches, one per POI, under one Parallel node; got ${poiFetches.length} fetches ` +
        `(${services.size} POIs) under ${parallels.size} parent(s)${parallels.has(null) ? ', some outside any Parallel node' : ''}`,
    );
  }
  return poiFetches.length;
}

/**
 * Composition and cold planning for every N, in interleaved rounds (round r measures N=4, 8, 12 in
 * turn), after warm-up rounds that are not counted: the JIT keeps speeding these up for dozens of
 * runs, and measuring one N after another would bill that to the first N.
 */
function measureCompositionAndPlanning(federations: Federation[]) {
  const document = parse(OVERVIEW);
  const cases = federations.map((federation) => ({
    federation,
    sources: subgraphsOf(federation).map((s) => ({ name: s.name, url: `http://127.0.0.1/${s.name}/graphql`, sdl: s.sdl })),
    composeRuns: [] as number[],
    setupRuns: [] as number[],
    planRuns: [] as number[],
    plan: undefined as QueryPlan | undefined,
  }));
  for (let round = -WARMUP_ROUNDS; round < RUNS; round++) {
    for (const c of cases) {
      const [{ supergraphSdl }, composeMs] = time(() => composeSupergraph(c.sources));
      // Cold planning: a new Supergraph and QueryPlanner every run, then the overview planned once.
      const [{ supergraph, planner }, setupMs] = time(() => {
        const built = Supergraph.build(supergraphSdl);
        return { supergraph: built, planner: new QueryPlanner(built) };
      });
      const operation = operationFromDocument(supergraph.apiSchema(), document);
      const [plan, planMs] = time(() => planner.buildQueryPlan(operation));
      c.plan = plan;
      if (round < 0) continue;
      c.composeRuns.push(composeMs);
      c.setupRuns.push(setupMs);
      c.planRuns.push(planMs);
    }
  }
  return cases.map((c) => ({
    composeMs: median(c.composeRuns),
    composeRuns: c.composeRuns,
    planMs: median(c.planRuns),
    planRuns: c.planRuns,
    plannerSetupMs: median(c.setupRuns),
    parallelFetches: parallelPoiFetches(c.plan!, c.federation.pois),
  }));
}

interface OverviewData {
  pois: ({ stats: { libraryCount: number; openTicketCount: number } | null } | null)[] | null;
}

interface Latency {
  stackStartMs: number;
  delayed: { requests: number; p50: number; p95: number };
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * A loopback proxy that holds every request FETCH_DELAY_MS before forwarding it to `target`, like
 * a subgraph on a slower network or database.
 */
async function startDelayProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      await new Promise((resolve) => setTimeout(resolve, FETCH_DELAY_MS));
      const upstream = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json', authorization: req.headers.authorization ?? '' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A second gateway over a running stack's supergraph whose every subgraph fetch goes through a delay proxy. */
async function startDelayedGateway(stack: Stack) {
  const proxies = await Promise.all([...stack.subgraphs].map(async ([name, subgraph]) => ({ name, proxy: await startDelayProxy(subgraph.url) })));
  const gateway = await startGateway({
    supergraph: { sdl: stack.supergraphSdl },
    subgraphUrls: Object.fromEntries(proxies.map(({ name, proxy }) => [name, proxy.url])),
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('bench', 'silent'),
    security: stack.config.security,
  });
  return {
    url: gateway.url,
    stop: async () => {
      await gateway.stop();
      await Promise.all(proxies.map(({ proxy }) => proxy.close()));
    },
  };
}

function checkOverview(response: Awaited<ReturnType<typeof postGraphQL<OverviewData>>>, n: number) {
  const pois = response.data?.pois;
  const ok =
    response.status === 200 &&
    !response.errors?.length &&
    pois?.length === n &&
    pois.every((p) => Number.isInteger(p?.stats?.libraryCount) && p!.stats!.libraryCount > 0 && Number.isInteger(p?.stats?.openTicketCount));
  if (!ok) throw new Error(`bad overview response at N=${n}: ${JSON.stringify(response).slice(0, 500)}`);
}

/**
 * Starts one stack per N (all in this process, each gateway with its own N+1 subgraphs), then sends
 * the overview round-robin: one request to the N=4 stack, one to N=8, one to N=12, again. Every
 * request is sequential (one in flight at a time), and interleaving spreads any change in the
 * machine's load evenly over the sizes instead of billing it to whichever N ran at that moment.
 */
async function measureLatencies(federations: Federation[]): Promise<Latency[]> {
  const stacks: Stack[] = [];
  const delayedGateways: { url: string; stop(): Promise<void> }[] = [];
  const startMs: number[] = [];
  try {
    for (const federation of federations) {
      const started = performance.now();
      stacks.push(await startStack({ subgraphs: subgraphsOf(federation) }));
      startMs.push(performance.now() - started);
    }
    const request = async (url: string, n: number) => {
      const start = performance.now();
      const response = await postGraphQL<OverviewData>(url, OVERVIEW);
      const elapsed = performance.now() - start;
      checkOverview(response, n);
      return elapsed;
    };
    /** Round-robin over the sizes: `warmup` unmeasured rounds, then up to `count` measured ones. */
    const measure = async (urls: string[], warmup: number, count: number) => {
      for (let round = 0; round < warmup; round++) for (const [i, url] of urls.entries()) await request(url, federations[i].pois.length);
      const samples: number[][] = urls.map(() => []);
      const deadline = performance.now() + LATENCY_BUDGET_MS;
      for (let round = 0; round < count && performance.now() < deadline; round++) {
        for (const [i, url] of urls.entries()) samples[i].push(await request(url, federations[i].pois.length));
      }
      return samples.map((list) => [...list].sort((a, b) => a - b));
    };
    const direct = await measure(
      stacks.map((stack) => stack.gateway.url),
      WARMUP_REQUESTS,
      MEASURED_REQUESTS,
    );
    for (const stack of stacks) delayedGateways.push(await startDelayedGateway(stack));
    const delayed = await measure(
      delayedGateways.map((g) => g.url),
      DELAYED_WARMUP_REQUESTS,
      DELAYED_REQUESTS,
    );
    return direct.map((sorted, i) => ({
      stackStartMs: startMs[i],
      delayed: { requests: delayed[i].length, p50: percentile(delayed[i], 50), p95: percentile(delayed[i], 95) },
      requests: sorted.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
      min: sorted[0],
      max: sorted[sorted.length - 1],
    }));
  } finally {
    await Promise.all(delayedGateways.map((gateway) => gateway.stop()));
    await Promise.all(stacks.map((stack) => stack.stop()));
  }
}

function resultOf(federation: Federation, cpu: ReturnType<typeof measureCompositionAndPlanning>[number], latency: Latency) {
  const n = federation.pois.length;
  return {
    n,
    subgraphs: n + 1,
    pois: federation.pois.map((p) => (federation.borrowed[p.code] ? `${p.code} (as ${federation.borrowed[p.code]})` : p.code)),
    composeMs: round(cpu.composeMs),
    composeRunsMs: cpu.composeRuns.map((v) => round(v)),
    planMs: round(cpu.planMs),
    planRunsMs: cpu.planRuns.map((v) => round(v)),
    plannerSetupMs: round(cpu.plannerSetupMs),
    parallelFetches: cpu.parallelFetches,
    latencyMs: {
      requests: latency.requests,
      p50: round(latency.p50),
      p95: round(latency.p95),
      p99: round(latency.p99),
      mean: round(latency.mean),
      min: round(latency.min),
      max: round(latency.max),
    },
    delayedFetches: {
      delayPerFetchMs: FETCH_DELAY_MS,
      requests: latency.delayed.requests,
      p50: round(latency.delayed.p50),
      p95: round(latency.delayed.p95),
      /** What the delay added at p50; overlapping fetches add about 2 delays (collaboration, then the POIs). */
      addedP50: round(latency.delayed.p50 - latency.p50),
      /** The least the delay would add if the fetches ran one after another: one delay per subgraph. */
      sequentialWouldAddAtLeast: (n + 1) * FETCH_DELAY_MS,
    },
    stackStartMs: round(latency.stackStartMs, 0),
  };
}

async function main() {
  const benchStart = performance.now();
  const federations = SIZES.map(federationOf);
  process.stderr.write(`composition and planning, ${WARMUP_ROUNDS} warm-up + ${RUNS} rounds over N = ${SIZES.join(', ')}…\n`);
  const cpu = measureCompositionAndPlanning(federations);
  process.stderr.write(`starting ${SIZES.length} stacks, then ${WARMUP_REQUESTS} warm-up + up to ${MEASURED_REQUESTS} measured requests each, interleaved…\n`);
  const latencies = await measureLatencies(federations);
  const results = federations.map((federation, i) => resultOf(federation, cpu[i], latencies[i]));

  const first = results[0];
  const last = results[results.length - 1];
  const ratio = (pick: (r: (typeof results)[number]) => number) => round(pick(last) / pick(first));
  const growth = {
    from: first.n,
    to: last.n,
    n: ratio((r) => r.n),
    composeMs: ratio((r) => r.composeMs),
    planMs: ratio((r) => r.planMs),
    plannerSetupMs: ratio((r) => r.plannerSetupMs),
    parallelFetches: ratio((r) => r.parallelFetches),
    p50: ratio((r) => r.latencyMs.p50),
    p95: ratio((r) => r.latencyMs.p95),
    p99: ratio((r) => r.latencyMs.p99),
    mean: ratio((r) => r.latencyMs.mean),
    delayedP50: ratio((r) => r.delayedFetches.p50),
  };
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };

  const fmt = (v: number) => v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2);
  const lines = [
    `Federation scale: \`${OVERVIEW}\` — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
    '',
    `| N | compose ms | plan ms | parallel fetches | p50 ms | p95 ms | p99 ms | mean ms | p50 ms, +${FETCH_DELAY_MS} ms per fetch |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.n} | ${fmt(r.composeMs)} | ${fmt(r.planMs)} | ${r.parallelFetches} | ${fmt(r.latencyMs.p50)} | ${fmt(r.latencyMs.p95)} | ` +
        `${fmt(r.latencyMs.p99)} | ${fmt(r.latencyMs.mean)} | ${fmt(r.delayedFetches.p50)} |`,
    ),
    `| **×${growth.n}** (N=${last.n} ÷ N=${first.n}) | ×${growth.composeMs} | ×${growth.planMs} | ×${growth.parallelFetches} | ×${growth.p50} | ` +
      `×${growth.p95} | ×${growth.p99} | ×${growth.mean} | ×${growth.delayedP50} |`,
    '',
    `compose, plan: median of ${RUNS} interleaved runs after ${WARMUP_ROUNDS} warm-up rounds; plan = buildQueryPlan on a fresh planner ` +
      `(building the planner itself: ${results.map((r) => `${fmt(r.plannerSetupMs)}`).join(' / ')} ms, ×${growth.plannerSetupMs}).`,
    `latency: ${results.map((r) => r.latencyMs.requests).join(' / ')} sequential requests after ${WARMUP_REQUESTS} warm-up, ` +
      `round-robin over the sizes, gateways and all subgraphs in this process.`,
    `+${FETCH_DELAY_MS} ms per fetch: a second gateway per N whose every subgraph fetch a proxy holds ${FETCH_DELAY_MS} ms ` +
      `(${results.map((r) => r.delayedFetches.requests).join(' / ')} requests); the delay added ` +
      `${results.map((r) => fmt(r.delayedFetches.addedP50)).join(' / ')} ms at p50, where fetches one after another would add at least ` +
      `${results.map((r) => r.delayedFetches.sequentialWouldAddAtLeast).join(' / ')} ms.`,
    `total ${round((performance.now() - benchStart) / 1000, 1)} s.`,
  ];
  console.log(lines.join('\n'));

  fs.mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  const report = {
    benchmark: 'federation-scale',
    date: new Date().toISOString(),
    machine,
    operation: OVERVIEW,
    method: {
      runs: RUNS,
      warmupRounds: WARMUP_ROUNDS,
      warmupRequests: WARMUP_REQUESTS,
      measuredRequests: MEASURED_REQUESTS,
      latencyBudgetMs: LATENCY_BUDGET_MS,
      fetchDelayMs: FETCH_DELAY_MS,
      delayedWarmupRequests: DELAYED_WARMUP_REQUESTS,
      delayedRequests: DELAYED_REQUESTS,
      database: 'embedded (SQLite), seed scale 1',
      notes: 'synthetic POIs reuse the provinces and seed data of a real POI, round-robin; the whole stack runs in one Node process',
    },
    results,
    growth,
    totalSeconds: round((performance.now() - benchStart) / 1000, 1),
  };
  fs.writeFileSync(RESULTS_PATH, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`wrote ${path.relative(process.cwd(), RESULTS_PATH)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
