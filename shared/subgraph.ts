import { maybeCacheControlFromInfo } from '@apollo/cache-control-types';
import { GraphQLError, isInterfaceType, isObjectType, parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Express } from 'express';
import type { HttpRequest } from './http';
import { COLLABORATION_SUBGRAPH, subgraphConfig, type Config, type ImportLimits, type OperationsAccess, type SubgraphRuntime } from './config';
import { isDatabaseUnavailable, type Database, type DatabaseSchema } from './db';
import type { Logger } from './logger';
import type { ChangeBus } from './changes';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { createMetricsRegistry, instrumentDatabase, recordBuildInfo, recordCircuitStates, timeRootResolvers } from './metrics';
import type { CircuitBreaker, CircuitOptions } from './circuit-breaker';
import { BuildInfo, NO_KIT, schemaFingerprint } from './release';
import { RunningServer, startGraphQLServer } from './server';
import { enforceAuthDirectives } from './auth/directives';
import { createIdentityVerifier } from './auth/internal-token';
import { requireGatewayToken } from './auth/subgraph-guard';
import { keyWriteFields, readIdempotencyKey } from './idempotency';
import { DEFAULT_IDEMPOTENCY_TTL_HOURS } from './config';
import { enforceDeadline, requestDeadline } from './deadline';
import { CHANGES_EXTENSION, committedChanges } from './written';

export interface SubgraphStartOptions {
  port: number;
  host: string;
  /** MySQL URL; absent means the embedded database. */
  databaseUrl?: string;
  /** Without `databaseUrl`: the folder of the embedded database files (config DATA_DIR); absent or `:memory:`, in memory. */
  dataDir?: string;
  poolSize: number;
  /** `demo`: fill an empty database with invented demo data (else it is only migrated); `reset`: empty it first (tests). */
  seed: { scale: number; referenceDate: string; demo: boolean; reset?: boolean };
  logger: Logger;
  /** OTLP/HTTP endpoint for traces; absent: no tracing. */
  otlpEndpoint?: string;
  /** The gateway's public key (SPKI PEM): only requests with a token it signed are served. */
  gatewayPublicKey: string;
  /** The secret this subgraph's page cursors are sealed with (config CURSOR_SECRET). */
  cursorSecret: string;
  /** How long a write's Idempotency-Key is kept (`IDEMPOTENCY_TTL_HOURS`). */
  idempotencyTtlHours?: number;
  /** Who may read /metrics and /ready's details (default: anyone). */
  operations?: OperationsAccess;
  /** The longest this subgraph works on one request (SUBGRAPH_TIMEOUT_MS), whatever deadline the gateway sends. */
  requestTimeoutMs: number;
  /** What one POST /import may bring (POI subgraphs). */
  imports: ImportLimits;
  /** The collaboration subgraph's /graphql, which POI subgraphs ask whether work-agenda items exist. */
  collaborationUrl: string;
  /** The change bus through Redis (REDIS_URL), when there is one: imports announce what they committed on it. */
  changes?: ChangeBus;
  /** Every subgraph's /graphql by name, which the network subgraph asks the POIs' lists at (default: a POI's registry port on `host`). */
  subgraphUrls?: Record<string, string>;
  /** When the network subgraph's circuit to a POI opens, as the gateway's to a subgraph (CIRCUIT_FAILURE_THRESHOLD, CIRCUIT_COOLDOWN_MS). */
  circuit: CircuitOptions;
}

export interface RunningSubgraph extends RunningServer {
  name: string;
  /** Its own database; absent for a subgraph that keeps no data (the network subgraph). */
  database?: Database;
  /** Serves a new SDL and resolvers from now on, without a restart (see `swapSchema`). */
  reload(schema: { sdl: string; resolvers: object }): Promise<void>;
}

/** What the catalog knows of a subgraph: its name, its SDL (for composition) and how to run it. */
export interface SubgraphDefinition {
  name: string;
  sdl: string;
  /** Its database's entities and migrations (for `npm run migrate` and friends); absent: it has no database (the network subgraph). */
  schema?: DatabaseSchema;
  start(options: SubgraphStartOptions): Promise<RunningSubgraph>;
}

/**
 * A subgraph's start options as the configuration gives them: the one mapping from Config to
 * SubgraphStartOptions, for `npm run start:subgraph` (scripts/start-subgraph.ts) and the tests'
 * in-process stack (test/helpers/stack.ts), which then sets what it decides itself (the seed reset,
 * the URLs of the subgraphs it runs, its timeouts and circuits). `runtime`: the subgraph's port, database URL and the secrets
 * (subgraphRuntime checks them for a process). Add the change bus when there is one.
 */
export function configuredStartOptions(
  config: Config,
  runtime: Pick<SubgraphRuntime, 'port' | 'databaseUrl' | 'cursorSecret' | 'gatewayPublicKey'>,
  logger: Logger,
): SubgraphStartOptions {
  return {
    port: runtime.port,
    host: config.host,
    databaseUrl: runtime.databaseUrl,
    dataDir: config.database.dataDir,
    poolSize: config.database.poolSize,
    idempotencyTtlHours: config.database.idempotencyTtlHours,
    seed: config.seed,
    logger,
    otlpEndpoint: config.otlpEndpoint,
    gatewayPublicKey: runtime.gatewayPublicKey,
    cursorSecret: runtime.cursorSecret,
    operations: config.operations,
    requestTimeoutMs: config.gateway.resilience.timeoutMs,
    circuit: config.gateway.resilience,
    imports: config.imports,
    collaborationUrl: subgraphConfig(config, COLLABORATION_SUBGRAPH).url,
    // The network subgraph asks the POIs at the URLs the gateway uses (`<NAME>_URL`).
    subgraphUrls: Object.fromEntries(config.subgraphs.map((s) => [s.name, s.url])),
  };
}

/** The longest a gateway may reuse any entity answer; the entities' own fields' hints decide below it. */
const ENTITIES_MAX_AGE = 300;

/**
 * `_entities` is a root field, which cache control treats as uncacheable unless hinted, and it
 * is generated by @apollo/subgraph, so it cannot carry @cacheControl. It gets the longest hint;
 * every field asked under it still restricts the answer by its own hint (none: uncacheable).
 */
function allowEntityCaching(schema: ReturnType<typeof buildSubgraphSchema>): void {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field?.resolve) return;
  const resolve = field.resolve;
  field.resolve = (source, args, context, info) => {
    checkRepresentations(schema, args.representations);
    maybeCacheControlFromInfo(info)?.setCacheHint({ maxAge: ENTITIES_MAX_AGE });
    return resolve(source, args, context, info);
  };
}

/**
 * Every representation must name an entity type of this subgraph, checked before any is
 * loaded: @apollo/subgraph would throw at the first bad one after starting loads for the ones
 * before it, which then run on with nobody waiting for them.
 */
function checkRepresentations(schema: ReturnType<typeof buildSubgraphSchema>, representations: unknown): void {
  for (const [index, representation] of (Array.isArray(representations) ? representations : []).entries()) {
    const typename = (representation as { __typename?: unknown } | null)?.__typename;
    const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
    if (!isObjectType(type) && !isInterfaceType(type)) {
      throw new GraphQLError(`representations[${index}]: __typename ${JSON.stringify(typename)} is not an entity type of this subgraph`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
  }
}

/**
 * A mutation's answer says what it committed, in `extensions.changes` (`{ types: ["Ticket"] }`,
 * empty when nothing was committed, e.g. the write was refused and rolled back): the gateway
 * invalidates the cached answers it may have changed and announces it (README "Caching").
 */
const reportCommittedChanges: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ operation, response }) {
        if (operation?.operation !== 'mutation' || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, [CHANGES_EXTENSION]: committedChanges() };
      },
    };
  },
};

/** Serves a subgraph over its opened database; stopping it drains requests, then closes the pool. */
export async function serveSubgraph<TContext extends BaseContext>(spec: {
  name: string;
  /** The POI it serves (its code, e.g. `BISC`, and name), named in its errors; absent for the collaboration. */
  poi?: { code: string; name: string };
  sdl: string;
  /** The POI kit version it is built on; absent: not built on the kit. */
  kitVersion?: string;
  resolvers: object;
  /** Its own database; absent for a subgraph that keeps no data (the network subgraph): no pool, no SQL, nothing to check in /ready. */
  database?: Database;
  context: (request: HttpRequest) => Promise<TContext>;
  options: SubgraphStartOptions;
  /** Extra routes next to /graphql (e.g. a POI's POST /import). */
  routes?: (app: Express) => void;
  /** More Apollo Server plugins (e.g. the network subgraph's, which adds the errors of POIs left out of a list). */
  plugins?: ApolloServerPlugin<TContext>[];
  /** The circuit breakers it keeps to the subgraphs it asks, by subgraph (the network subgraph's, per POI): in /metrics and /ready. */
  circuits?: () => Iterable<[string, CircuitBreaker]>;
}): Promise<RunningSubgraph> {
  const onlyTheGateway = requireGatewayToken(await createIdentityVerifier(spec.options.gatewayPublicKey, spec.name));
  // Operation durations and errors, root resolver and SQL timings, and the connection pool.
  const metrics = createMetricsRegistry(spec.name);
  const build: BuildInfo = { kitVersion: spec.kitVersion ?? NO_KIT, schemaFingerprint: schemaFingerprint(spec.sdl) };
  recordBuildInfo(metrics, build);
  if (spec.database) instrumentDatabase(metrics, spec.database);
  const circuits = spec.circuits;
  if (circuits)
    recordCircuitStates(
      metrics,
      'subgraph_circuit_state',
      'The circuit breaker to a subgraph this one asks: 1 for its current state (closed, half-open, open), 0 for the others',
      circuits,
    );
  const servedSchema = (sdl: string, resolvers: object) => {
    const schema = buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as GraphQLResolverMap<unknown> }]);
    // The owner decides: the schema's @authenticated / @requiresScopes are enforced here.
    enforceAuthDirectives(schema);
    allowEntityCaching(schema);
    keyWriteFields(schema, spec.options.idempotencyTtlHours ?? DEFAULT_IDEMPOTENCY_TTL_HOURS);
    // Work stops when the gateway gives up: before each resolver and each SQL statement.
    enforceDeadline(schema, spec.database?.dataSource);
    timeRootResolvers(metrics, schema);
    return schema;
  };
  const schema = servedSchema(spec.sdl, spec.resolvers);
  const server = await startGraphQLServer<TContext>({
    name: spec.name,
    port: spec.options.port,
    host: spec.options.host,
    logger: spec.options.logger,
    schema,
    context: spec.context,
    // Inline traces only serve Apollo's usage reporting, which this project never sends.
    plugins: [ApolloServerPluginInlineTraceDisabled(), reportCommittedChanges, ...(spec.plugins ?? [])],
    metrics: { registry: metrics, prefix: 'subgraph' },
    otlpEndpoint: spec.options.otlpEndpoint,
    operations: spec.options.operations,
    build,
    authenticate: onlyTheGateway,
    guards: [readIdempotencyKey(true), requestDeadline(spec.options.requestTimeoutMs)],
    routes: (app) => {
      app.use('/import', onlyTheGateway);
      spec.routes?.(app);
    },
    outage: (error) => {
      if (!spec.database) return undefined;
      // A closed pool (the embedded engine then fails with odd messages) is an outage too.
      if (!isDatabaseUnavailable(error) && spec.database.dataSource.isInitialized) return undefined;
      return new GraphQLError(`${spec.poi?.name ?? spec.name}: its database is unavailable; try again shortly`, {
        extensions: { code: 'DATABASE_UNAVAILABLE', subgraph: spec.name, ...(spec.poi ? { poi: spec.poi.code } : {}) },
      });
    },
    readiness: async () => {
      const states = circuits ? { circuits: Object.fromEntries([...circuits()].map(([name, breaker]) => [name, breaker.state])) } : {};
      if (!spec.database) return { database: 'none', ...states };
      try {
        await spec.database.dataSource.query('SELECT 1');
      } catch {
        throw new Error('database unreachable');
      }
      return { database: 'up', ...states };
    },
  });
  return {
    ...server,
    name: spec.name,
    database: spec.database,
    reload: ({ sdl, resolvers }) => server.swapSchema(servedSchema(sdl, resolvers)),
    // Requests drain first (they still need the pool), then the pool closes, even when the drain failed.
    stop: async () => {
      try {
        await server.stop();
      } finally {
        if (spec.database?.dataSource.isInitialized) {
          await spec.database.dataSource.destroy();
          spec.options.logger.info(`${spec.name}: database pool closed`);
        }
      }
    },
  };
}
