// Shutdown as operators and developers do it (issue 18, item 7): SIGTERM to one service, Ctrl-C
// on `npm start`. Every service drains its requests in flight and exits 0.
import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { portEnvironment, SUBGRAPH_NAMES } from '../shared/config';
import { testSecurityEnv } from './helpers/auth';
import { freePorts, ProcessStack, startProcessStack } from './helpers/process-stack';
import { openStream } from './helpers/live-stream';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..');
const CUBISS_QUERY = JSON.stringify({ query: '{ cubiss { name libraries { totalCount } } }' });
/** How long the slow proxy holds a request: long enough to signal a service while it is in flight. */
const HOLD_MS = 1500;

/** A proxy in front of the Cubiss subgraph that, once `slow` is set, holds every request for HOLD_MS first. */
async function slowProxy(target: () => string) {
  const state = { slow: false, held: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (state.slow) {
      state.held += 1;
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    }
    try {
      const upstream = await fetch(target(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const askCubiss = (gatewayUrl: string) =>
  fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: CUBISS_QUERY }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

const exitOf = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

describe('SIGTERM to a service (as docker stop or systemd send it)', () => {
  let stack: ProcessStack;
  let proxy: Awaited<ReturnType<typeof slowProxy>>;
  beforeAll(async () => {
    proxy = await slowProxy(() => `http://127.0.0.1:${stack.port('cubiss')}/graphql`);
    // Not NODE_ENV=test (jest's): Apollo Server installs its own signal handlers outside tests, as in production.
    stack = await startProcessStack({ NODE_ENV: 'development', CUBISS_URL: proxy.url });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('the gateway finishes a slow request in flight, ends its live streams, then exits 0', async () => {
    const stream = await openStream(stack.gatewayUrl.replace(/graphql$/, 'graphql/stream'), undefined);
    expect(stream.status).toBe(200);
    proxy.state.slow = true;
    const inFlight = askCubiss(stack.gatewayUrl);
    while (proxy.state.held === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const exitCode = await stack.kill('gateway', 'SIGTERM');
    // The stream was ended by the gateway (its subscription completed), not cut when the drain gave up.
    await stream.ended;
    expect(stream.events.at(-1)?.event).toBe('complete');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.cubiss.libraries.totalCount).toBeGreaterThan(0);
    expect(exitCode).toBe(0);
  });

  it('a subgraph exits 0 after a clean drain', async () => {
    expect(await stack.kill('bisc', 'SIGTERM')).toBe(0);
  });
});

describe('Ctrl-C on npm start (SIGINT to the whole process group)', () => {
  let launcher: ChildProcess | undefined;
  let proxy: Awaited<ReturnType<typeof slowProxy>>;
  const output: string[] = [];
  afterAll(async () => {
    if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
      const exited = exitOf(launcher);
      launcher.kill('SIGTERM');
      await exited;
    }
    await proxy?.close();
  });

  it('drains the gateway first (its request in flight still reaches Cubiss), then the subgraphs, and exits 0', async () => {
    const ports = await freePorts(['gateway', ...SUBGRAPH_NAMES]);
    proxy = await slowProxy(() => `http://127.0.0.1:${ports.cubiss}/graphql`);
    launcher = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'start.ts')], {
      cwd: ROOT,
      // Its own process group, like a terminal's foreground job, so the test can signal the group.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...testSecurityEnv(),
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        RESPONSE_CACHE: 'off',
        CUBISS_URL: proxy.url,
        ...portEnvironment(ports),
      },
    });
    launcher.stdout!.on('data', (chunk) => output.push(String(chunk)));
    launcher.stderr!.on('data', (chunk) => output.push(String(chunk)));
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const answer = await askCubiss(gatewayUrl).catch(() => undefined);
      if (answer?.body?.data?.cubiss) break;
      if (Date.now() > deadline) throw new Error(`npm start did not serve Cubiss in time:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    proxy.state.slow = true;
    const inFlight = askCubiss(gatewayUrl);
    while (proxy.state.held === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const exited = exitOf(launcher);
    process.kill(-launcher.pid!, 'SIGINT');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.cubiss.libraries.totalCount).toBeGreaterThan(0);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output.join('')).not.toMatch(/exited \(/);
    // Nothing is left listening.
    await expect(fetch(gatewayUrl.replace(/graphql$/, 'health'))).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${ports.cubiss}/health`)).rejects.toThrow();
  });
});
