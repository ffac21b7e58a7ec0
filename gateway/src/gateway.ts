import { ApolloGateway } from '@apollo/gateway';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from '../../shared/logger';
import { POIS } from '../../shared/registry';
import { RunningServer, startGraphQLServer } from '../../shared/server';
import { ResilienceOptions, SubgraphDataSource } from './subgraph-data-source';
import { GatewayMetrics, ObservedSubgraphDataSource } from './observability';
import { mountDashboard } from './dashboard';
import { ideLandingPage } from './ide';
import { servableSupergraph, supergraphFromFile } from './supergraph-file';
import { ConfigError, DEFAULT_LIVE, type Config, type LiveConfig, type SecurityConfig } from '../../shared/config';
import { createIdentitySigner } from '../../shared/auth/internal-token';
import { authenticateClients } from './authentication';
import { operationLimits } from './operation-limits';
import { cacheHeadersByCaller, responseCache } from './response-cache';
import { createStores } from './stores';
import { mountCacheAdmin } from './cache-admin';
import { readIdempotencyKey, reusedKeyConflict } from '../../shared/idempotency-request';
import { expectedFingerprints } from '../../shared/release';
import { Sealer } from '../../shared/graphql/connection';
import { NetworkGateway } from './network/gateway';
import { createLiveChannel, type LiveChannel } from './live';

export interface GatewayOptions {
  /** The composed supergraph: its text, or a file to serve and follow (see supergraph-file.ts). */
  supergraph: { sdl: string } | { path: string };
  /** Where to reach each subgraph, by name; overrides the URL in the supergraph. */
  subgraphUrls: Record<string, string>;
  port: number;
  host: string;
  logger: Logger;
  resilience?: Partial<ResilienceOptions>;
  /**
   * Development only: a request with the header `Apollo-Query-Plan-Experimental: 1` gets its
   * query plan in `extensions.__queryPlanExperimental` (`EXPOSE_QUERY_PLAN`). Default false.
   */
  exposeQueryPlan?: boolean;
  /** OTLP/HTTP endpoint for traces (`OTEL_EXPORTER_OTLP_ENDPOINT`); without one nothing is traced. */
  otlpEndpoint?: string;
  /** Client authentication, the key for forwarded identities, operation limits, rate limit, introspection and IDE. */
  security: SecurityConfig;
  /** Who may read /metrics and /ready's details (default: anyone). */
  operations?: Config['operations'];
  /** Whole responses of cacheable queries (the subgraphs' @cacheControl hints): `off` (default here), `memory` or `redis`. */
  responseCache?: Config['gateway']['responseCache'];
  /** The live channel's bounds (README "Live updates"; default DEFAULT_LIVE). */
  live?: LiveConfig;
}

/** The gateway as it runs: its server, and its live channel (for its open streams). */
export type RunningGateway = RunningServer & { live: LiveChannel };

export const DEFAULT_RESILIENCE: ResilienceOptions = { timeoutMs: 5000, failureThreshold: 5, cooldownMs: 5000, deduplicate: true };

/** The Apollo Gateway over a composed supergraph. It never needs the subgraphs to be up to start. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  // @apollo/gateway reports anonymous usage data unless this is set; this project sends nothing.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const { security } = options;
  const missing = [
    ...(security.gatewaySigningKey
      ? []
      : ['GATEWAY_SIGNING_KEY must be set (ES256 private key, PKCS#8 PEM): the gateway signs the identities it forwards with it']),
    ...(security.clients.secret || security.clients.jwksUrl || security.clients.allowAnonymous
      ? []
      : ['set AUTH_JWT_SECRET or AUTH_JWKS_URL: no client could ever be authenticated']),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
  const sign = await createIdentitySigner(security.gatewaySigningKey!);
  const stores = createStores({ rateLimit: security.rateLimit, responseCache: options.responseCache ?? 'off' }, options.logger);
  const sources = new Map<string, SubgraphDataSource>();
  const metrics = new GatewayMetrics(() => [...sources].map(([name, source]) => [name, source.breaker]));
  const gateway = new ApolloGateway({
    supergraphSdl: 'path' in options.supergraph ? supergraphFromFile(options.supergraph.path, options.logger) : servableSupergraph(options.supergraph.sdl),
    logger: options.logger,
    // Explicit, since @apollo/gateway's own default is "on unless NODE_ENV=production".
    __exposeQueryPlanExperimental: options.exposeQueryPlan ?? false,
    // The gateway's query plan store, counting its hits and misses.
    queryPlannerConfig: { cache: metrics.queryPlanCache() },
    buildService: ({ name, url }) => {
      const source = new ObservedSubgraphDataSource(
        metrics,
        sign,
        name,
        options.subgraphUrls[name] ?? url!,
        POIS.find((p) => p.subgraphName === name),
        { ...DEFAULT_RESILIENCE, ...options.resilience },
        options.logger,
        stores.changes,
      );
      sources.set(name, source);
      return source;
    },
  });
  // What the supergraph in service expects of each subgraph's schema, for /ready.
  let expected: Record<string, string> = {};
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    expected = expectedFingerprints(coreSupergraphSdl);
  });
  const operationsToken = options.operations?.token;
  const authenticate = authenticateClients(security.clients, stores.rateLimit.chargeFailure);
  // Subscriptions over SSE at /graphql/stream, fed by the bus of changes, authenticated as /graphql.
  const live = createLiveChannel({
    changes: stores.changes,
    settings: options.live ?? DEFAULT_LIVE,
    authenticate,
    rateLimit: stores.rateLimit.middleware,
    introspection: security.introspection,
    logger: options.logger,
    metrics: metrics.registry,
  });
  const server = await startGraphQLServer({
    name: 'gateway',
    port: options.port,
    host: options.host,
    logger: options.logger,
    // Network lists (Query.network) are merged here, from every POI's own list; their cursors are
    // sealed with the cursor secret (else the gateway's own signing key, which only it holds).
    gateway: new NetworkGateway(gateway, new Sealer(security.cursorSecret ?? security.gatewaySigningKey!, 'network')),
    context: async () => ({}),
    // Ready while it can serve something: a supergraph is loaded and at least one subgraph is ready.
    // One POI down is a partial answer (its fields null, with errors), which a restart would not mend.
    readiness: async () => {
      const subgraphs = await Promise.all([...sources].map(async ([name, s]) => [name, await s.readiness(expected[name], operationsToken)] as const));
      if (subgraphs.length === 0) throw new Error('no supergraph loaded');
      if (!subgraphs.some(([, state]) => state.status === 'up'))
        throw new Error(`no subgraph is ready: ${subgraphs.map(([name, state]) => `${name} ${state.status}`).join(', ')}`);
      return { subgraphs: Object.fromEntries(subgraphs), rateLimit: stores.rateLimit.store() };
    },
    authenticate,
    guards: [stores.rateLimit.middleware, readIdempotencyKey(false)],
    persistedQueries: stores.persistedQueries,
    limits: security.limits,
    introspection: security.introspection,
    landingPage: security.ide ? ideLandingPage() : undefined,
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      // Apollo's own cache-control plugin (it sets Cache-Control), then what shared caches may do with it.
      ApolloServerPluginCacheControl(),
      cacheHeadersByCaller(),
      operationLimits(security.limits),
      reusedKeyConflict,
      ...(stores.responses ? [responseCache(stores.responses, stores.tagVersions)] : []),
    ],
    metrics: { registry: metrics.registry, prefix: 'gateway' },
    otlpEndpoint: options.otlpEndpoint,
    operations: options.operations,
    routes: (app) => {
      mountDashboard(app);
      mountCacheAdmin(app, {
        operations: options.operations ?? { open: true },
        versions: stores.tagVersions,
        subgraphs: () => new Set(sources.keys()),
        logger: options.logger,
      });
      live.mount(app);
    },
  }).catch(async (error) => {
    await live.close();
    await stores.close();
    throw error;
  });
  // Open streams end first, so the drain waits only for requests in flight.
  return {
    ...server,
    live,
    stop: () =>
      live
        .close()
        .then(() => server.stop())
        .finally(() => stores.close()),
  };
}
