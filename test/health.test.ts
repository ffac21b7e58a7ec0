import { isDatabaseUnavailable, openDatabase } from '../shared/db';
import { POI_SCHEMA } from '../poi-kit/subgraph';
import { createLogger } from '../shared/logger';
import { startWhenDatabaseAnswers } from '../shared/startup';
import { freePort } from './helpers/process-stack';
import { startStack, Stack } from './helpers/stack';

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

  it('counts requests refused before GraphQL (401) in the request and error metrics', async () => {
    const metric = async (line: RegExp) => {
      const text = await (await fetch(stack.gateway.url.replace(/\/graphql$/, '/metrics'))).text();
      return Number(line.exec(text)?.[1] ?? 0);
    };
    const errors = /^gateway_errors_total\{code="UNAUTHENTICATED",service="gateway"\} (\d+)$/m;
    const refused = /^gateway_request_duration_seconds_count\{service="gateway",operation="refused"\} (\d+)$/m;
    const before = [await metric(errors), await metric(refused)];
    const answer = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: '{"query":"{ pois { code } }"}',
    });
    expect(answer.status).toBe(401);
    expect([await metric(errors), await metric(refused)]).toEqual([before[0] + 1, before[1] + 1]);
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
    const refused = await openDatabase({
      subgraph: 'cubiss',
      databaseUrl: `mysql://cubiss:secret@127.0.0.1:${await freePort()}/poi_cubiss`,
      ...POI_SCHEMA,
      poolSize: 1,
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    const embedded = await openDatabase({ subgraph: 'cubiss', ...POI_SCHEMA, poolSize: 1 });
    const failed = await embedded.dataSource.query('SELECT * FROM no_such_table').catch((error: unknown) => error);
    expect(isDatabaseUnavailable(failed)).toBe(false);
    // A wrong password is no outage: retrying will not mend it (mysql2 marks it fatal all the same).
    expect(isDatabaseUnavailable({ code: 'ER_ACCESS_DENIED_ERROR', fatal: true })).toBe(false);
    await embedded.dataSource.destroy();
  });
});

describe('waiting for the database at start', () => {
  const service = { name: 'cubiss', host: '127.0.0.1', port: 0, logger: createLogger('cubiss', 'silent') };

  it('starts once the database answers, after failed tries', async () => {
    let tries = 0;
    const started = await startWhenDatabaseAnswers(service, { attempts: 5, backoffMs: 10 }, async () => {
      tries += 1;
      if (tries < 3) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
      return 'serving';
    });
    expect([started, tries]).toEqual(['serving', 3]);
  });

  it('does not retry what is no outage', async () => {
    let tries = 0;
    const failing = startWhenDatabaseAnswers(service, { attempts: 5, backoffMs: 10 }, async () => {
      tries += 1;
      throw new Error('migration failed: duplicate column');
    });
    await expect(failing).rejects.toThrow('migration failed: duplicate column');
    expect(tries).toBe(1);
  });
});

describe('stopping a subgraph', () => {
  it('closes its database pool once requests have drained', async () => {
    const stack = await startStack();
    const cubiss = stack.subgraphs.get('cubiss')!;
    const { dataSource } = cubiss.database;
    let acceptedWhenClosing: boolean | undefined;
    const close = dataSource.destroy.bind(dataSource);
    const destroy = jest.spyOn(dataSource, 'destroy').mockImplementation(async () => {
      acceptedWhenClosing = await fetch(cubiss.url.replace(/\/graphql$/, '/health')).then(
        () => true,
        () => false,
      );
      return close();
    });
    await stack.stop();
    expect(destroy).toHaveBeenCalledTimes(1);
    expect(acceptedWhenClosing).toBe(false);
    expect(dataSource.isInitialized).toBe(false);
  });
});
