// The bus of changes (shared/changes.ts): what a committed write changed, heard in this process or
// through Redis by every gateway replica; and the gateway announcing the writes it passes on.
import Redis from 'ioredis';
import { ChangeEvent, inProcessChangeBus, redisChangeBus } from '../shared/changes';
import { redisIt, startRedis } from './helpers/redis';
import { startStack } from './helpers/stack';

const event = (subgraph: string): ChangeEvent => ({ subgraph, types: ['Ticket'], at: new Date().toISOString() });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('change bus', () => {
  it('in process: every subscriber hears each change once, until it unsubscribes', async () => {
    const bus = inProcessChangeBus();
    const [a, b]: ChangeEvent[][] = [[], []];
    const stopA = bus.subscribe((e) => a.push(e));
    bus.subscribe((e) => b.push(e));
    await bus.publish(event('cubiss'));
    stopA();
    await bus.publish(event('bisc'));
    expect(a.map((e) => e.subgraph)).toEqual(['cubiss']);
    expect(b.map((e) => e.subgraph)).toEqual(['cubiss', 'bisc']);
  });

  redisIt(
    'through Redis: a change published by one process is heard once by every bus, and locally while Redis is away',
    async () => {
      const redis = await startRedis();
      const clients = [0, 1].map(() => new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }).on('error', () => undefined));
      const buses = clients.map((client) => redisChangeBus(client));
      try {
        await until(() => clients.every((c) => c.status === 'ready'));
        await new Promise((resolve) => setTimeout(resolve, 200)); // the subscriptions are made
        const heard: ChangeEvent[][] = [[], []];
        buses.forEach((bus, i) => bus.subscribe((e) => heard[i].push(e)));
        await buses[0].publish(event('cubiss'));
        await until(() => heard.every((h) => h.length > 0));
        await new Promise((resolve) => setTimeout(resolve, 100)); // no second delivery follows
        expect(heard.map((h) => h.map((e) => e.subgraph))).toEqual([['cubiss'], ['cubiss']]);
        await redis.stop();
        await until(() => clients[0].status !== 'ready');
        await buses[0].publish(event('bisc'));
        expect(heard[0].map((e) => e.subgraph)).toEqual(['cubiss', 'bisc']);
        expect(heard[1].map((e) => e.subgraph)).toEqual(['cubiss']);
      } finally {
        await Promise.all(buses.map((bus) => bus.close()));
        clients.forEach((client) => client.disconnect());
        await redis.stop();
      }
    },
    30_000,
  );

  redisIt(
    'the gateway announces a write it passed to a subgraph, and not a read',
    async () => {
      const redis = await startRedis();
      const stack = await startStack();
      const listener = new Redis(redis.url, { maxRetriesPerRequest: 1 }).on('error', () => undefined);
      const bus = redisChangeBus(listener);
      try {
        const gateway = await stack.gatewayWith({ rateLimit: { ...stack.config.security.rateLimit, redisUrl: redis.url } });
        const heard: ChangeEvent[] = [];
        bus.subscribe((e) => heard.push(e));
        await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is made
        const post = (query: string) =>
          fetch(gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenHolder}` },
            body: JSON.stringify({ query }),
          }).then((r) => r.json() as Promise<{ data?: unknown; errors?: unknown }>);
        const tokenHolder = await stack.token(['network:read', 'poi:cubiss:write', 'poi:cubiss:read']);
        expect((await post('{ cubiss { libraries(first: 1) { totalCount } } }')).errors).toBeUndefined();
        const written = await post(
          'mutation { cubiss { createTicket(input: { libraryId: "2", title: "Pas geweigerd", category: CIRCULATION, priority: P2 }) { id } } }',
        );
        expect(written.errors).toBeUndefined();
        await until(() => heard.length > 0);
        // What the subgraph reports it committed (extensions.changes), not the whole subgraph.
        expect(heard).toEqual([expect.objectContaining({ subgraph: 'cubiss', poi: 'CUBISS', types: ['Ticket'] })]);
        // A write refused inside its transaction (rolled back) reports nothing, so nothing is announced.
        const ticket = (written.data as { cubiss: { createTicket: { id: string } } }).cubiss.createTicket;
        const stale = await post(`mutation { cubiss { resolveTicket(id: "${ticket.id}", input: { expectedVersion: 99 }) { id } } }`);
        expect((stale.errors as { extensions: { code: string } }[])[0].extensions.code).toBe('CONFLICT');
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(heard).toHaveLength(1);
      } finally {
        await bus.close();
        listener.disconnect();
        await stack.stop();
        await redis.stop();
      }
    },
    60_000,
  );
});
