import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError, type DocumentNode } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { depthLimit, MAX_EXPANDED_FIELDS, MAX_QUERY_DEPTH, MAX_TOKENS, operationResolution, rejectHostileDocuments } from './graphql-limits';
import type { Identity } from './auth/identity';
import type { IdempotentRequest } from './idempotency';
import { ApolloServer, ApolloServerPlugin, BaseContext, HeaderMap } from '@apollo/server';
import querystring from 'node:querystring';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Registry } from 'prom-client';
import type { OperationsAccess } from './config';
import type { Logger } from './logger';
import type { BuildInfo } from './release';
import { createMetricsRegistry, errorCode, METRICS_CONTENT_TYPE, OperationMetrics, renderMetrics } from './metrics';
import { currentRequestScope, REQUEST_ID_HEADER, RequestContextFields, requestIdFrom, RequestScope, runInRequestScope } from './request-id';
import { startTracing } from './tracing';
import { unauthorized } from './auth/subgraph-guard';
import { HttpHandler, HttpRequest, HttpResponse, isFresh, NextFunction, ServiceRequest, ServiceResponse, weakEtag } from './http';

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4003/graphql. */
  url: string;
  port: number;
  /** This server's Prometheus metrics, served at /metrics. */
  metrics: Registry;
  stop(): Promise<void>;
  /**
   * Serves another schema from now on, without a restart: a new Apollo Server is started and
   * takes over /graphql at once; requests already running finish on the old schema.
   */
  swapSchema(schema: GraphQLSchema): Promise<void>;
}

export interface GraphQLServerOptions<TContext extends BaseContext> {
  name: string;
  port: number;
  host: string;
  logger: Logger;
  schema?: GraphQLSchema;
  gateway?: GatewayInterface;
  /** The service's own context values for one request (the POI subgraphs read a header of it). */
  context: (request: HttpRequest) => Promise<TContext>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** A plugin that renders a landing page (e.g. the IDE); without one, none is served. */
  landingPage?: ApolloServerPlugin<TContext>;
  /** Readiness details for /ready; throw when the service cannot serve (e.g. its database is down). Given READINESS_TIMEOUT_MS at most. */
  readiness?: () => Promise<Record<string, unknown>>;
  /**
   * What an error no resolver meant for clients becomes instead of "Internal server error", when
   * it is a known outage (a subgraph's lost database: DATABASE_UNAVAILABLE); undefined: internal.
   */
  outage?: (error: unknown) => GraphQLError | undefined;
  /** What this service is built from (a subgraph's kit version and schema fingerprint), in every detailed /ready answer. */
  build?: BuildInfo;
  /** How long a stop waits for requests in flight before closing their connections. */
  stopGracePeriodMs?: number;
  /** Where this server's metrics go (default: a new registry) and the prefix of its request metrics. */
  metrics?: { registry?: Registry; prefix: string };
  /** OTLP/HTTP endpoint for traces (`OTEL_EXPORTER_OTLP_ENDPOINT`); without one nothing is traced. */
  otlpEndpoint?: string;
  /** Extra routes on the express app (e.g. the gateway's /dashboard), added before it listens. */
  routes?: (app: express.Express) => void;
  /**
   * Run on every /graphql request before its body is read: authentication, which sets
   * `res.locals.identity` (handed to the context as `identity`) or answers itself (401, 429).
   * A caller it refuses never gets its body parsed.
   */
  authenticate?: HttpHandler;
  /** Run on every /graphql request once its body is read (rate limits); each may answer the request itself (429). */
  guards?: HttpHandler[];
  /** Depth, tokens, fields once fragments are spread, body size and batched operations (default: depth 40, 15,000 tokens, 15,000 fields, 1 MiB, no batching). */
  limits?: { depth: number; tokens: number; expandedFields: number; bodyBytes: number; batch: number };
  /** Automatic persisted queries: where query texts are kept by hash (default: none, APQ off). */
  persistedQueries?: KeyValueCache<string>;
  /** Schema introspection (default true). Without it, error messages no longer suggest field names either. */
  introspection?: boolean;
  /** Who may read /metrics and /ready's details (default: anyone). */
  operations?: OperationsAccess;
}

/** How long a stop waits for requests in flight, unless the service says otherwise (README "Health, failures and shutdown"). */
export const STOP_GRACE_PERIOD_MS = 10_000;

/** The error code a status answered before GraphQL stands for, in `<prefix>_errors_total`. */
const REFUSAL_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
};

/** The longest /ready waits for the service's own checks: an orchestrator's probe gets an answer even from a frozen database. */
export const READINESS_TIMEOUT_MS = 2000;

/** `work`, or a rejection naming `what` once it has taken longer than `ms`. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this request may read operations data: the endpoints are open, or it carries the operations token. */
export function mayOperate(access: OperationsAccess, req: HttpRequest): boolean {
  if (access.open) return true;
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const token = Buffer.from(access.token ?? '');
  return token.length > 0 && given.length === token.length && timingSafeEqual(given, token);
}

/** More operations in one batched request than allowed: 400 before any is run. */
function batchLimit(max: number): HttpHandler {
  return (req, res, next) => {
    if (!Array.isArray(req.body) || req.body.length <= max) return next();
    res
      .status(400)
      .json({ errors: [{ message: `Too many operations in one batch: ${req.body.length}, at most ${max}`, extensions: { code: 'BATCH_LIMIT_EXCEEDED' } }] });
  };
}

/** Deepest nesting of arrays and objects a JSON body may have; a GraphQL request needs a handful. */
export const MAX_JSON_DEPTH = 100;

class TooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
}

/**
 * Refuses a body nested deeper than MAX_JSON_DEPTH before JSON.parse runs, so nothing after
 * (variables, cache keys, logs) ever recurses through it. One pass over the bytes, skipping strings.
 */
function rejectDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new TooDeepError(`Request body is nested too deeply: more than ${MAX_JSON_DEPTH} levels of arrays and objects`);
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
}

/** A body that is not JSON, too large or too deep gets a GraphQL-shaped 4xx, never an HTML page or a stack; other errors are not its business (false). */
function answeredBadBody(error: unknown, res: HttpResponse): boolean {
  const status = (error as { status?: number } | undefined)?.status;
  if (!status || status < 400 || status >= 500) return false;
  const scope = res.locals.requestScope as RequestScope | undefined;
  if (scope) scope.errorCount = 1;
  const message = status === 413 ? 'Request body too large' : error instanceof TooDeepError ? error.message : 'Request body is not valid JSON';
  res.status(status).json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
  return true;
}

/** `Content-Type` of a JSON body read without body-parser: application/json, in UTF-8 if a charset is named. */
const PLAIN_JSON_TYPE = /^application\/json\s*(?:;\s*charset=("?)utf-8\1\s*)?$/i;

/** A JSON body that could not be parsed: 400, as body-parser answers it. */
const unparsable = (cause: unknown) => Object.assign(new Error('Request body is not valid JSON', { cause }), { status: 400, type: 'entity.parse.failed' });

/**
 * Reads a JSON body into `req.body`, as `express.json({ limit, strict: true, verify: rejectDeepJson })`
 * does, without its per-request work for the common request: a POST with a Content-Length within
 * the limit, `application/json` in UTF-8, not compressed. Every other request (chunked, compressed,
 * another charset or type, too large) goes to body-parser itself, whose answers (413, 415, 400) it keeps.
 */
function jsonBody(limitBytes: number): HttpHandler {
  const general = express.json({ limit: limitBytes, verify: rejectDeepJson }) as unknown as HttpHandler;
  return (req, res, next) => {
    const { headers } = req;
    const length = headers['content-length'];
    const type = headers['content-type'];
    if (
      req.method !== 'POST' ||
      length === undefined ||
      !/^\d{1,9}$/.test(length) ||
      Number(length) > limitBytes ||
      headers['transfer-encoding'] !== undefined ||
      headers['content-encoding'] !== undefined ||
      type === undefined ||
      !PLAIN_JSON_TYPE.test(type)
    ) {
      return general(req, res, next);
    }
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError);
      next(error);
    };
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onError = (error: Error) => settle(Object.assign(error, { status: 400 }));
    const onEnd = () => {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      try {
        rejectDeepJson(req, res, bytes);
      } catch (error) {
        return settle(error);
      }
      // iconv (body-parser) drops a byte-order mark; strict: only an object or an array.
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
      const first = /\S/.exec(text)?.[0];
      if (first === undefined && text.length === 0) {
        req.body = {};
        return settle();
      }
      if (first !== '{' && first !== '[') return settle(unparsable(undefined));
      try {
        req.body = JSON.parse(text);
      } catch (error) {
        return settle(unparsable(error));
      }
      settle();
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  };
}

/**
 * What Node's HTTP parser refuses before any route runs gets a JSON answer too: headers over
 * Node's 16 KiB limit (kept on purpose: a real token fits many times over) are a 431 that says
 * so, anything else unparsable a 400. Node's own answer would be an empty body.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const [status, reason, message, code] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          'Request headers are too large: at most 16 KiB in all (is the token carrying too many scopes?)',
          'REQUEST_HEADER_FIELDS_TOO_LARGE',
        ]
      : [400, 'Bad Request', 'Malformed HTTP request', 'BAD_REQUEST'];
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

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
          metrics.observe(
            operationName,
            Number(process.hrtime.bigint() - started) / 1e9,
            errors.map((e) => errorCode(e)),
          );
        },
      };
    },
  };
}

/**
 * Gives every /graphql request its id (the caller's `x-request-id` when valid, else a new UUID),
 * returns it in the response header, and writes one "request completed" line when it is done.
 */
function requestIdentity(logger: Logger): HttpHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    // Downstream (Apollo's HeaderMap, plugins) sees the id in force, not the caller's raw value.
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // The request's logger is made when something logs (most requests log nothing below info).
    let child: Logger | undefined;
    const scope: RequestScope = {
      requestId,
      get logger() {
        return (child ??= logger.child({ requestId }));
      },
    };
    res.locals.requestScope = scope;
    const started = process.hrtime.bigint();
    res.once('close', () => {
      if (!logger.isLevelEnabled('info')) return;
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
const enterRequestScope: HttpHandler = (_req, res, next) => {
  runInRequestScope(res.locals.requestScope as RequestScope, next);
};

/** `/graphql` or `/graphql/`, in any case, with any query string: the paths Express's `app.all('/graphql')` matched. */
export function isGraphQLPath(url: string): boolean {
  const end = url.indexOf('?');
  const path = end < 0 ? url : url.slice(0, end);
  return path.length <= 9 && /^\/graphql\/?$/i.test(path);
}

/**
 * Runs `handlers` in turn, each calling `next()` to go on (or answering itself), as Express ran
 * them: an error passed to `next`, thrown, or a rejected promise goes to `failed` instead.
 */
function chain(handlers: HttpHandler[], failed: (error: unknown, res: HttpResponse) => void): (req: HttpRequest, res: HttpResponse) => void {
  return (req, res) => {
    const step =
      (index: number): NextFunction =>
      (error?: unknown) => {
        if (error !== undefined) return failed(error, res);
        const handler = handlers[index];
        if (!handler) return;
        try {
          const result = handler(req, res, step(index + 1)) as unknown;
          if (result instanceof Promise) result.catch((thrown: unknown) => failed(thrown, res));
        } catch (thrown) {
          failed(thrown, res);
        }
      };
    step(0)();
  };
}

/**
 * One GraphQL request through Apollo Server (what @as-integrations/express5 did, without Express):
 * its answer's status, headers and body. A GET's answer carries a weak ETag, and a GET whose
 * If-None-Match names it is answered 304, as Express answered; POST answers carry none (no
 * HTTP cache keeps them).
 */
async function answerGraphQL<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: HttpRequest,
  res: HttpResponse,
  context: (req: HttpRequest, res: HttpResponse) => Promise<TContext>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.originalUrl;
  const query = url.indexOf('?');
  const answer = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: query < 0 ? '' : url.slice(query), body: req.body },
    context: () => context(req, res),
  });
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    const body = answer.body.string;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const etag = weakEtag(body);
      res.setHeader('etag', etag);
      if (res.statusCode >= 200 && res.statusCode < 300 && isFresh(req.headers, etag)) {
        res.statusCode = 304;
        res.removeHeader('content-type');
        return void res.end();
      }
    }
    res.setHeader('content-length', Buffer.byteLength(body));
    return void res.end(req.method === 'HEAD' ? undefined : body);
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * One Apollo Server on its own HTTP server, with `/graphql`, `/health` (liveness: the process
 * serves), `/ready` (readiness: its dependencies answer) and `/metrics` (Prometheus). Used by
 * every subgraph and by the gateway, so all services behave alike. Stopping drains requests in
 * flight, bounded in time.
 */
export async function startGraphQLServer<TContext extends BaseContext>(options: GraphQLServerOptions<TContext>): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  // /graphql is routed in front of the app (see "request" below), on these lighter request and response objects.
  const httpServer = http.createServer({ IncomingMessage: ServiceRequest, ServerResponse: ServiceResponse });
  httpServer.on('clientError', answerClientError);
  const registry = options.metrics?.registry ?? createMetricsRegistry(options.name);
  const operationMetrics = new OperationMetrics(registry, options.metrics?.prefix ?? 'graphql');
  const tracing = options.otlpEndpoint
    ? await startTracing({ otlpEndpoint: options.otlpEndpoint, serviceName: options.name, logger: options.logger })
    : undefined;
  const limits = options.limits ?? { depth: MAX_QUERY_DEPTH, tokens: MAX_TOKENS, expandedFields: MAX_EXPANDED_FIELDS, bodyBytes: 2 ** 20, batch: 1 };
  const introspection = options.introspection ?? true;
  /** An Apollo Server over the schema (or gateway); only the first one drains the HTTP server when stopped. */
  const createApollo = (source: { gateway: GatewayInterface } | { schema: GraphQLSchema }, drainsHttpServer: boolean) =>
    new ApolloServer<TContext>({
      ...source,
      includeStacktraceInErrorResponses: false,
      // Signals belong to shared/lifecycle.ts: Apollo's own handler would stop the server, then
      // send the signal again, which lifecycle.ts takes as "exit now" (code 1).
      stopOnTerminationSignals: false,
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
        const outage = options.outage?.(unwrapResolverError(error));
        if (outage) {
          options.logger.warn({ err: unwrapResolverError(error), path: formatted.path }, outage.message);
          return { message: outage.message, path: formatted.path, locations: formatted.locations, extensions: outage.extensions };
        }
        options.logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'internal error');
        return { ...formatted, message: 'Internal server error' };
      },
      // Bounded on purpose: a parsed-document cache of a few MiB, and limits on document size and depth.
      documentStore: new InMemoryLRUCache<DocumentNode>({ maxSize: 4 * 2 ** 20, sizeCalculation: (doc) => (doc.loc?.end ?? 1000) * 20 }),
      parseOptions: { maxTokens: limits.tokens },
      validationRules: [depthLimit(limits.depth)],
      plugins: [
        operationResolution,
        ...(drainsHttpServer
          ? [ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.stopGracePeriodMs ?? STOP_GRACE_PERIOD_MS })]
          : []),
        options.landingPage ?? ApolloServerPluginLandingPageDisabled(),
        requestObservabilityPlugin(operationMetrics),
        ...(options.plugins ?? []),
      ],
      logger: options.logger,
    });
  const apollo = createApollo(options.gateway ? { gateway: options.gateway } : { schema: options.schema! }, true);
  try {
    await apollo.start();
  } catch (error) {
    await tracing?.shutdown();
    throw error;
  }

  // Every context value also carries the request's id and its logger (made when first asked for).
  const contextOf = async (req: HttpRequest, res: HttpResponse): Promise<TContext> => {
    const scope = res.locals.requestScope as RequestScope;
    const fields: Omit<RequestContextFields, 'logger'> = {
      requestId: scope.requestId,
      identity: res.locals.identity as Identity | undefined,
      idempotency: res.locals.idempotency as IdempotentRequest | undefined,
    };
    const context = Object.assign(await options.context(req), fields);
    return Object.defineProperty(context, 'logger', { get: () => scope.logger, enumerable: true, configurable: true });
  };
  /** The Apollo Server answering /graphql now: `apollo` until a schema swap. */
  let serving = apollo;
  const graphqlHandler: HttpHandler = (req, res, next) => {
    res.locals.reachedGraphQL = true;
    answerGraphQL(serving, req, res, contextOf).catch(next);
  };
  // A request refused before GraphQL (401, 429, a body too large) counts too: as operation
  // "refused", its error by the code it was answered with.
  const countRefusals: HttpHandler = (_req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (res.locals.reachedGraphQL || res.statusCode < 400) return;
      operationMetrics.observe('refused', Number(process.hrtime.bigint() - started) / 1e9, [REFUSAL_CODES[res.statusCode] ?? `HTTP_${res.statusCode}`]);
    });
    next();
  };
  /** What no route answered (an error, which may be a body's 4xx): JSON, never an HTML page or a stack trace. */
  const unhandled = (error: unknown, res: HttpResponse) => {
    if (answeredBadBody(error, res)) return;
    if (res.headersSent) return void res.destroy(error as Error);
    options.logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  };

  let stopping: Promise<void> | undefined;
  app.get('/health', (_req, res) => {
    res.status(stopping ? 503 : 200).json({ status: stopping ? 'stopping' : 'ok', service: options.name });
  });
  const operations = options.operations ?? { open: true };
  // Without the operations token, /ready says only whether the service is ready.
  app.get('/ready', async (req, res) => {
    const detailed = mayOperate(operations, req);
    const about = (fields: Record<string, unknown>) => (detailed ? { service: options.name, ...fields, ...options.build } : {});
    if (stopping) return void res.status(503).json({ status: 'stopping', ...about({}) });
    try {
      const details = options.readiness ? await within(options.readiness(), READINESS_TIMEOUT_MS, 'the readiness check') : {};
      res.json({ status: 'ready', ...about({ ...details }) });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', ...about({ reason: (error as Error).message }) });
    }
  });
  app.get('/metrics', async (req, res) => {
    if (!mayOperate(operations, req)) return unauthorized(res, 'Metrics need the operations token: Authorization: Bearer <OPERATIONS_TOKEN>');
    res.type(METRICS_CONTENT_TYPE).send(await renderMetrics(registry));
  });
  // /graphql (with or without a trailing slash, any case, as Express routed it) on plain node:http,
  // each handler in turn; other paths go to the Express app (its routes, then the JSON 404 below).
  const graphql = chain(
    [
      countRefusals,
      requestIdentity(options.logger),
      ...(options.authenticate ? [options.authenticate] : []),
      jsonBody(limits.bodyBytes),
      batchLimit(limits.batch),
      ...(options.guards ?? []),
      rejectHostileDocuments(limits),
      ...(tracing ? [tracing.middleware] : []),
      enterRequestScope,
      graphqlHandler,
    ],
    unhandled,
  );
  httpServer.on('request', (req: ServiceRequest & HttpRequest, res: ServiceResponse & HttpResponse) => {
    if (!isGraphQLPath(req.url ?? '')) return app(req, res);
    req.originalUrl = req.url ?? '';
    if (req.method === 'GET' || req.method === 'HEAD')
      req.query = querystring.parse(req.originalUrl.slice(req.originalUrl.indexOf('?') + 1 || req.originalUrl.length));
    graphql(req, res);
  });

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
    // The first server drains the HTTP server (requests in flight finish), then the one serving stops.
    stop: () =>
      (stopping ??= apollo
        .stop()
        .then(async () => {
          if (serving !== apollo) await serving.stop();
        })
        .finally(() => tracing?.shutdown())),
    async swapSchema(schema) {
      if (options.gateway) throw new Error(`${options.name} follows its gateway's schema; it cannot swap it`);
      const next = createApollo({ schema }, false);
      await next.start();
      const previous = serving;
      // One assignment: a request is answered wholly by the old server or wholly by the new one.
      serving = next;
      // A started request does not need its server running; the first one stays for the drain.
      if (previous !== apollo) await previous.stop();
    },
  };
}
