// `npm start`: every subgraph and the gateway, each as its own process, logs prefixed with the
// service name. The embedded databases are kept in DATA_DIR across starts; `npm start -- --fresh`
// deletes them first, so they are seeded anew. Ctrl-C (or SIGTERM) stops them in order: the gateway first, so the requests it
// has in flight still reach the subgraphs while it drains, then the subgraphs. When registry.json
// gains a POI (`npm run poi:add`), its subgraph is started too: nothing needs a restart.
import { ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { loadConfig, loadDotEnv, PROJECT_ROOT, serviceEnvironment, SUBGRAPH_NAMES } from '../shared/config';
import { deleteEmbeddedDatabases } from '../shared/db';
import { watchRegistry } from '../shared/registry';
import { serviceNodeArgs } from '../shared/service-process';

loadDotEnv();
const config = loadConfig(); // fail here, once, on a bad environment
// `npm start -- --fresh`: new embedded databases, seeded anew (as `npm run reset`).
if (process.argv.includes('--fresh')) {
  const deleted = deleteEmbeddedDatabases(config.database.dataDir);
  if (deleted.length > 0) console.log(`--fresh: deleted ${deleted.join(', ')} in ${config.database.dataDir}`);
}
// From the sources through tsx; run compiled (`node dist/scripts/start.js`), the services run compiled too.
const subgraph = (name: string) => ({ name, args: serviceNodeArgs(name) });
const services = [...SUBGRAPH_NAMES.map(subgraph), { name: 'gateway', args: serviceNodeArgs('gateway') }];
const width = Math.max(...services.map((s) => s.name.length));
const children = new Map<string, ChildProcess>();
/** When the first stop signal came, if one did. */
let stoppingSince: number | undefined;
let failed = false;

function prefixLines(stream: NodeJS.ReadableStream, name: string, out: NodeJS.WritableStream) {
  const label = `[${name.padEnd(width)}] `;
  readline.createInterface({ input: stream }).on('line', (line) => out.write(`${label}${line}\n`));
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

function start(service: { name: string; args: string[] }) {
  const child = spawn(process.execPath, service.args, {
    cwd: PROJECT_ROOT,
    // Only its own secrets: the gateway's signing key stays out of the subgraphs, each database URL in its subgraph.
    // Its output reaches the terminal through this launcher (a pipe, not a terminal): readable logs when this one writes to a terminal.
    env: { ...(process.stdout.isTTY && !process.env.LOG_FORMAT ? { LOG_FORMAT: 'pretty' } : {}), ...serviceEnvironment(process.env, service.name) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches this launcher only, which then stops
    // the services in order (a subgraph must not die before the gateway has drained).
    detached: true,
  });
  prefixLines(child.stdout!, service.name, process.stdout);
  prefixLines(child.stderr!, service.name, process.stderr);
  children.set(service.name, child);
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (stoppingSince === undefined || code !== 0) {
      failed ||= stoppingSince === undefined || code !== 0;
      console.error(
        `[${service.name.padEnd(width)}] exited (${signal ?? `code ${code}`})${stoppingSince === undefined ? '; the other services keep running' : ''}`,
      );
    }
    if (children.size === 0) process.exit(failed ? 1 : 0);
  });
}
services.forEach(start);

// A POI registered while this runs gets its subgraph process; the collaboration, the network
// subgraph (its lists then ask the new POI too) and the gateway follow registry.json and
// supergraph.graphql themselves.
const stopFollowing = watchRegistry(
  (pois) => {
    if (stoppingSince !== undefined) return;
    for (const poi of pois.filter((p) => !services.some((s) => s.name === p.subgraphName))) {
      const service = subgraph(poi.subgraphName);
      services.push(service);
      console.log(`[${poi.subgraphName.padEnd(width)}] ${poi.code} was registered: starting its subgraph`);
      start(service);
    }
  },
  (error) => console.error(`registry.json is invalid, no new subgraph started: ${error.message}`),
);
// Should this launcher end some other way, it takes the services with it.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGKILL');
});

const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
console.log(`Starting ${services.length} services; the gateway will answer at http://${host}:${config.gateway.port}/graphql`);

/** A second signal this long after the first stops everything at once; sooner, it is the same Ctrl-C relayed by npm or tsx. */
const FORCE_AFTER_MS = 2000;

async function stopAll(signal: NodeJS.Signals) {
  if (stoppingSince !== undefined) {
    if (Date.now() - stoppingSince < FORCE_AFTER_MS) return;
    console.log(`\n${signal} again: stopping at once`);
    process.exit(1); // the 'exit' handler kills the services
  }
  stoppingSince = Date.now();
  stopFollowing();
  console.log(`\n${signal}: stopping the gateway, then ${children.size - 1} subgraphs…`);
  const gateway = children.get('gateway');
  if (gateway) {
    gateway.kill('SIGTERM');
    await exited(gateway);
  }
  for (const child of children.values()) child.kill('SIGTERM');
}
process.on('SIGINT', (signal) => void stopAll(signal));
process.on('SIGTERM', (signal) => void stopAll(signal));
