import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { BaseContext } from '@apollo/server';
import type { Express } from 'express';
import type { Database, DatabaseSchema } from './db';
import type { Logger } from './logger';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { createMetricsRegistry, instrumentDatabase, timeRootResolvers } from './metrics';
import { RunningServer, startGraphQLServer } from './server';
import { enforceAuthDirectives } from './auth/directives';
import { createIdentityVerifier } from './auth/internal-token';
import { requireGatewayToken } from './auth/subgraph-guard';

export interface SubgraphStartOptions {
  port: number;
  host: string;
  /** MySQL URL; absent means the embedded database. */
  databaseUrl?: string;
  poolSize: number;
  seed: { scale: number; referenceDate: string; reset?: boolean };
  logger: Logger;
  /** OTLP/HTTP endpoint for traces; absent: no tracing. */
  otlpEndpoint?: string;
  /** The gateway's public key (SPKI PEM): only requests with a token it signed are served. */
  gatewayPublicKey: string;
}

export interface RunningSubgraph extends RunningServer {
  name: string;
  database: Database;
}

/** What the catalog knows of a subgraph: its name, its SDL (for composition) and how to run it. */
export interface SubgraphDefinition {
  name: string;
  sdl: string;
  /** Its database's entities and migrations (for `npm run migrate` and friends). */
  schema: DatabaseSchema;
  start(options: SubgraphStartOptions): Promise<RunningSubgraph>;
}

/** Serves a subgraph over its opened database; stopping it drains requests, then closes the pool. */
export async function serveSubgraph<TContext extends BaseContext>(spec: {
  name: string;
  sdl: string;
  resolvers: object;
  database: Database;
  context: () => Promise<TContext>;
  options: SubgraphStartOptions;
  /** Extra routes next to /graphql (e.g. a POI's POST /import). */
  routes?: (app: Express) => void;
}): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(spec.sdl), resolvers: spec.resolvers as GraphQLResolverMap<unknown> }]);
  // The owner decides: the schema's @authenticated / @requiresScopes are enforced here.
  enforceAuthDirectives(schema);
  const onlyTheGateway = requireGatewayToken(await createIdentityVerifier(spec.options.gatewayPublicKey, spec.name));
  // Operation durations and errors, root resolver and SQL timings, and the connection pool.
  const metrics = createMetricsRegistry(spec.name);
  instrumentDatabase(metrics, spec.database);
  timeRootResolvers(metrics, schema);
  const server = await startGraphQLServer<TContext>({
    name: spec.name,
    port: spec.options.port,
    host: spec.options.host,
    logger: spec.options.logger,
    schema,
    context: spec.context,
    // Inline traces only serve Apollo's usage reporting, which this project never sends.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    metrics: { registry: metrics, prefix: 'subgraph' },
    otlpEndpoint: spec.options.otlpEndpoint,
    guards: [onlyTheGateway],
    routes: (app) => {
      app.use('/import', onlyTheGateway);
      spec.routes?.(app);
    },
    readiness: async () => {
      try {
        await spec.database.dataSource.query('SELECT 1');
      } catch {
        throw new Error('database unreachable');
      }
      return { database: 'up' };
    },
  });
  return {
    ...server,
    name: spec.name,
    database: spec.database,
    stop: async () => {
      await server.stop();
      if (spec.database.dataSource.isInitialized) await spec.database.dataSource.destroy();
    },
  };
}
