// `npm run bench`: load on the federation, every service its own process on loopback, at two seed
// scales. Scenarios A–D (bench/load/scenarios.ts) against the limit (the same subgraph fetches
// sent directly), this project's gateway and a Hive gateway over the same supergraph; see
// bench/README.md. A markdown table on stdout, progress on stderr, results in bench/results/.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../shared/config';
import { LoadOptions, parseLoadOptions } from './load/options';
import { buildReport, describeMachine, markdownReport } from './load/report';
import { Measurement, measureStack } from './load/run';
import { BenchStack, freshMariaDb, startBenchStack } from './load/services';

/** The whole run stops (services included) after this long, whatever happens. */
const RUN_LIMIT_MS = 10 * 60_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
let current: BenchStack | undefined;

async function abort(reason: string, code: number): Promise<never> {
  log(reason);
  await current?.stop().catch(() => undefined);
  process.exit(code);
}

async function runScale(scale: number, options: LoadOptions): Promise<Measurement[]> {
  const started = performance.now();
  log(
    `seed scale ${scale}: starting 5 subgraphs${options.mysql ? ' on fresh MariaDB schemas' : ''}, this gateway (plain and RESPONSE_CACHE=memory) and the Hive gateway…`,
  );
  current = await startBenchStack(scale, options.deduplicate, options.mysql ? freshMariaDb() : {}, {
    compiled: options.compiled,
    gatewayCpuProfile: options.gatewayCpuProfile,
    gatewayNodeFlags: options.gatewayNodeFlags,
  });
  try {
    log(`  stack up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return await measureStack(current, options);
  } finally {
    await current.stop();
    current = undefined;
  }
}

async function main() {
  const options = parseLoadOptions(process.argv.slice(2));
  const startedAt = new Date();
  const started = performance.now();
  const machine = describeMachine();
  setTimeout(() => void abort(`npm run bench: over ${RUN_LIMIT_MS / 60_000} minutes, stopping`, 1), RUN_LIMIT_MS).unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void abort(`npm run bench: ${signal}, stopping`, 130));

  const measurements: Measurement[] = [];
  for (const scale of options.scales) measurements.push(...(await runScale(scale, options)));

  const report = buildReport(measurements, options, machine, startedAt, (performance.now() - started) / 1000);
  const markdown = markdownReport(report);
  console.log(markdown);
  const base = path.join(
    PROJECT_ROOT,
    'bench',
    'results',
    `${options.mysql ? 'load-mysql' : 'load'}-${options.scenarios.length < 4 ? 'partial' : options.quick ? 'quick' : 'latest'}`,
  );
  fs.mkdirSync(path.dirname(base), { recursive: true });
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, markdown);
  log(`wrote ${path.relative(process.cwd(), base)}.json and .md`);
}

main().catch((error: Error) => abort(error.stack ?? String(error), 1));
