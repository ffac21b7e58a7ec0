// `npm start`: every subgraph and the gateway, each as its own process, logs prefixed with the
// service name. Ctrl-C (or SIGTERM) stops them all.
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig, PROJECT_ROOT, SUBGRAPH_NAMES } from '../shared/config';

const config = loadConfig(); // fail here, once, on a bad environment
const services = [
  ...SUBGRAPH_NAMES.map((name) => ({ name, args: [path.join('scripts', 'start-subgraph.ts'), name] })),
  { name: 'gateway', args: [path.join('gateway', 'src', 'index.ts')] },
];
const width = Math.max(...services.map((s) => s.name.length));
const children = new Map<string, ChildProcess>();
let stopping = false;
let failed = false;

function prefixLines(stream: NodeJS.ReadableStream, name: string, out: NodeJS.WritableStream) {
  const label = `[${name.padEnd(width)}] `;
  readline.createInterface({ input: stream }).on('line', (line) => out.write(`${label}${line}\n`));
}

for (const service of services) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...service.args], {
    cwd: PROJECT_ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stdout!, service.name, process.stdout);
  prefixLines(child.stderr!, service.name, process.stderr);
  children.set(service.name, child);
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (!stopping) {
      failed = true;
      console.error(`[${service.name.padEnd(width)}] exited (${signal ?? `code ${code}`}); the other services keep running`);
    }
    if (children.size === 0) process.exit(failed && !stopping ? 1 : 0);
  });
}

const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
console.log(`Starting ${services.length} services; the gateway will answer at http://${host}:${config.gateway.port}/graphql`);

function stopAll(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping ${children.size} services…`);
  for (const child of children.values()) child.kill('SIGTERM');
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
