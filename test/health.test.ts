import net from 'node:net';
import { isDatabaseUnavailable, openDatabase } from '../shared/db';
import { POI_SCHEMA } from '../poi-kit/subgraph';
import { startStack, Stack } from './helpers/stack';

/** A loopback port nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GET a service's /ready; a hung answer fails the test after 10 s instead of passing late. */
async function ready(graphqlUrl: string): Promise<{ status: number; body: any }> {
  const response = await fetch(graphqlUrl.replace(/\/graphql$/, '/ready'), { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

describe('honest health', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("a subgraph's /ready answers (503) while its database never does", async () => {
    const cubiss = stack.subgraphs.get('cubiss')!;
    const { dataSource } = cubiss.database;
    const query = dataSource.query;
    dataSource.query = () => new Promise(() => undefined); // a frozen database (SIGSTOP): no answer, no error
    try {
      const answer = await ready(cubiss.url);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/did not answer within \d+ ms/) });
    } finally {
      dataSource.query = query;
    }
    expect((await ready(cubiss.url)).status).toBe(200);
  });

  it('a database outage reaches clients as DATABASE_UNAVAILABLE naming the POI, and the others still answer', async () => {
    await stack.subgraphs.get('bisc')!.database.dataSource.destroy();
    const response = await stack.query('{ pois { code libraries { totalCount } } }');
    const bisc = response.errors?.find((e) => e.path?.includes(response.data.pois.findIndex((p: any) => p.code === 'BISC')));
    expect(bisc).toMatchObject({ message: expect.stringMatching(/BiSC.*database is unavailable/), extensions: { code: 'DATABASE_UNAVAILABLE', poi: 'BISC' } });
    expect(JSON.stringify(response.errors)).not.toMatch(/INTERNAL_SERVER_ERROR|SELECT/);
    expect(response.data.pois.find((p: any) => p.code === 'CUBISS').libraries.totalCount).toBeGreaterThan(0);
    // The gateway can still serve the others: it stays ready.
    expect((await ready(stack.gateway.url)).status).toBe(200);
  });

  it("the gateway's /ready is 503 once no subgraph answers, and ready again when one does", async () => {
    for (const name of stack.subgraphs.keys()) await stack.stopSubgraph(name);
    const down = await ready(stack.gateway.url);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^no subgraph is ready: .*cubiss down/) });
    await stack.restartSubgraph('cubiss');
    expect((await ready(stack.gateway.url)).status).toBe(200);
  });
});

describe('what counts as a database outage', () => {
  it("is the MySQL driver's refused connection, not a failing statement", async () => {
    const refused = await openDatabase({ subgraph: 'cubiss', databaseUrl: `mysql://cubiss:secret@127.0.0.1:${await closedPort()}/poi_cubiss`, ...POI_SCHEMA, poolSize: 1 }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    const embedded = await openDatabase({ subgraph: 'cubiss', ...POI_SCHEMA, poolSize: 1 });
    const failed = await embedded.dataSource.query('SELECT * FROM no_such_table').catch((error: unknown) => error);
    expect(isDatabaseUnavailable(failed)).toBe(false);
    await embedded.dataSource.destroy();
  });
});
