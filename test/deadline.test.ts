/**
 * A subgraph stops working on a request the gateway gave up on (issue 18, item 3): the gateway
 * sends `x-request-deadline` with every fetch and aborts it on timeout; the subgraph refuses an
 * expired request, and stops resolving and sending SQL once the deadline passes or the caller
 * disconnects, never later than its own maximum whatever the header says.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntitySubscriberInterface } from 'typeorm';
import { EventEmitter } from 'node:events';
import { createIdentitySigner } from '../shared/auth/internal-token';
import { requestDeadline } from '../shared/deadline';
import type { RequestScope } from '../shared/request-id';
import { ALL_SCOPES } from './helpers/auth';
import { startStack, Stack } from './helpers/stack';

/** The gateway's timeout, and so each subgraph's own maximum per request. */
const TIMEOUT_MS = 400;
/** How much slower every SQL statement of the slowed subgraph is. */
const STATEMENT_DELAY_MS = 300;
/** Slack for events already under way when the caller gave up (loopback, same process). */
const SLACK_MS = 50;
/** Three levels of statements, each waiting for the one above: about 3 × STATEMENT_DELAY_MS of work. */
const SLOW_QUERY = '{ cubiss { libraries(first: 100) { nodes { name branches { name } tickets(first: 5) { nodes { title library { name } } } } } } }';

let stack: Stack;
let signedForCubiss: string;
beforeAll(async () => {
  stack = await startStack({ resilience: { timeoutMs: TIMEOUT_MS, failureThreshold: 1000 } });
  const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
  signedForCubiss = await sign({ subject: 'deadline-test', name: 'deadline-test', scopes: ALL_SCOPES, anonymous: false }, 'cubiss');
});
afterAll(async () => {
  await stack?.stop();
});

/**
 * Runs `run` with every SQL statement of Cubiss's subgraph that gets to run STATEMENT_DELAY_MS
 * slower, waits until whatever the subgraph still does for it is done, and tells when each
 * statement started.
 */
async function withSlowCubiss<T>(run: () => Promise<T>): Promise<{ result: T; started: number[] }> {
  const subscribers = stack.subgraphs.get('cubiss')!.database.dataSource.subscribers;
  const started: number[] = [];
  const slow: EntitySubscriberInterface = {
    beforeQuery: () => {
      started.push(Date.now());
      // TypeORM waits only for a Promise of this realm (jest's), not the one node:timers/promises makes.
      return new Promise<void>((resolve) => setTimeout(resolve, STATEMENT_DELAY_MS));
    },
  };
  subscribers.push(slow);
  try {
    const result = await run();
    await sleep(4 * STATEMENT_DELAY_MS);
    expect(started.length).toBeGreaterThan(0); // the slow-down applied
    return { result, started };
  } finally {
    subscribers.splice(subscribers.indexOf(slow), 1);
  }
}

function askCubiss(headers: Record<string, string>, signal?: AbortSignal, query = SLOW_QUERY) {
  return fetch(stack.subgraphs.get('cubiss')!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${signedForCubiss}`, ...headers },
    body: JSON.stringify({ query }),
    signal,
  });
}

describe('a subgraph stops working when the gateway gives up', () => {
  it('after the gateway times out, the subgraph starts no more SQL for the abandoned request', async () => {
    const { result, started } = await withSlowCubiss(async () => ({ response: await stack.query(SLOW_QUERY), answeredAt: Date.now() }));
    expect(result.response.errors?.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_TIMEOUT']);
    expect(started.filter((at) => at > result.answeredAt + SLACK_MS)).toEqual([]);
  });

  it('stops at the deadline the gateway sent, when it is sooner than its own maximum', async () => {
    const deadline = Date.now() + TIMEOUT_MS / 2;
    const { result, started } = await withSlowCubiss(async () => (await askCubiss({ 'x-request-deadline': String(deadline) })).json());
    expect(result.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toContain('DEADLINE_EXCEEDED');
    expect(started.filter((at) => at > deadline + SLACK_MS)).toEqual([]);
  });

  it('notices the caller disconnecting, and stops', async () => {
    const { result: abortedAt, started } = await withSlowCubiss(async () => {
      const caller = new AbortController();
      const answer = askCubiss({}, caller.signal).catch((error: Error) => error.name);
      await sleep(TIMEOUT_MS / 2);
      caller.abort();
      expect(await answer).toBe('AbortError');
      return Date.now();
    });
    expect(started.filter((at) => at > abortedAt + SLACK_MS)).toEqual([]);
  });

  it('a deadline far away cannot make it work past its own maximum (SUBGRAPH_TIMEOUT_MS)', async () => {
    const { result } = await withSlowCubiss(async () => askCubiss({ 'x-request-deadline': String(Date.now() + 3_600_000) }));
    const body = (await result.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(result.status).toBe(200);
    expect(body.errors?.map((e) => e.extensions?.code)).toContain('DEADLINE_EXCEEDED');
  });

  it('a write cut off by its deadline is rolled back whole: nothing half-written', async () => {
    const counts = async () =>
      (await stack.query('{ cubiss { knowledgeArticles { totalCount } audit(entity: KNOWLEDGE_ARTICLE) { totalCount } } }')).data.cubiss;
    const before = await counts();
    // The deadline passes right after the article's INSERT, inside the transaction, before its audit row
    // (the table name quoted as the embedded database or MySQL quotes it).
    const subscribers = stack.subgraphs.get('cubiss')!.database.dataSource.subscribers;
    const pause: EntitySubscriberInterface = {
      afterQuery: ({ query }) =>
        /^INSERT INTO ["`]knowledge_article["`]/.test(query) ? new Promise<void>((resolve) => setTimeout(resolve, TIMEOUT_MS)) : undefined,
    };
    subscribers.push(pause);
    try {
      const create =
        'mutation { cubiss { createKnowledgeArticle(input: { title: "Cut off by its deadline", summary: "s", body: "b", tags: ["t"], source: "test" }) { id } } }';
      const answer = await (await askCubiss({ 'x-request-deadline': String(Date.now() + TIMEOUT_MS / 2) }, undefined, create)).json();
      expect(answer.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toEqual(['DEADLINE_EXCEEDED']);
    } finally {
      subscribers.splice(subscribers.indexOf(pause), 1);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses a request whose deadline has passed, before any SQL, and a malformed deadline', async () => {
    const before = stack.statementCounts().cubiss;
    const expired = await askCubiss({ 'x-request-deadline': String(Date.now() - 1000) });
    expect(expired.status).toBe(504);
    expect(await expired.json()).toEqual({ errors: [{ message: expect.stringMatching(/deadline/), extensions: { code: 'DEADLINE_EXCEEDED' } }] });
    const malformed = await askCubiss({ 'x-request-deadline': 'tomorrow' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ errors: [{ message: expect.stringMatching(/x-request-deadline/), extensions: { code: 'BAD_REQUEST' } }] });
    expect(stack.statementCounts().cubiss).toBe(before);
  });

  it('answers in time without a slow-down: the deadline changes nothing for a request that makes it', async () => {
    const response = await stack.query('{ cubiss { libraries(first: 3) { nodes { name branches { name } } } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data.cubiss.libraries.nodes).toHaveLength(3);
  });
});

describe('an _entities request with a bad representation leaves no work behind', () => {
  it('is refused whole (BAD_USER_INPUT naming the type) before any entity is loaded', async () => {
    const collaboration = stack.subgraphs.get('collaboration')!;
    const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
    const token = await sign({ subject: 'deadline-test', name: 'deadline-test', scopes: ALL_SCOPES, anonymous: false }, 'collaboration');
    const before = stack.statementCounts().collaboration;
    const query =
      '{ _entities(representations: [{ __typename: "WorkAgendaItem", id: "WA-2024-01" }, { __typename: "NoSuchType" }]) { ... on WorkAgendaItem { id } } }';
    const response = await fetch(collaboration.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    await sleep(100);
    expect(body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['BAD_USER_INPUT', expect.stringMatching(/NoSuchType/)]]);
    // No load was started for the good representation: nothing is left running after the answer.
    expect(stack.statementCounts().collaboration).toBe(before);
  });

  it('a request answered in full is not cut off afterwards; a caller hanging up first is', () => {
    const signalAfterClose = (answered: boolean) => {
      const res = Object.assign(new EventEmitter(), { locals: { requestScope: {} as RequestScope }, writableFinished: answered });
      requestDeadline(60_000)({ headers: {} } as never, res as never, () => {});
      res.emit('close');
      return res.locals.requestScope.signal!.aborted;
    };
    // Work still under way after a full answer (nobody waits for it) may finish instead of failing.
    expect(signalAfterClose(true)).toBe(false);
    expect(signalAfterClose(false)).toBe(true);
  });
});
