import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** GraphQL POSTs over keep-alive connections, at most `connections` per host (node:http, no extra client). */
export class GraphQLPoster {
  private readonly agent: http.Agent;

  constructor(connections: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  }

  post(url: string, payload: object, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const body = JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      const request = http.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${REQUEST_TIMEOUT_MS} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface GraphQLResult {
  data?: unknown;
  errors?: unknown[];
}

/** The parsed answer, or why it is not a successful GraphQL response (status, errors, no data). */
export function parseGraphQL(answer: HttpAnswer): { result: GraphQLResult } | { problem: string } {
  let result: GraphQLResult;
  try {
    result = JSON.parse(answer.body) as GraphQLResult;
  } catch {
    return { problem: `status ${answer.status}, not JSON: ${answer.body.slice(0, 300)}` };
  }
  if (answer.status !== 200) return { problem: `status ${answer.status}: ${answer.body.slice(0, 300)}` };
  if (result.errors?.length) return { problem: `GraphQL errors: ${JSON.stringify(result.errors).slice(0, 500)}` };
  if (result.data === undefined || result.data === null) return { problem: 'no data' };
  return { result };
}

/** The cheap check used under load: a 2xx answer whose body has no `"errors"` key. */
export const looksSuccessful = (status: number, body: string) => status >= 200 && status < 300 && !body.includes('"errors"');
