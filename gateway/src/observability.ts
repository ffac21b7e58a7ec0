import type { GatewayConfig, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { Counter, Histogram, Registry } from 'prom-client';
import { BoundedLabel, createMetricsRegistry, errorCode, FINE_BUCKETS, recordCircuitStates, REQUEST_BUCKETS } from '../../shared/metrics';
import { currentRequestScope, REQUEST_ID_HEADER, RequestContextFields } from '../../shared/request-id';
import { injectTraceContext } from '../../shared/tracing';
import { COLLABORATION_TOKEN_HEADER, POI_TOKENS_HEADER, poiTokensHeader, type IdentitySigner } from '../../shared/auth/internal-token';
import { IDEMPOTENCY_FINGERPRINT_HEADER, IDEMPOTENCY_KEY_HEADER, requestFingerprint } from '../../shared/idempotency-request';
import { COLLABORATION_SUBGRAPH, NETWORK_SUBGRAPH } from '../../shared/config';
import type { CircuitBreaker } from '../../shared/circuit-breaker';
import { SubgraphDataSource } from './subgraph-data-source';

type QueryPlanCache = NonNullable<NonNullable<GatewayConfig['queryPlannerConfig']>['cache']>;
type QueryPlan = QueryPlanCache extends { get(key: string): Promise<infer T | undefined> } ? T : never;

/**
 * The gateway's own metrics, next to the request metrics every server has
 * (`gateway_request_duration_seconds{operation}`, `gateway_errors_total{code}`):
 *
 * - `gateway_subgraph_fetch_duration_seconds{subgraph}`: one HTTP fetch (a retry is a second one);
 * - `gateway_subgraph_errors_total{subgraph,code}`: failed fetches (SUBGRAPH_TIMEOUT,
 *   SUBGRAPH_UNAVAILABLE, also when the circuit is open) and errors in subgraph responses;
 * - `gateway_subgraph_circuit_state{subgraph,state}`: 1 for the circuit's current state;
 * - `gateway_query_plan_cache_total{result="hit"|"miss"}` and
 *   `gateway_query_planning_duration_seconds`: counted by the gateway's query plan store itself
 *   (see `queryPlanCache`).
 */
export class GatewayMetrics {
  readonly registry: Registry;
  private readonly fetchDuration: Histogram<'subgraph'>;
  private readonly subgraphErrors: Counter<'subgraph' | 'code'>;
  private readonly codes = new BoundedLabel(50, 64);

  constructor(circuits: () => Iterable<[string, CircuitBreaker]>) {
    this.registry = createMetricsRegistry('gateway');
    this.fetchDuration = new Histogram({
      name: 'gateway_subgraph_fetch_duration_seconds',
      help: 'HTTP fetches from the gateway to a subgraph, until its answer arrives: duration in seconds (a retry is a second fetch)',
      labelNames: ['subgraph'],
      buckets: REQUEST_BUCKETS,
      registers: [this.registry],
    });
    this.subgraphErrors = new Counter({
      name: 'gateway_subgraph_errors_total',
      help: 'Failed subgraph fetches and errors in subgraph responses, by subgraph and extensions.code',
      labelNames: ['subgraph', 'code'],
      registers: [this.registry],
    });
    recordCircuitStates(
      this.registry,
      'gateway_subgraph_circuit_state',
      "A subgraph's circuit breaker: 1 for its current state (closed, half-open, open), 0 for the others",
      circuits,
    );
  }

  subgraphFetched(subgraph: string, seconds: number): void {
    this.fetchDuration.observe({ subgraph }, seconds);
  }

  subgraphError(subgraph: string, code: string): void {
    this.subgraphErrors.inc({ subgraph, code: this.codes.value(code) });
  }

  /**
   * The gateway's query plan store (`queryPlannerConfig.cache`), counting its hits and misses.
   * The gateway looks a plan up before every execution and stores the plan it had to build, so
   * a miss followed by a store is one planning, timed here. Like the gateway's own
   * default store but smaller (8 MiB of plans measured as JSON; the dashboards and saved
   * queries need far less), least recently used evicted.
   */
  queryPlanCache(): QueryPlanCache {
    const lookups = new Counter({
      name: 'gateway_query_plan_cache_total',
      help: 'Query plan cache lookups by result (hit: plan reused, miss: the operation was planned)',
      labelNames: ['result'],
      registers: [this.registry],
    });
    const planning = new Histogram({
      name: 'gateway_query_planning_duration_seconds',
      help: 'Building a query plan after a cache miss: duration in seconds',
      buckets: FINE_BUCKETS,
      registers: [this.registry],
    });
    lookups.inc({ result: 'hit' }, 0);
    lookups.inc({ result: 'miss' }, 0);
    const store = new InMemoryLRUCache<QueryPlan>({
      maxSize: 8 * 2 ** 20,
      sizeCalculation: (plan) => Buffer.byteLength(JSON.stringify(plan), 'utf8') || 1,
    });
    const missedAt = new Map<string, bigint>();
    return {
      async get(key) {
        const plan = await store.get(key);
        lookups.inc({ result: plan ? 'hit' : 'miss' });
        if (!plan) {
          if (missedAt.size > 1000) missedAt.clear(); // plannings that failed never store
          missedAt.set(key, process.hrtime.bigint());
        }
        return plan;
      },
      async set(key, plan, options) {
        const started = missedAt.get(key);
        if (started !== undefined) {
          missedAt.delete(key);
          planning.observe(Number(process.hrtime.bigint() - started) / 1e9);
        }
        return store.set(key, plan, options);
      },
      delete: (key) => store.delete(key),
      clear: () => store.clear(),
    };
  }
}

/**
 * A subgraph's data source with observability: every fetch of a client's request carries the
 * request's id (`x-request-id`) and, when tracing, its trace context (`traceparent`); fetch
 * durations and errors are counted. Resilience (timeout, retry, circuit) stays in
 * SubgraphDataSource.
 */
export class ObservedSubgraphDataSource extends SubgraphDataSource {
  private readonly label: string;
  /** The POI subgraphs of the supergraph in service: the network subgraph's requests carry the caller's token for each (POI_TOKENS_HEADER). */
  poiSubgraphs: () => readonly string[] = () => [];

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly sign: IdentitySigner,
    ...args: ConstructorParameters<typeof SubgraphDataSource>
  ) {
    super(...args);
    const subgraph = (this.label = args[0]);
    const fetcher = this.fetcher;
    this.fetcher = async (url, init) => {
      const started = process.hrtime.bigint();
      try {
        return await fetcher(url, init);
      } finally {
        metrics.subgraphFetched(subgraph, Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
  }

  /** Every fetch carries the caller's verified identity, signed for this subgraph only (shared/auth/internal-token.ts). */
  override async willSendRequest(options: GraphQLDataSourceProcessOptions): Promise<void> {
    if (!('incomingRequestContext' in options)) return; // health checks, schema loading
    const context = options.context as Partial<RequestContextFields>;
    const headers = options.request.http?.headers;
    const requestId = context.requestId ?? currentRequestScope()?.requestId;
    if (requestId) headers?.set(REQUEST_ID_HEADER, requestId);
    if (context.identity) {
      headers?.set('authorization', `Bearer ${await this.sign(context.identity, this.label)}`);
      // A POI's mutation may need to ask the collaboration subgraph (does this work-agenda item
      // exist?): it gets the same identity signed for the collaboration, and only for mutations.
      if (this.label !== COLLABORATION_SUBGRAPH && /^\s*mutation\b/.test(options.request.query ?? '')) {
        headers?.set(COLLABORATION_TOKEN_HEADER, await this.sign(context.identity, COLLABORATION_SUBGRAPH));
      }
      // The network subgraph asks every POI's own list as the caller: it gets the same identity
      // signed for each POI subgraph (it cannot sign itself), and only it.
      if (this.label === NETWORK_SUBGRAPH) headers?.set(POI_TOKENS_HEADER, await poiTokensHeader(this.sign, context.identity, this.poiSubgraphs()));
    }
    // A retried write is recognised by its key and the client's request (shared/idempotency.ts).
    if (context.idempotency) {
      headers?.set(IDEMPOTENCY_KEY_HEADER, context.idempotency.key);
      headers?.set(IDEMPOTENCY_FINGERPRINT_HEADER, requestFingerprint(options.incomingRequestContext.request));
    }
    injectTraceContext(headers);
  }

  override async process(options: GraphQLDataSourceProcessOptions) {
    if (!('incomingRequestContext' in options)) return super.process(options);
    const subgraph = this.label;
    try {
      const response = await super.process(options);
      for (const error of response.errors ?? []) this.metrics.subgraphError(subgraph, errorCode(error));
      return response;
    } catch (error) {
      this.metrics.subgraphError(subgraph, errorCode(error as { extensions?: Record<string, unknown> }, 'SUBGRAPH_ERROR'));
      throw error;
    }
  }
}
