import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError, Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { Logger } from '../../shared/logger';
import { CircuitBreaker, openCircuitMessage, type CircuitOptions } from '../../shared/circuit-breaker';
import { DEADLINE_HEADER } from '../../shared/deadline';
import type { ChangeBus, ChangeEvent } from '../../shared/changes';
import { CHANGES_EXTENSION, type ReportedChanges } from '../../shared/written';
import { recordFetch } from './cache-tags';
import { requestSubgraph, SubgraphAnswer } from '../../shared/subgraph-fetch';

/** A subgraph fetch's timeout and deduplication, and when its circuit opens (CircuitOptions). */
export interface ResilienceOptions extends CircuitOptions {
  /** Abort a subgraph fetch after this long. */
  timeoutMs: number;
  /** Share one fetch between identical queries in flight (see deduplicateInflight). */
  deduplicate: boolean;
}

/** One subgraph in the gateway's /ready. */
export interface SubgraphReadiness {
  status: string;
  circuit: string;
  database?: string;
  /** What the subgraph reports of its build (absent when it does not say, e.g. it is down). */
  kitVersion?: string;
  schemaFingerprint?: string;
  /** The fingerprint the gateway's current supergraph was composed with for this subgraph. */
  expectedFingerprint?: string;
  /** Whether the two fingerprints agree (when both are known): false means the subgraph runs another schema than composed. */
  schemaMatches?: boolean;
}

/** What RemoteGraphQLDataSource hands its fetcher, and what it reads of the answer. */
export type FetcherRequestInit = NonNullable<Parameters<RemoteGraphQLDataSource['fetcher']>[1]>;
type FetcherResponse = Awaited<ReturnType<RemoteGraphQLDataSource['fetcher']>>;

type FailureKind = 'timeout' | 'connection' | 'server-error' | 'other';

function failureKind(error: unknown): FailureKind {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const code = ((error as { cause?: { code?: string } })?.cause?.code ?? (error as { code?: string })?.code) || '';
  if (/^(ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/.test(code)) return 'connection';
  if (error instanceof TypeError && /fetch failed/.test(error.message)) return 'connection';
  // An HTTP error answer (RemoteGraphQLDataSource puts the response, URL included, in extensions).
  const status = (error as { extensions?: { response?: { status?: number } } })?.extensions?.response?.status;
  if (typeof status === 'number' && status >= 500) return 'server-error';
  return 'other';
}

/**
 * Where a failed fetch's error belongs in the client's response: the entities' path for an entity
 * fetch (`["pois", "@"]`), or for a fetch of root fields (`{ cubiss { … } }`) its first root
 * field (`["cubiss"]`).
 */
function errorPath(options: Extract<GraphQLDataSourceProcessOptions, { incomingRequestContext: unknown }>): (string | number)[] {
  if (options.pathInIncomingRequest && options.pathInIncomingRequest.length > 0) return options.pathInIncomingRequest;
  // Parsed only on this failure path: the query planner does not keep fetches' documents.
  let operation: OperationDefinitionNode | undefined;
  try {
    operation = parse(options.request.query ?? '').definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return [];
  }
  const first = operation?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  return first ? [(first.alias ?? first.name).value] : [];
}

/** What a subgraph fetch answers: a SubgraphAnswer, or (in tests) a fetch Response. */
type Answer = Pick<FetcherResponse, 'url' | 'status' | 'headers' | 'text' | 'json'>;
export type Fetch = (input: string, init: FetcherRequestInit) => Promise<Answer>;

/** A query (never a mutation) as @apollo/gateway serialises it: `{"query":"query Name__x__0 …`, or `{"query":"{…` for an unnamed one. */
const QUERY_BODY = /^\{"query":"(query[\s{(]|\{)/;

/**
 * Shares one upstream fetch between identical subgraph queries in flight: the same body
 * (operation and variables) with the same Authorization (the same forwarded identity, so the
 * same answer). Each caller gets its own answer over the body read once. Mutations and
 * anything else always go out on their own.
 */
export function deduplicateInflight(fetcher: Fetch): Fetch {
  const inflight = new Map<string, Promise<{ url: string; status: number; headers: Answer['headers']; body: string }>>();
  return async (input, init) => {
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (!body || !QUERY_BODY.test(body)) return fetcher(input, init);
    const key = `${input}\n${init.headers?.authorization ?? ''}\n${body}`;
    let shared = inflight.get(key);
    if (!shared) {
      shared = fetcher(input, init)
        .then(async (answer) => ({ url: answer.url, status: answer.status, headers: answer.headers, body: await answer.text() }))
        .finally(() => inflight.delete(key));
      inflight.set(key, shared);
    }
    const { url, status, headers, body: text } = await shared;
    return new SubgraphAnswer(url, status, new Headers([...headers]), text);
  };
}

/**
 * Sends one subgraph's fetches: with a timeout, one retry of a query after a connection error,
 * and a circuit breaker. A failed fetch becomes one clear error naming the subgraph (and its
 * POI) and the path it would have filled, never the internal URL or a stack trace.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource {
  readonly breaker: CircuitBreaker;

  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly poi: { code: string; name: string } | undefined,
    private readonly resilience: ResilienceOptions,
    private readonly logger: Logger,
    /** Where the writes this subgraph answers are announced (absent: nowhere). */
    private readonly changes?: ChangeBus,
  ) {
    // The signal bounds every fetch (aborting it closes the connection), and the subgraph learns
    // the same deadline, so it stops working when this gives up.
    const timed: Fetch = (input, init) =>
      requestSubgraph(input, {
        ...init,
        headers: { ...init.headers, [DEADLINE_HEADER]: String(Date.now() + resilience.timeoutMs) },
        signal: AbortSignal.timeout(resilience.timeoutMs),
      });
    super({ url, fetcher: (resilience.deduplicate ? deduplicateInflight(timed) : timed) as never });
    this.breaker = new CircuitBreaker(resilience.failureThreshold, resilience.cooldownMs, resilience.now);
  }

  override async process(options: GraphQLDataSourceProcessOptions) {
    if (!('incomingRequestContext' in options)) return super.process(options); // health checks, schema loading
    if (!this.breaker.tryPass()) throw this.failure('connection', errorPath(options), true);
    const isQuery = !/^\s*(mutation|subscription)\b/.test(options.request.query ?? '');
    // The cached answer of this request (if it is kept) is tagged with this subgraph (cache-tags.ts).
    recordFetch(options.incomingRequestContext.context, this.subgraph);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await super.process(options);
        this.breaker.succeeded();
        // Announced (and cached answers invalidated) before the client gets the mutation's answer.
        const change = isQuery ? undefined : this.changeOf(response);
        if (change) await this.changes?.publish(change);
        return response;
      } catch (error) {
        const kind = failureKind(error);
        if (kind === 'other') {
          this.breaker.succeeded(); // it answered: a bad answer is not an outage
          throw this.refusal(error, errorPath(options));
        }
        if (kind === 'connection' && isQuery && attempt === 1) continue;
        this.breaker.failed();
        // A write whose answer never came may have committed: anything of this subgraph may have changed.
        if (!isQuery)
          await this.changes?.publish({ subgraph: this.subgraph, poi: this.poi?.code, types: [], at: new Date().toISOString() }).catch(() => undefined);
        this.logger.warn({ subgraph: this.subgraph, kind, circuit: this.breaker.state, err: error }, 'subgraph fetch failed');
        throw this.failure(kind === 'timeout' ? 'timeout' : 'connection', errorPath(options), false);
      }
    }
  }

  /**
   * What a mutation's answer changed: what the subgraph reports it committed (`extensions.changes`,
   * shared/written.ts; nothing when it committed nothing), or, from a subgraph that does not say,
   * anything of this subgraph when it answered with data.
   */
  private changeOf(response: { data?: unknown; extensions?: Record<string, unknown> }): ChangeEvent | undefined {
    const reported = response.extensions?.[CHANGES_EXTENSION] as Partial<ReportedChanges> | undefined;
    const types = Array.isArray(reported?.types) ? reported.types.filter((type): type is string => typeof type === 'string') : undefined;
    if (types ? types.length === 0 : !response.data) return undefined;
    return { subgraph: this.subgraph, poi: this.poi?.code, types: types ?? [], at: new Date().toISOString() };
  }

  /**
   * The subgraph's own readiness (its /ready, next to its /graphql, asked with the operations
   * token when there is one), this circuit's state, and the build it reports (kit version, schema
   * fingerprint) next to the fingerprint the gateway's supergraph expects of it.
   */
  async readiness(expectedFingerprint: string | undefined, operationsToken: string | undefined): Promise<SubgraphReadiness> {
    const circuit = this.breaker.state;
    const expected = expectedFingerprint ? { expectedFingerprint } : {};
    try {
      const headers: Record<string, string> = operationsToken ? { authorization: `Bearer ${operationsToken}` } : {};
      const response = await fetch(this.url!.replace(/\/graphql$/, '/ready'), { headers, signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { database?: string; kitVersion?: string; schemaFingerprint?: string };
      const build = body.schemaFingerprint ? { kitVersion: body.kitVersion, schemaFingerprint: body.schemaFingerprint } : {};
      const matches = body.schemaFingerprint && expectedFingerprint ? { schemaMatches: body.schemaFingerprint === expectedFingerprint } : {};
      return { status: response.ok ? 'up' : 'degraded', circuit, database: body.database ?? (response.ok ? 'up' : 'down'), ...build, ...expected, ...matches };
    } catch {
      return { status: 'down', circuit, ...expected };
    }
  }

  /**
   * A subgraph that refused the request (HTTP 4xx) explains why in GraphQL errors, e.g. a Date
   * variable that is no real day: pass its first message and code on, without its URL or body.
   */
  private refusal(error: unknown, path: (string | number)[]): unknown {
    const response = (error as { extensions?: { response?: { body?: unknown } } })?.extensions?.response;
    if (response === undefined) return error;
    const first = (response.body as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } | undefined)?.errors?.[0];
    if (typeof first?.message !== 'string') return this.failure('connection', path, false);
    return new GraphQLError(first.message, {
      path: path.length > 0 ? path : undefined,
      extensions: {
        code: typeof first.extensions?.code === 'string' ? first.extensions.code : 'BAD_USER_INPUT',
        subgraph: this.subgraph,
        ...(this.poi ? { poi: this.poi.code } : {}),
      },
    });
  }

  private failure(kind: 'timeout' | 'connection', path: (string | number)[], circuitOpen: boolean): GraphQLError {
    const who = this.poi ? this.poi.name : this.subgraph;
    const message =
      kind === 'timeout'
        ? `${who} did not answer within ${this.resilience.timeoutMs} ms`
        : circuitOpen
          ? openCircuitMessage(who)
          : `${who} is unavailable: its subgraph could not be reached`;
    return new GraphQLError(message, {
      path: path.length > 0 ? path : undefined,
      extensions: {
        code: kind === 'timeout' ? 'SUBGRAPH_TIMEOUT' : 'SUBGRAPH_UNAVAILABLE',
        subgraph: this.subgraph,
        ...(this.poi ? { poi: this.poi.code } : {}),
      },
    });
  }
}
