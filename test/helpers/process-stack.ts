import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { portEnvironment, SUBGRAPH_NAMES } from '../../shared/config';
import { serviceNodeArgs } from '../../shared/service-process';

const ROOT = path.resolve(__dirname, '..', '..');

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A free port for each of these services (by name), for their `<NAME>_PORT` (portEnvironment). */
export async function freePorts(names: readonly string[]): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const name of names) ports[name] = await freePort();
  return ports;
}

/** Polls `url` until it answers 2xx, or fails after `timeoutMs`. */
export async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
}

export interface ProcessStack {
  gatewayUrl: string;
  port(name: string): number;
  pid(name: string): number;
  /** Resident memory of a service in MiB, from /proc. */
  rssMiB(name: string): number;
  /** Sends the signal and waits for the exit: the exit code, or null when a signal ended the process. */
  kill(name: string, signal?: NodeJS.Signals): Promise<number | null>;
  start(name: string): Promise<void>;
  isRunning(name: string): boolean;
  stop(): Promise<void>;
  /** The folder of the subgraphs' embedded databases (DATA_DIR), kept across their restarts. */
  dataDir: string;
}

/**
 * Every service as its own process, as `npm start` runs them, on free ports with the embedded
 * database (or MySQL when the <NAME>_DATABASE_URL variables are set). For tests that kill and
 * restart processes. The embedded databases are files in a new temporary DATA_DIR (unless
 * `extraEnv` names one), never the checkout's `.data/`; they survive a service's restart and are
 * deleted by `stop` when the folder was made here. `root` is the project they run from (default: this one; e.g. a copy);
 * `compiled`: `root` is a build (dist/ of `npm run build`), each service runs on plain `node`.
 */
export async function startProcessStack(extraEnv: Record<string, string> = {}, root = ROOT, compiled = false): Promise<ProcessStack> {
  const ports = await freePorts(['gateway', ...SUBGRAPH_NAMES]);
  const ownDataDir = extraEnv.DATA_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'poi-stack-data-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    // Load tests send more than one client's budget from one address, and must see every outage.
    RATE_LIMIT_REQUESTS: '1000000',
    RESPONSE_CACHE: 'off',
    ...portEnvironment(ports),
    ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
    ...extraEnv,
  };
  const children = new Map<string, ChildProcess>();
  const logs = new Map<string, string[]>();
  const start = async (name: string) => {
    const child = spawn(process.execPath, serviceNodeArgs(name, compiled), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    logs.set(name, lines);
    child.stdout!.on('data', (chunk) => lines.push(String(chunk)));
    child.stderr!.on('data', (chunk) => lines.push(String(chunk)));
    children.set(name, child);
    try {
      await waitUntilReady(`http://127.0.0.1:${ports[name]}/ready`, 60_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${lines.join('')}`);
    }
  };
  const kill = async (name: string, signal: NodeJS.Signals = 'SIGKILL') => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  };
  const stop = async () => {
    await Promise.all([...children.keys()].map((name) => kill(name, 'SIGTERM')));
    if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(SUBGRAPH_NAMES.map(start));
    await start('gateway');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    gatewayUrl: `http://127.0.0.1:${ports.gateway}/graphql`,
    port: (name) => ports[name],
    pid: (name) => children.get(name)!.pid!,
    rssMiB: (name) => {
      const status = fs.readFileSync(`/proc/${children.get(name)!.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    },
    kill,
    start,
    isRunning: (name) => {
      const child = children.get(name);
      return Boolean(child && child.exitCode === null && child.signalCode === null);
    },
    stop,
    dataDir: env.DATA_DIR!,
  };
}
