// One HTTP request from a service of this project to a subgraph: the gateway's fetches
// (gateway/src/subgraph-data-source.ts) and the network subgraph's questions to the POIs
// (subgraphs/network/src/owners.ts).
import http, { STATUS_CODES } from 'node:http';

/** What a subgraph request sends: as RemoteGraphQLDataSource hands its fetcher. */
export interface SubgraphRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Bounds the whole exchange, the answer's body included. */
  signal?: AbortSignal;
}

/**
 * A subgraph's answer, its body already read: as much of a fetch Response as the gateway's
 * RemoteGraphQLDataSource and the network subgraph read (status, headers, body), without the WHATWG streams a Response builds for
 * every body. Each caller of a shared fetch (deduplicateInflight) gets its own.
 */
export class SubgraphAnswer {
  readonly redirected = false;
  bodyUsed = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: Headers,
    private readonly body: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get statusText(): string {
    return STATUS_CODES[this.status] ?? '';
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(await this.text());
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): SubgraphAnswer {
    return new SubgraphAnswer(this.url, this.status, new Headers(this.headers), this.body);
  }
}

/**
 * Connections to the subgraphs, kept alive between fetches. An idle one is closed after 4 s, before
 * the subgraph's own 5 s (Node's keepAliveTimeout), so a fetch never goes out on a connection the
 * subgraph is closing.
 */
const SUBGRAPH_AGENT = new http.Agent({ keepAlive: true, timeout: 4000 });

/**
 * One subgraph fetch over node:http, the body sent as it is and the answer read whole: none of the
 * WHATWG streams, Request and Response objects Node's `fetch` builds for every call (a tenth of the
 * gateway's CPU per request went there), and no second HTTP client loaded (undici's package costs
 * 11–19 MiB per process; bench/README.md "CPU per request at the gateway"). The signal bounds the
 * whole exchange, the answer's body included. A subgraph never redirects: a redirect is a failed
 * fetch (SUBGRAPH_UNAVAILABLE), not followed.
 */
export function requestSubgraph(input: string, init: SubgraphRequestInit): Promise<SubgraphAnswer> {
  return new Promise((resolve, reject) => {
    const signal = init.signal;
    // An aborted signal rejects with its reason (a TimeoutError for AbortSignal.timeout), as fetch does.
    const fail = (error: Error) => reject(signal?.aborted ? signal.reason : error);
    const body = init.body ?? '';
    const outgoing = http.request(
      input,
      {
        method: init.method ?? 'POST',
        headers: { ...init.headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: SUBGRAPH_AGENT,
        signal,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', fail);
        incoming.on('end', () => {
          const status = incoming.statusCode ?? 0;
          if (status >= 300 && status < 400) return reject(new TypeError(`fetch failed: the subgraph answered with a redirect (${status})`));
          const headers = new Headers();
          for (let i = 0; i < incoming.rawHeaders.length; i += 2) headers.append(incoming.rawHeaders[i], incoming.rawHeaders[i + 1]);
          resolve(new SubgraphAnswer(input, status, headers, Buffer.concat(chunks).toString('utf8')));
        });
      },
    );
    outgoing.on('error', fail);
    outgoing.end(body);
  });
}
