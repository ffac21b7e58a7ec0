import { deduplicateInflight } from '../gateway/src/subgraph-data-source';
import { startStack } from './helpers/stack';

/** A fetcher that answers after a tick, counting its calls. */
function countingFetcher() {
  const calls: string[] = [];
  const fetcher = async (_input: string, init: RequestInit) => {
    calls.push(String(init.body));
    await new Promise((resolve) => setTimeout(resolve, 20));
    return new Response(JSON.stringify({ data: { n: calls.length } }), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60, public' } });
  };
  return { calls, fetcher };
}

const query = (text: string) => JSON.stringify({ query: text, variables: {} });
const init = (body: string, authorization = 'Bearer a') => ({ method: 'POST', headers: { authorization }, body });

describe('sharing identical subgraph queries in flight', () => {
  it('sends one fetch for identical queries of the same identity, and gives each caller its own readable answer', async () => {
    const { calls, fetcher } = countingFetcher();
    const fetch = deduplicateInflight(fetcher);
    const body = query('{cubiss{code}}');
    const answers = await Promise.all([1, 2, 3].map(() => fetch('http://sg/graphql', init(body))));
    expect(calls).toHaveLength(1);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('max-age=60, public');
      expect(await answer.json()).toEqual({ data: { n: 1 } });
    }
    // Once answered, the next one goes out again.
    await fetch('http://sg/graphql', init(body));
    expect(calls).toHaveLength(2);
  });

  it('never shares between identities, operations, variables or URLs, nor for mutations', async () => {
    const { calls, fetcher } = countingFetcher();
    const fetch = deduplicateInflight(fetcher);
    const body = query('query Q__cubiss__0 { cubiss { code } }');
    const mutation = query('mutation M__cubiss__0 { cubiss { createTicket(input: {}) { id } } }');
    await Promise.all([
      fetch('http://sg/graphql', init(body, 'Bearer a')),
      fetch('http://sg/graphql', init(body, 'Bearer b')),
      fetch('http://other/graphql', init(body, 'Bearer a')),
      fetch('http://sg/graphql', init(JSON.stringify({ query: 'query Q__cubiss__0 { cubiss { code } }', variables: { x: 1 } }))),
      fetch('http://sg/graphql', init(mutation)),
      fetch('http://sg/graphql', init(mutation)),
    ]);
    expect(calls).toHaveLength(6);
  });

  it('through the gateway: concurrent identical requests cost one set of SQL statements', async () => {
    const stack = await startStack();
    try {
      const one = `{ cubiss { libraries(first: 5) { nodes { name } } } }`;
      const before = stack.statementCounts().cubiss;
      await stack.query(one);
      const single = stack.statementCounts().cubiss - before;
      expect(single).toBeGreaterThan(0);
      const mid = stack.statementCounts().cubiss;
      const answers = await Promise.all(Array.from({ length: 8 }, () => stack.query(one)));
      for (const answer of answers) expect(answer.data.cubiss.libraries.nodes).toHaveLength(5);
      expect(stack.statementCounts().cubiss - mid).toBeLessThan(8 * single);
    } finally {
      await stack.stop();
    }
  });
});
