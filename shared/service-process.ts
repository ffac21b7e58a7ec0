// How a service of this project is started as its own process: the gateway or one subgraph, from
// the TypeScript sources through tsx (`npm start`, the tests) or from the compiled build in dist/
// (`npm run build`; production). `npm start`, the process tests and `npm run bench:memory` all
// start services this way; the Dockerfile, docker-compose.yml and deploy/kubernetes/ say the same
// for the compiled build (scripts/deployment.ts, scripts/kubernetes.ts).
import path from 'node:path';
import { COMPILED } from './config';

/**
 * Node's flags for a compiled service (bench/README.md "Memory"):
 * - a young generation of at most 2 × 1 MiB for a subgraph instead of V8's 2 × 16 MiB, which a
 *   service otherwise grows to at start-up and keeps resident; 2 × 8 MiB for the gateway, since under
 *   load a young generation of 1 MiB promotes every request's objects still in flight, and garbage
 *   collection took 27 % of its busy time on the single-POI lookup (10 % with 8 MiB, for about 7 MiB
 *   more at idle; bench/README.md "CPU per request");
 * - how far the old generation may grow past what survived the last full collection before the
 *   next one: V8 lets it grow up to 4 × on a machine with memory to spare, so the gateway's peak
 *   under load was the garbage of a busy minute (337–351 MiB), and a subgraph idled with the garbage
 *   of its last requests (BiSC 102–103 MiB). 2 × for the gateway and 1.5 × for a subgraph bound
 *   both without a hard cap (`--max-old-space-size` would crash a process whose live data outgrew
 *   it, and cost 20–35 % more CPU at 128–200 MiB): bench/README.md "Heap growth";
 * - one V8 worker thread for a subgraph instead of four, as each thread keeps its own malloc arena
 *   (about 10 MiB less). The gateway keeps its workers for concurrent GC under load.
 * Stack traces name the .ts lines without a flag: the service maps them itself, reading a source
 * map only when a trace needs it (shared/source-maps.ts; `--enable-source-maps` would keep every
 * module's map, node_modules' too, about 9 MiB a process).
 */
export function compiledNodeFlags(name: string): string[] {
  return name === 'gateway'
    ? ['--max-semi-space-size=8', '--heap-growing-percent=100']
    : ['--max-semi-space-size=1', '--heap-growing-percent=50', '--v8-pool-size=1'];
}

/** The gateway's entry point or the subgraph starter, relative to the project root (the checkout, or dist/). */
export function serviceScript(name: string, compiled: boolean): string[] {
  const ext = compiled ? '.js' : '.ts';
  return name === 'gateway' ? [path.posix.join('gateway', 'src', `index${ext}`)] : [path.posix.join('scripts', `start-subgraph${ext}`), name];
}

/** The arguments to `node` (process.execPath) that start a service from its project root: on the build with plain node, else through tsx. */
export function serviceNodeArgs(name: string, compiled: boolean = COMPILED): string[] {
  return compiled ? [...compiledNodeFlags(name), ...serviceScript(name, true)] : ['--import', 'tsx', ...serviceScript(name, false)];
}

/** The compiled service's command in a container whose working directory holds dist/ (Dockerfile, compose, Kubernetes). */
export function containerCommand(name: string): string[] {
  return ['node', ...compiledNodeFlags(name), ...serviceScript(name, true).map((arg, i) => (i === 0 ? path.posix.join('dist', arg) : arg))];
}
