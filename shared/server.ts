import http from 'node:http';
import { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Logger } from './logger';

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4003/graphql. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface GraphQLServerOptions<TContext extends BaseContext> {
  name: string;
  port: number;
  host: string;
  logger: Logger;
  schema?: GraphQLSchema;
  gateway?: GatewayInterface;
  context: () => Promise<TContext>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** A plugin that renders a landing page (e.g. the IDE); without one, none is served. */
  landingPage?: ApolloServerPlugin<TContext>;
  /** Readiness details for /ready; throw when the service cannot serve (e.g. its database is down). */
  readiness?: () => Promise<Record<string, unknown>>;
  /** How long a stop waits for requests in flight before closing their connections. */
  stopGracePeriodMs?: number;
}

/** A body that is not JSON, or too large, gets a GraphQL-shaped 4xx, never an HTML page or a stack. */
const badBody: express.ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if (!status || status < 400 || status >= 500) return next(error);
  const message = status === 413 ? 'Request body too large' : 'Request body is not valid JSON';
  res.status(status).json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
};

/**
 * One Apollo Server on its own HTTP server, with `/graphql`, `/health` (liveness: the process
 * serves) and `/ready` (readiness: its dependencies answer). Used by every subgraph and by the
 * gateway, so all services behave alike. Stopping drains requests in flight, bounded in time.
 */
export async function startGraphQLServer<TContext extends BaseContext>(
  options: GraphQLServerOptions<TContext>,
): Promise<RunningServer> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<TContext>({
    ...(options.gateway ? { gateway: options.gateway } : { schema: options.schema! }),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.stopGracePeriodMs ?? 10_000 }),
      options.landingPage ?? ApolloServerPluginLandingPageDisabled(),
      ...(options.plugins ?? []),
    ],
    logger: options.logger,
  });
  await apollo.start();

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
  app.use('/graphql', express.json({ limit: '1mb' }), badBody, expressMiddleware(apollo, { context: options.context }));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  options.logger.info({ port }, `${options.name} ready at http://${host}:${port}/graphql`);

  return {
    url: `http://${host}:${port}/graphql`,
    port,
    stop: () => (stopping ??= apollo.stop()),
  };
}
