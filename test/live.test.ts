// The gateway's live channel (gateway/src/live.ts, README "Live updates"): subscriptions over SSE
// at /graphql/stream, authenticated as /graphql, filtered by what the subscriber may read,
// coalesced, and bounded (connections in all and per identity, what a stream queues, a client
// that does not read). The channel runs over real loopback HTTP, fed by an in-process bus of
// changes; the last suite runs it inside a real gateway and hears real writes.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import { ChangeBus, ChangeEvent, inProcessChangeBus } from '../shared/changes';
import { DEFAULT_LIVE, loadConfig, type LiveConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { authenticateClients } from '../gateway/src/authentication';
import { createRateLimit } from '../gateway/src/rate-limit';
import { createLiveChannel, LIVE_PATH, type LiveChannel } from '../gateway/src/live';
import { testSecurityEnv, tokenFor } from './helpers/auth';
import { CHANGES_SUBSCRIPTION, openStream, OpenStream, until } from './helpers/live-stream';
import { startStack, type Stack } from './helpers/stack';

jest.setTimeout(60_000);

const config = loadConfig({ ...testSecurityEnv(), AUTH_ALLOW_ANONYMOUS: 'false', LOG_LEVEL: 'silent' });
const logger = createLogger('test', 'silent');
const token = (scopes: string[], subject = 'live-test', expiresIn = '10m') => tokenFor(config.security.clients, scopes, subject, expiresIn);
const change = (subgraph: string, poi?: string, types: string[] = ['Ticket']): ChangeEvent => ({ subgraph, poi, types, at: new Date().toISOString() });

interface Live {
  url: string;
  metrics: Registry;
  bus: ChangeBus;
  live: LiveChannel;
  stop(): Promise<void>;
}

/** The live channel alone on a loopback server, as the gateway mounts it. */
async function startLive(settings: Partial<LiveConfig> = {}, clients = config.security.clients): Promise<Live> {
  const bus = inProcessChangeBus();
  const rateLimit = createRateLimit(config.security.rateLimit, logger);
  const metrics = new Registry();
  const live = createLiveChannel({
    changes: bus,
    settings: { ...DEFAULT_LIVE, coalesceMs: 50, ...settings },
    authenticate: authenticateClients(clients, rateLimit.chargeFailure),
    rateLimit: rateLimit.middleware,
    introspection: false,
    logger,
    metrics,
  });
  const app = express();
  live.mount(app);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${LIVE_PATH}`,
    bus,
    live,
    metrics,
    stop: async () => {
      await live.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('live channel (/graphql/stream)', () => {
  let channel: Live;
  const streams: OpenStream[] = [];
  const open = async (...args: Parameters<typeof openStream>) => {
    const stream = await openStream(...args);
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    channel = await startLive({ maxConnections: 6, maxConnectionsPerIdentity: 3 });
  });
  afterEach(async () => {
    streams.splice(0).forEach((s) => s.close());
    await until(() => channel.live.stats().connections === 0, 5000, 'every stream closed');
  });
  afterAll(() => channel?.stop());

  it('refuses a stream without a valid token where anonymous requests are off, as /graphql does', async () => {
    const none = await open(channel.url, undefined);
    expect(none.status).toBe(401);
    expect(none.refusal.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const forged = await open(channel.url, (await token(['network:read'])).slice(0, -4) + 'AAAA');
    expect(forged.status).toBe(401);
    const valid = await open(channel.url, await token(['network:read']));
    expect(valid.status).toBe(200);
    expect(valid.headers.get('content-type')).toMatch(/^text\/event-stream/);
  });

  it("filters by what the subscriber may read: a poi:bisc:read token hears BiSC's changes, not Cubiss's or the collaboration's", async () => {
    const bisc = await open(channel.url, await token(['poi:bisc:read'], 'bisc-staff'));
    const network = await open(channel.url, await token(['network:read'], 'analyst'));
    // (A stream's answer starts once its subscription is made.) BiSC's change comes last: had the
    // others reached the BiSC stream, they would have come before it.
    await channel.bus.publish(change('cubiss', 'CUBISS'));
    await channel.bus.publish(change('collaboration'));
    await channel.bus.publish(change('bisc', 'BISC'));
    await until(() => network.changes().length === 3 && bisc.changes().length >= 1);
    expect(bisc.changes().map((c) => c.subgraph)).toEqual(['bisc']);
    expect(
      network
        .changes()
        .map((c) => c.subgraph)
        .sort(),
    ).toEqual(['bisc', 'collaboration', 'cubiss']);
    // Asking for Cubiss's changes outright is FORBIDDEN; an unknown code BAD_USER_INPUT.
    const cubiss = await open(channel.url, await token(['poi:bisc:read'], 'bisc-staff'), 'subscription($p: [String!]) { changes(pois: $p) { subgraph } }', {
      p: ['CUBISS'],
    });
    await cubiss.ended;
    expect(cubiss.events.find((e) => e.event === 'next')?.data.errors[0].extensions.code).toBe('FORBIDDEN');
    const unknown = await open(channel.url, await token(['network:read']), 'subscription { changes(pois: ["NOPE"]) { subgraph } }');
    await unknown.ended;
    expect(unknown.events.find((e) => e.event === 'next')?.data.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('coalesces a burst: 500 writes of one import are one Change per subgraph, with their count and types', async () => {
    const stream = await open(channel.url, await token(['network:read']));
    for (let i = 0; i < 500; i++) await channel.bus.publish(change('cubiss', 'CUBISS', [i % 2 ? 'Ticket' : 'Library']));
    await channel.bus.publish(change('bisc', 'BISC'));
    await until(() => stream.changes().reduce((sum, c) => sum + c.count, 0) === 501);
    const cubiss = stream.changes().filter((c) => c.subgraph === 'cubiss');
    expect(cubiss).toHaveLength(1);
    expect(cubiss[0]).toMatchObject({ poi: 'CUBISS', count: 500 });
    expect([...cubiss[0].types].sort()).toEqual(['Library', 'Ticket']);
  });

  it('bounds connections: per identity (429) and in all (503), and a closed stream frees its place', async () => {
    const alice = await token(['network:read'], 'alice');
    const first = [await open(channel.url, alice), await open(channel.url, alice), await open(channel.url, alice)];
    expect(first.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await open(channel.url, alice);
    expect(fourth.status).toBe(429);
    expect(fourth.refusal.errors[0].extensions.code).toBe('TOO_MANY_CONNECTIONS');
    expect(fourth.headers.get('retry-after')).toBeTruthy();
    const bob = await token(['network:read'], 'bob');
    const others = [await open(channel.url, bob), await open(channel.url, bob), await open(channel.url, bob)];
    expect(others.map((s) => s.status)).toEqual([200, 200, 200]);
    const carol = await open(channel.url, await token(['network:read'], 'carol'));
    expect(carol.status).toBe(503);
    expect(carol.refusal.errors[0].extensions.code).toBe('TOO_MANY_CONNECTIONS');
    const metrics = await channel.metrics.metrics();
    expect(metrics).toMatch(/^gateway_live_streams 6$/m);
    expect(metrics).toMatch(/^gateway_live_refusals_total\{reason="per_identity"\} 1$/m);
    expect(metrics).toMatch(/^gateway_live_refusals_total\{reason="total"\} 1$/m);
    first[0].close();
    await until(() => channel.live.stats().connections === 5);
    expect((await open(channel.url, alice)).status).toBe(200);
  });

  it('ends a stream when its token expires', async () => {
    const stream = await open(channel.url, await token(['network:read'], 'short-lived', '2s'));
    expect(stream.status).toBe(200);
    await until(() => channel.live.stats().connections === 0, 5000, 'the stream ended at expiry');
    await stream.ended;
    expect(stream.events.at(-1)?.event).toBe('complete');
  });
});

describe('live channel bounds in time and memory', () => {
  it('keeps the stream of a token valid longer than a timer can wait (30 days) open', async () => {
    const clients = { ...config.security.clients, maxLifetimeSeconds: 30 * 86_400 };
    const channel = await startLive({}, clients);
    const stream = await openStream(channel.url, await tokenFor(clients, ['network:read'], 'month-long', '30d'));
    try {
      expect(stream.status).toBe(200);
      await channel.bus.publish(change('cubiss', 'CUBISS'));
      await until(() => stream.changes().length === 1 || stream.events.some((e) => e.event === 'complete'));
      expect(stream.events.map((e) => e.event)).toEqual(['next']);
      expect(channel.live.stats().connections).toBe(1);
    } finally {
      stream.close();
      await channel.stop();
    }
  });

  it('closes a client that does not read once it stays behind, holding at most one Change per subgraph meanwhile', async () => {
    const channel = await startLive({ coalesceMs: 0, slowClientSeconds: 1 });
    const socket = net.connect((new URL(channel.url).port as unknown as number) || 80, '127.0.0.1');
    try {
      const body = JSON.stringify({ query: CHANGES_SUBSCRIPTION });
      const bearer = await token(['network:read'], 'never-reads');
      socket.pause(); // never reads a byte
      socket.write(
        `POST ${LIVE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n` +
          `Authorization: Bearer ${bearer}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await until(() => channel.live.stats().connections === 1);
      // Changes of about 2 KB each, from five subgraphs, until the socket is full and the client is dropped.
      const types = Array.from({ length: 32 }, (_, i) => `Type${i}`.padEnd(60, 'x'));
      const subgraphs = [['cubiss', 'CUBISS'], ['bisc', 'BISC'], ['probiblio', 'PROBIBLIO'], ['rijnbrink', 'RIJNBRINK'], ['collaboration']];
      let published = 0;
      const started = Date.now();
      while (channel.live.stats().connections > 0 && published < 200_000) {
        for (let i = 0; i < 50; i++, published++) {
          const [subgraph, poi] = subgraphs[published % subgraphs.length];
          await channel.bus.publish(change(subgraph, poi, types));
        }
        await new Promise((resolve) => setImmediate(resolve));
        if (Date.now() - started > 30_000) break;
      }
      // Dropped at most slowClientSeconds after its buffer filled (plus a margin for the machine).
      await until(() => channel.live.stats().connections === 0, 5000, 'the slow client closed');
      const stats = channel.live.stats();
      expect(stats.peakWaiting).toBeLessThanOrEqual(subgraphs.length);
      // What the gateway held for it: a few changes handed out but unsent, and Node's buffer about one write past its high-water mark.
      expect(stats.peakBacklog).toBeLessThanOrEqual(2 * subgraphs.length);
      expect(stats.peakBuffered).toBeLessThanOrEqual(64 * 1024);
      expect(published).toBeGreaterThan(stats.peakBacklog); // it did fall behind
      expect(await channel.metrics.metrics()).toMatch(/^gateway_live_refusals_total\{reason="slow_client"\} 1$/m);
    } finally {
      socket.destroy();
      await channel.stop();
    }
  });

  it('ends open streams when the gateway stops, without waiting for the clients, and refuses new ones', async () => {
    const channel = await startLive();
    const stream = await openStream(channel.url, await token(['network:read']));
    await until(() => channel.live.stats().connections === 1);
    const closing = channel.live.close();
    await closing;
    await stream.ended;
    expect(stream.events.at(-1)?.event).toBe('complete');
    const refused = await openStream(channel.url, await token(['network:read']));
    expect(refused.status).toBe(503);
    await channel.stop();
  });
});

describe('live channel in the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(() => stack?.stop());

  it('a write at Cubiss reaches a network:read subscriber, not a poi:bisc:read one', async () => {
    const url = new URL(LIVE_PATH, stack.gateway.url).href;
    const network = await openStream(url, await stack.token(['network:read'], 'analyst'));
    const bisc = await openStream(url, await stack.token(['poi:bisc:read'], 'bisc-staff'));
    try {
      expect([network.status, bisc.status]).toEqual([200, 200]);
      const ticket = (poi: string, libraryId: string) =>
        stack.query(
          `mutation { ${poi} { createTicket(input: { libraryId: "${libraryId}", title: "Live: pas geweigerd", category: CIRCULATION, priority: P2 }) { id } } }`,
        );
      expect((await ticket('cubiss', '2')).errors).toBeUndefined();
      await until(() => network.changes().some((c) => c.subgraph === 'cubiss'));
      expect(network.changes().find((c) => c.subgraph === 'cubiss')).toMatchObject({ poi: 'CUBISS', count: 1 });
      // Then one at BiSC: once the BiSC stream has it, Cubiss's would have come before it.
      const biscLibrary = (await stack.query('{ bisc { libraries(first: 1) { nodes { id } } } }')).data.bisc.libraries.nodes[0].id;
      expect((await ticket('bisc', biscLibrary)).errors).toBeUndefined();
      await until(() => bisc.changes().length > 0);
      expect(bisc.changes().map((c) => c.subgraph)).toEqual(['bisc']);
    } finally {
      network.close();
      bisc.close();
    }
  });
});
