// How a service of this project is started as its own process: the gateway or one subgraph, from
// the TypeScript sources through tsx (`npm start`, the tests) or from the compiled build in dist/
// (`npm run build`; production). `npm start`, the process tests and `npm run bench:memory` all
// start services this way; the Dockerfile, docker-compose.yml and deploy/kubernetes/ say the same
// for the compiled build (scripts/deployment.ts, scripts/kubernetes.ts).
import path from 'node:path';
import { COMPILED } from './config';

/**
 * Node's flags for a compiled service (bench/README.md "Memory"): a subgraph a young generation
 * of at most 2 × 1 MiB instead of V8's 2 × 16 MiB, which a service otherwise grows to at start-up
 * and keeps resident; the gateway 2 × 8 MiB, since under load a young generation of 1 MiB promotes
 * every request's objects still in flight, and garbage collection took 27 % of its busy time on the
 * single-POI lookup (10 % with 8 MiB, for about 7 MiB more at idle; bench/README.md "CPU per
 * request"); a subgraph one V8 worker thread instead of four, as each thread keeps its
 * own malloc arena (about 10 MiB less on the embedded database, whose WebAssembly the workers
 * compile at start-up). The gateway keeps its workers for concurrent GC under load. Stack traces
 * name the .ts lines without a flag: the service maps them itself, reading a source map only when
 * a trace needs it (shared/source-maps.ts; `--enable-source-maps` would keep every module's map,
 * node_modules' too, about 9 MiB a process).
 */
export function compiledNodeFlags(name: string): string[] {
  return name === 'gateway' ? ['--max-semi-space-size=8'] : ['--max-semi-space-size=1', '--v8-pool-size=1'];
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
