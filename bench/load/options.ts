import path from 'node:path';
import { parseArgs } from 'node:util';

export interface LoadOptions {
  quick: boolean;
  /** Measured time per scenario and target. */
  durationSeconds: number;
  /** The measured time of each target is split into this many slices, interleaved with the other targets'. */
  slices: number;
  /** Unmeasured, fully checked requests before each measurement. */
  warmupSeconds: number;
  connections: number;
  /** Sequential requests whose SQL statements are counted, per scenario and target. */
  statementRequests: number;
  /** Seed scales, each on a freshly started stack; growth compares the last with the first. */
  scales: number[];
  /** Both gateways' default: identical subgraph queries in flight share one fetch. */
  deduplicate: boolean;
  /** Every subgraph on MariaDB/MySQL (fresh schemas per seed scale) instead of its embedded database. */
  mysql: boolean;
  /** The scenarios measured (default all: A, B, C, D); a subset writes its results to load-partial.*. */
  scenarios: string[];
  /** Every service of this project from the compiled build (dist/, `npm run build` first) with production's node flags, instead of the sources through tsx. */
  compiled: boolean;
  /** A folder for a CPU profile of the plain gateway (`node --cpu-prof`), written when it stops. */
  gatewayCpuProfile?: string;
  /** Extra node flags for the plain gateway, after production's own (the later of two equal flags wins). */
  gatewayNodeFlags: string[];
}

export const USAGE = `npm run bench [-- options]
  --quick               smoke run: 2 s per scenario and target, results to bench/results/load-quick.*
  --duration <s>        measured seconds per scenario and target, 1–20 (env BENCH_DURATION_S, default 8)
  --warmup <s>          warm-up seconds before each (env BENCH_WARMUP_S, default 1.5)
  --connections <n>     concurrent connections (env BENCH_CONNECTIONS, default 8)
  --scales <list>       seed scales, comma-separated (env BENCH_SCALES, default 1,10)
  --without-dedupe      turn off both gateways' sharing of identical subgraph queries in flight (on by default in both)
  --scenarios <list>    only these scenarios, e.g. A,D (env BENCH_SCENARIOS, default A,B,C,D); results to bench/results/load-partial.*
  --mysql               every subgraph on MariaDB (installed and started by .ci/mariadb.sh when missing; fresh schemas
                        bench_poi_<name> for each seed scale), results to bench/results/load-mysql*.* (env BENCH_MYSQL=true)
  --compiled            this project's services from the compiled build (dist/: run npm run build first), plain node
                        with production's flags, as the Dockerfile runs them (env BENCH_COMPILED=true)
  --gateway-cpu-prof <dir>  the plain gateway runs with node --cpu-prof, its profile written to <dir> when it stops
  --gateway-node-flags="<flags>"  extra node flags for the plain gateway, after production's (e.g. "--max-old-space-size=256"),
                        to measure a V8 setting before shipping it in shared/service-process.ts`;

function numberFrom(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"\n\n${USAGE}`);
  return value;
}

export function parseLoadOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      scales: { type: 'string' },
      'without-dedupe': { type: 'boolean', default: false },
      mysql: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      compiled: { type: 'boolean', default: false },
      'gateway-cpu-prof': { type: 'string' },
      'gateway-node-flags': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const scales = (values.scales ?? env.BENCH_SCALES ?? '1,10').split(',').map((s) => numberFrom('--scales', s.trim(), 1, 1, 100));
  if (scales.some((s) => !Number.isInteger(s))) throw new Error(`--scales must be whole numbers from 1 to 100\n\n${USAGE}`);
  const scenarios = (values.scenarios ?? env.BENCH_SCENARIOS ?? 'A,B,C,D').split(',').map((s) => s.trim().toUpperCase());
  if (scenarios.some((s) => !['A', 'B', 'C', 'D'].includes(s))) throw new Error(`--scenarios must list some of A, B, C, D\n\n${USAGE}`);
  const gatewayNodeFlags = (values['gateway-node-flags'] ?? '').split(/\s+/).filter(Boolean);
  if (gatewayNodeFlags.some((flag) => !flag.startsWith('--'))) throw new Error(`--gateway-node-flags takes node options, each starting with --\n\n${USAGE}`);
  return {
    quick,
    durationSeconds: numberFrom('--duration', values.duration ?? env.BENCH_DURATION_S, quick ? 2 : 8, 1, 20),
    slices: quick ? 1 : 4,
    warmupSeconds: numberFrom('--warmup', values.warmup ?? env.BENCH_WARMUP_S, quick ? 0.5 : 1.5, 0.1, 30),
    connections: Math.round(numberFrom('--connections', values.connections ?? env.BENCH_CONNECTIONS, 8, 1, 256)),
    statementRequests: quick ? 3 : 10,
    scales,
    deduplicate: !values['without-dedupe'],
    mysql: values.mysql || env.BENCH_MYSQL === 'true',
    scenarios,
    compiled: values.compiled || env.BENCH_COMPILED === 'true',
    ...(values['gateway-cpu-prof'] ? { gatewayCpuProfile: path.resolve(values['gateway-cpu-prof']) } : {}),
    gatewayNodeFlags,
  };
}
