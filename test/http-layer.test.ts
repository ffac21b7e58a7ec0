// /graphql runs on plain node:http (shared/server.ts, shared/http.ts): a JSON body with a
// Content-Length is read without body-parser, anything else still through it. Both ways must
// answer alike; the paths, GET's ETag and 304, and the answer headers must stay as Express gave them.
import http from 'node:http';
import { NETWORK_READ } from '../shared/auth/identity';
import { isGraphQLPath } from '../shared/server';
import { startStack, Stack } from './helpers/stack';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = await stack.token([NETWORK_READ], 'http-layer');
});
afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: with `chunked`, the body goes as chunked transfer encoding (no Content-Length), which body-parser reads. */
function send(
  url: string,
  options: { method?: string; path?: string; body?: Buffer | string; chunked?: boolean; headers?: Record<string, string> },
): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'POST',
        path: options.path ?? target.pathname,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(body && !options.chunked ? { 'content-length': String(body.length) } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    if (body && options.chunked) {
      // Two chunks, so the body really is streamed.
      request.write(body.subarray(0, Math.floor(body.length / 2)));
      request.end(body.subarray(Math.floor(body.length / 2)));
    } else request.end(body);
  });
}

const codeOf = (answer: Answer) => {
  try {
    const parsed = JSON.parse(answer.body) as { errors?: { extensions?: { code?: string } }[]; data?: unknown };
    return parsed.errors?.[0]?.extensions?.code ?? (parsed.data ? 'DATA' : 'NONE');
  } catch {
    return 'NOT JSON';
  }
};

describe('/graphql on node:http', () => {
  const nested = (depth: number) => `{"query":"{ pois { code } }","variables":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
  const bodies: [string, string | Buffer][] = [
    ['a query', JSON.stringify({ query: '{ pois { code } }' })],
    ['a query after a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ query: '{ pois { code } }' }))])],
    ['leading whitespace', `  \n${JSON.stringify({ query: '{ pois { code } }' })}`],
    ['a batch (refused: no batching)', JSON.stringify([{ query: '{ pois { code } }' }, { query: '{ pois { name } }' }])],
    ['broken JSON', '{"query": "{ pois { code } }"'],
    ['a JSON string, not an object', '"{ pois { code } }"'],
    ['a JSON number', '42'],
    ['only whitespace', '   '],
    ['nested too deeply', nested(150)],
    ['nested within the limit', nested(20)],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ];

  it.each(bodies)('%s: the same answer with a Content-Length (read here) as chunked (read by body-parser)', async (_name, body) => {
    const direct = await send(stack.gateway.url, { body });
    const streamed = await send(stack.gateway.url, { body, chunked: true });
    expect({ status: direct.status, code: codeOf(direct) }).toEqual({ status: streamed.status, code: codeOf(streamed) });
    expect(direct.headers['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
  });

  it('an empty body with Content-Length 0 answers as body-parser would (Apollo asks for a query)', async () => {
    const answer = await send(stack.gateway.url, { body: '' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/POST body missing|query/i);
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE both ways', async () => {
    const body = JSON.stringify({ query: `{ pois { code } } # ${'x'.repeat(2 ** 20)}` });
    for (const chunked of [false, true]) {
      const answer = await send(stack.gateway.url, { body, chunked });
      expect(answer.status).toBe(413);
      expect(codeOf(answer)).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('answers carry the request id, a Content-Length and no X-Powered-By', async () => {
    const answer = await send(stack.gateway.url, { body: JSON.stringify({ query: '{ pois { code } }' }), headers: { 'x-request-id': 'http-layer-1' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('http-layer-1');
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    expect(answer.headers['x-powered-by']).toBeUndefined();
  });

  it('a GET answer has a weak ETag, and the same GET with If-None-Match is 304 without a body', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ pois { code } }')}`;
    const headers = { 'apollo-require-preflight': 'true' };
    const first = await send(stack.gateway.url, { method: 'GET', path, headers });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    const again = await send(stack.gateway.url, { method: 'GET', path, headers: { ...headers, 'if-none-match': first.headers.etag! } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const other = await send(stack.gateway.url, { method: 'GET', path, headers: { ...headers, 'if-none-match': 'W/"1-other"' } });
    expect(other.status).toBe(200);
  });

  it('/graphql/ and /GraphQL are /graphql too (as Express routed them); /graphqlx is a JSON 404', async () => {
    const body = JSON.stringify({ query: '{ pois { code } }' });
    for (const path of ['/graphql/', '/GraphQL', '/graphql?x=1']) expect(codeOf(await send(stack.gateway.url, { path, body }))).toBe('DATA');
    const unknown = await send(stack.gateway.url, { path: '/graphqlx', body });
    expect(unknown.status).toBe(404);
    expect(codeOf(unknown)).toBe('NOT_FOUND');
  });
});

describe('isGraphQLPath', () => {
  it.each([
    ['/graphql', true],
    ['/graphql/', true],
    ['/GRAPHQL?query=x', true],
    ['/graphql?', true],
    ['/graphql//', false],
    ['/graphqlx', false],
    ['/graphql/x', false],
    ['/health', false],
    ['/', false],
  ])('%s → %s', (url, expected) => {
    expect(isGraphQLPath(url)).toBe(expected);
  });
});
