import http from 'node:http';
import { AddressInfo } from 'node:net';
import express from 'express';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError, type DocumentNode } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { depthLimit, MAX_QUERY_DEPTH, MAX_TOKENS, operationResolution, rejectDeepDocuments } from './graphql-limits';
import type { Identity } from './auth/identity';
import { ApolloServer, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Registry } from 'prom-client';
import type { Logger } from './logger';
import { createMetricsRegistry, errorCode, METRICS_CONTENT_TYPE, OperationMetrics, renderMetrics } from './metrics';
import {
  currentRequestScope,
  REQUEST_ID_HEADER,
  RequestContextFields,
  requestIdFrom,
  RequestScope,
  runInRequestScope,
} from './request-id';
import { startTracing } from './tracing';

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4003/graphql. */
  url: string;
  port: number;
  /** This server's Prometheus metrics, served at /metrics. */
  metrics: Registry;
  stop(): Promise<void>;
}

export interface GraphQLServerOptions<TContext extends BaseContext> {
  name: string;
  port: number;
  host: string;
  logger: Logger;
  schema?: GraphQLSchema;
  gateway?: GatewayInterface;
  /** The service's own context values for one request (the POI subgraphs read a header of it). */
  context: (request: express.Request) => Promise<TContext>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** A plugin that renders a landing page (e.g. the IDE); without one, none is served. */
  landingPage?: ApolloServerPlugin<TContext>;
  /** Readiness details for /ready; throw when the service cannot serve (e.g. its database is down). */
  readiness?: () => Promise<Record<string, unknown>>;
  /** How long a stop waits for requests in flight before closing their connections. */
  stopGracePeriodMs?: number;
  /** Where this server's metrics go (default: a new registry) and the prefix of its request metrics. */
  metrics?: { registry?: Registry; prefix: string };
  /** OTLP/HTTP endpoint for traces (`OTEL_EXPORTER_OTLP_ENDPOINT`); without one nothing is traced. */
  otlpEndpoint?: string;
  /** Extra routes on the express app (e.g. the gateway's /dashboard), added before it listens. */
  routes?: (app: express.Express) => void;
  /**
   * Run on every /graphql request once its body is read: authentication (which sets
   * `res.locals.identity`, handed to the context as `identity`), rate limits. Each may answer
   * the request itself (401, 429).
   */
  guards?: express.RequestHandler[];
  /** Depth, tokens, body size and batched operations (default: depth 40, 15,000 tokens, 1 MiB, no batching). */
  limits?: { depth: number; tokens: number; bodyBytes: number; batch: number };
  /** Automatic persisted queries: where query texts are kept by hash (default: none, APQ off). */
  persistedQueries?: KeyValueCache<string>;
  /** Schema introspection (default true). Without it, error messages no longer suggest field names either. */
  introspection?: boolean;
}

/** More operations in one batched request than allowed: 400 before any is run. */
function batchLimit(max: number): express.RequestHandler {
  return (req, res, next) => {
    if (!Array.isArray(req.body) || req.body.length <= max) return next();
    res.status(400).json({ errors: [{ message: `Too many operations in one batch: ${req.body.length}, at most ${max}`, extensions: { code: 'BATCH_LIMIT_EXCEEDED' } }] });
  };
}

/** A body that is not JSON, or too large, gets a GraphQL-shaped 4xx, never an HTML page or a stack. */
const badBody: express.ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if (!status || status < 400 || status >= 500) return next(error);
  const scope = res.locals.requestScope as RequestScope | undefined;
  if (scope) scope.errorCount = 1;
  const message = status === 413 ? 'Request body too large' : 'Request body is not valid JSON';
  res.status(status).json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
};

/**
 * Measures every GraphQL request (duration by operation, errors by code) and notes its
 * operation name and error count in the request's scope for the "request completed" line.
 */
function requestObservabilityPlugin(metrics: OperationMetrics): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, request, response }) {
          const body = response.body;
          const errors = (body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors) ?? [];
          const name = operationName ?? request.operationName ?? undefined;
          const scope = currentRequestScope();
          if (scope) {
            scope.operationName = name;
            scope.errorCount = errors.length;
          }
          metrics.observe(operationName, Number(process.hrtime.bigint() - started) / 1e9, errors.map((e) => errorCode(e)));
        },
      };
    },
  };
}

/**
 * Gives every /graphql request its id (the caller's `x-request-id` when valid, else a new UUID),
 * returns it in the response header, and writes one "request completed" line when it is done.
 */
function requestIdentity(logger: Logger): express.RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    // Downstream (Apollo's HeaderMap, plugins) sees the id in force, not the caller's raw value.
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const scope: RequestScope = { requestId, logger: logger.child({ requestId }) };
    res.locals.requestScope = scope;
    const started = process.hrtime.bigint();
    res.once('close', () => {
      scope.logger.info(
        {
          method: req.method,
          status: res.statusCode,
          ...(res.writableFinished ? {} : { aborted: true }),
          operationName: scope.operationName ?? null,
          subject: (res.locals.identity as Identity | undefined)?.subject ?? null,
          durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          errorCount: scope.errorCount ?? 0,
        },
        'request completed',
      );
    });
    next();
  };
}

/** Runs the rest of the request in its scope, so every log line on its way carries its id. (After the body parser, which loses async context.) */
const enterRequestScope: express.RequestHandler = (_req, res, next) => {
  runInRequestScope(res.locals.requestScope as RequestScope, next);
};

/**
 * One Apollo Server on its own HTTP server, with `/graphql`, `/health` (liveness: the process
 * serves), `/ready` (readiness: its dependencies answer) and `/metrics` (Prometheus). Used by
 * every subgraph and by the gateway, so all services behave alike. Stopping drains requests in
 * flight, bounded in time.
 */
export async function startGraphQLServer<TContext extends BaseContext>(
  options: GraphQLServerOptions<TContext>,
): Promise<RunningServer> {
  const app = express();
  const httpServer = http.createServer(app);
  const registry = options.metrics?.registry ?? createMetricsRegistry(options.name);
  const operationMetrics = new OperationMetrics(registry, options.metrics?.prefix ?? 'graphql');
  const tracing = options.otlpEndpoint
    ? await startTracing({ otlpEndpoint: options.otlpEndpoint, serviceName: options.name, logger: options.logger })
    : undefined;
  const limits = options.limits ?? { depth: MAX_QUERY_DEPTH, tokens: MAX_TOKENS, bodyBytes: 2 ** 20, batch: 1 };
  const introspection = options.introspection ?? true;
  const apollo = new ApolloServer<TContext>({
    ...(options.gateway ? { gateway: options.gateway } : { schema: options.schema! }),
    includeStacktraceInErrorResponses: false,
    introspection,
    hideSchemaDetailsFromClientErrors: !introspection,
    allowBatchedHttpRequests: limits.batch > 1,
    csrfPrevention: true,
    // A day is enough for every client to re-register its hashes after an eviction.
    persistedQueries: options.persistedQueries ? { cache: options.persistedQueries, ttl: 86_400 } : false,
    // Errors the code meant for clients are GraphQL errors; anything else (a database driver's
    // message, a bug) is logged and reaches the client only as "Internal server error".
    formatError: (formatted, error) => {
      if (unwrapResolverError(error) instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
      options.logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'internal error');
      return { ...formatted, message: 'Internal server error' };
    },
    // Bounded on purpose: a parsed-document cache of a few MiB, and limits on document size and depth.
    documentStore: new InMemoryLRUCache<DocumentNode>({ maxSize: 4 * 2 ** 20, sizeCalculation: (doc) => (doc.loc?.end ?? 1000) * 20 }),
    parseOptions: { maxTokens: limits.tokens },
    validationRules: [depthLimit(limits.depth)],
    plugins: [
      operationResolution,
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.stopGracePeriodMs ?? 10_000 }),
      options.landingPage ?? ApolloServerPluginLandingPageDisabled(),
      requestObservabilityPlugin(operationMetrics),
      ...(options.plugins ?? []),
    ],
    logger: options.logger,
  });
  try {
    await apollo.start();
  } catch (error) {
    await tracing?.shutdown();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  app.get('/health', (_req, res) => {
    res.status(stopping ? 503 : 200).json({ status: stopping ? 'stopping' : 'ok', service: options.name });
  });
  app.get('/ready', async (_req, res) => {
    if (stopping) return void res.status(503).json({ status: 'stopping', service: options.name });
    try {
      res.json({ status: 'ready', service: options.name, ...(await options.readiness?.()) });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', service: options.name, reason: (error as Error).message });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(METRICS_CONTENT_TYPE).send(await renderMetrics(registry));
  });
  // Exactly /graphql: other paths get the JSON 404 below.
  app.all(
    '/graphql',
    requestIdentity(options.logger),
    express.json({ limit: limits.bodyBytes }),
    badBody,
    batchLimit(limits.batch),
    ...(options.guards ?? []),
    rejectDeepDocuments,
    ...(tracing ? [tracing.middleware] : []),
    enterRequestScope,
    expressMiddleware(apollo, {
      // Every context value also carries the request's id and its logger.
      context: async ({ req, res }) => {
        const scope = res.locals.requestScope as RequestScope;
        const fields: RequestContextFields = { requestId: scope.requestId, logger: scope.logger, identity: res.locals.identity as Identity | undefined };
        return Object.assign(await options.context(req), fields);
      },
    }),
  );

  options.routes?.(app);
  // Anything else: a JSON 404, and no error ever answers with an HTML page or a stack trace.
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Not found: this service serves /graphql, /health, /ready and /metrics', extensions: { code: 'NOT_FOUND' } }] });
  });
  app.use(((error, _req, res, next) => {
    if (res.headersSent) return next(error);
    options.logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  }) as express.ErrorRequestHandler);

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await apollo.stop().catch(() => undefined);
    await tracing?.shutdown();
    throw error;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  options.logger.info({ port }, `${options.name} ready at http://${host}:${port}/graphql`);

  return {
    url: `http://${host}:${port}/graphql`,
    port,
    metrics: registry,
    stop: () => (stopping ??= apollo.stop().finally(() => tracing?.shutdown())),
  };
}
