import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portEnvironment, PROJECT_ROOT } from '../../shared/config';
import { composeSupergraph } from '../../shared/supergraph';
import { SUBGRAPHS } from '../../subgraphs/catalog';
import { serviceNodeArgs, serviceScript } from '../../shared/service-process';
import { freePort, freePorts } from '../../test/helpers/process-stack';
import { authEnvironment } from '../subgraph-auth';

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 8_000;

/** One service of the bench stack, running as its own process on loopback. */
export interface ServiceProcess {
  name: string;
  pid: number;
  /** Its GraphQL endpoint. */
  url: string;
  /** Its Prometheus endpoint (project services only). */
  metricsUrl: string;
  stop(): Promise<void>;
}

export interface BenchStack {
  seedScale: number;
  subgraphs: ServiceProcess[];
  /** This project's gateway, with RESPONSE_CACHE=off. */
  gateway: ServiceProcess;
  /** The same gateway, started with RESPONSE_CACHE=memory. */
  cachedGateway: ServiceProcess;
  /** @graphql-hive/gateway over the same supergraph and subgraphs. */
  hive: ServiceProcess;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever way the bench ends, no service outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function stopChild(child: ChildProcess): Promise<void> {
  const waitForExit = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (hasExited(child)) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  if (!hasExited(child)) {
    child.kill('SIGTERM');
    if (!(await waitForExit(STOP_GRACE_MS))) {
      child.kill('SIGKILL');
      await waitForExit(STOP_GRACE_MS);
    }
  }
  running.delete(child);
}

async function untilReady(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${output()}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready at ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/** Starts `node <args>` in `cwd` and waits until `readyPath` answers 200. */
async function startService(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  readyPath: string,
  cwd = PROJECT_ROOT,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  try {
    await untilReady(child, `${base}${readyPath}`, () => tail);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${name}: ${(error as Error).message}`);
  }
  return { name, pid: child.pid!, url: `${base}/graphql`, metricsUrl: `${base}/metrics`, stop: () => stopChild(child) };
}

/** The environment every service starts from: embedded databases, no tracing, warnings only. */
function baseEnvironment(seedScale: number, ports: Record<string, number>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const overrides = Object.keys(ports).flatMap((name) => [`${name.toUpperCase()}_URL`, `${name.toUpperCase()}_DATABASE_URL`]);
  for (const key of Object.keys(env)) if (overrides.includes(key) || key.startsWith('OTEL_')) delete env[key];
  return {
    ...env,
    ...portEnvironment(ports),
    SEED_SCALE: String(seedScale),
    LOG_LEVEL: 'warn',
    ...authEnvironment(),
  };
}

/**
 * Fresh MariaDB schemas for every subgraph (`.ci/mariadb.sh`, which installs and starts MariaDB
 * when it is missing; schemas `bench_poi_<name>`, dropped and created again): the
 * `<NAME>_DATABASE_URL` of each, for `startBenchStack`.
 */
export function freshMariaDb(): Record<string, string> {
  const exports = execFileSync('bash', [path.join(PROJECT_ROOT, '.ci', 'mariadb.sh')], {
    env: { ...process.env, MARIADB_PREFIX: 'bench_' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return databaseUrlsFrom(exports);
}

/** `export NAME_DATABASE_URL=…` lines (the output of .ci/mariadb.sh) as a record; every subgraph must have one. */
export function databaseUrlsFrom(exports: string): Record<string, string> {
  const urls = Object.fromEntries([...exports.matchAll(/^export ([A-Z_]+_DATABASE_URL)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  const missing = SUBGRAPHS.map((s) => `${s.name.toUpperCase()}_DATABASE_URL`).filter((key) => !urls[key]);
  if (missing.length > 0) throw new Error(`.ci/mariadb.sh gave no ${missing.join(', ')}`);
  return urls;
}

/**
 * The 5 subgraphs, this project's gateway (twice: RESPONSE_CACHE=off and =memory) and a
 * Hive gateway, every one its own process on a free loopback port. Both kinds of gateway serve
 * the same supergraph, composed here over the subgraphs' actual URLs.
 */
export interface StackOptions {
  /** This project's services from dist/ with production's node flags (shared/service-process.ts), not the sources through tsx. */
  compiled?: boolean;
  /** A folder for the plain gateway's CPU profile (`node --cpu-prof`), written when it stops. */
  gatewayCpuProfile?: string;
  /** Extra node flags for the plain gateway, after production's. */
  gatewayNodeFlags?: string[];
}

export async function startBenchStack(
  seedScale: number,
  deduplicate: boolean,
  databaseUrls: Record<string, string> = {},
  stackOptions: StackOptions = {},
): Promise<BenchStack> {
  const compiled = stackOptions.compiled ?? false;
  const root = compiled ? path.join(PROJECT_ROOT, 'dist') : PROJECT_ROOT;
  if (compiled && !fs.existsSync(path.join(root, serviceScript('gateway', true)[0]))) throw new Error('--compiled: no build in dist/, run npm run build first');
  /** A service of this project, as production (compiled) or `npm start` (sources) runs it; extra node flags after production's. */
  const own = (service: string, env: NodeJS.ProcessEnv, port: number, label = service, nodeFlags: string[] = []) => {
    const args = serviceNodeArgs(service, compiled);
    const script = serviceScript(service, compiled).length;
    return start(label, [...args.slice(0, -script), ...nodeFlags, ...args.slice(-script)], env, port, '/ready', root);
  };
  const ports = await freePorts(SUBGRAPHS.map((s) => s.name));
  const env = { ...baseEnvironment(seedScale, ports), ...databaseUrls };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'poi-bench-'));
  const supergraphPath = path.join(folder, 'supergraph.graphql');
  const starting: Promise<ServiceProcess>[] = [];
  const start = (...args: Parameters<typeof startService>) => {
    const service = startService(...args);
    starting.push(service);
    return service;
  };
  const stop = async () => {
    const services = await Promise.allSettled(starting);
    await Promise.all(services.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    fs.rmSync(folder, { recursive: true, force: true });
  };
  try {
    const { supergraphSdl } = composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, url: `http://127.0.0.1:${ports[s.name]}/graphql`, sdl: s.sdl })));
    fs.writeFileSync(supergraphPath, supergraphSdl);
    const subgraphs = await Promise.all(SUBGRAPHS.map(({ name }) => own(name, env, ports[name])));
    const [plainPort, cachedPort, hivePort] = [await freePort(), await freePort(), await freePort()];
    const gatewayEnv = (port: number, responseCache: string) => ({
      ...env,
      ...portEnvironment({ gateway: port }),
      SUPERGRAPH_PATH: supergraphPath,
      RESPONSE_CACHE: responseCache,
      RATE_LIMIT_REQUESTS: '1000000',
      SUBGRAPH_DEDUPLICATE: String(deduplicate),
    });
    const hiveEnv = { ...env, HIVE_PORT: String(hivePort), SUPERGRAPH_PATH: supergraphPath, HIVE_DEDUPLICATE_INFLIGHT: String(deduplicate) };
    const [gateway, cachedGateway, hive] = await Promise.all([
      own('gateway', gatewayEnv(plainPort, 'off'), plainPort, 'gateway', [
        ...(stackOptions.gatewayCpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${stackOptions.gatewayCpuProfile}`] : []),
        ...(stackOptions.gatewayNodeFlags ?? []),
      ]),
      own('gateway', gatewayEnv(cachedPort, 'memory'), cachedPort, 'gateway (RESPONSE_CACHE=memory)'),
      start('hive', ['--import', 'tsx', 'bench/load/hive-gateway.ts'], hiveEnv, hivePort, '/readiness'),
    ]);
    return { seedScale, subgraphs, gateway, cachedGateway, hive, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
