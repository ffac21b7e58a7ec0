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
  /** Extra checks for /health; throw to report the service unhealthy. */
  healthCheck?: () => Promise<void>;
}

/**
 * One Apollo Server on its own HTTP server, with `/graphql` and `/health`. Used by every
 * subgraph and by the gateway, so all services behave alike.
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
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ...(options.plugins ?? []),
    ],
    logger: options.logger,
  });
  await apollo.start();

  app.get('/health', async (_req, res) => {
    try {
      await options.healthCheck?.();
      res.json({ status: 'ok', service: options.name });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', service: options.name, reason: (error as Error).message });
    }
  });
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo, { context: options.context }));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  options.logger.info({ port }, `${options.name} ready at http://${host}:${port}/graphql`);

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    stop: () => (stopping ??= apollo.stop()),
  };
}
