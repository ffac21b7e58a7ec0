import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../shared/logger';
import { POIS } from '../../shared/registry';
import { RunningServer, startGraphQLServer } from '../../shared/server';
import { supergraphFromFile } from './supergraph-file';

export interface GatewayOptions {
  /** The composed supergraph: its text, or a file to serve and follow (see supergraph-file.ts). */
  supergraph: { sdl: string } | { path: string };
  /** Where to reach each subgraph, by name; overrides the URL in the supergraph. */
  subgraphUrls: Record<string, string>;
  port: number;
  host: string;
  logger: Logger;
}

/**
 * Sends one subgraph's fetches. A subgraph that cannot be reached becomes one clear error
 * naming the subgraph (and its POI), without the internal URL.
 */
class SubgraphDataSource extends RemoteGraphQLDataSource {
  constructor(
    private readonly subgraph: string,
    url: string,
  ) {
    super({ url });
  }

  override async process(options: GraphQLDataSourceProcessOptions) {
    try {
      return await super.process(options);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions?.code !== 'INTERNAL_SERVER_ERROR') throw error;
      const poi = POIS.find((p) => p.subgraphName === this.subgraph);
      throw new GraphQLError(`${poi ? poi.name : this.subgraph} is unavailable: its subgraph did not answer`, {
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: this.subgraph, ...(poi ? { poi: poi.code } : {}) },
      });
    }
  }
}

/** The Apollo Gateway over a composed supergraph. It never needs the subgraphs to be up to start. */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  // @apollo/gateway reports anonymous usage data unless this is set; this project sends nothing.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: 'path' in options.supergraph ? supergraphFromFile(options.supergraph.path, options.logger) : options.supergraph.sdl,
    logger: options.logger,
    buildService: ({ name, url }) => new SubgraphDataSource(name, options.subgraphUrls[name] ?? url!),
  });
  return startGraphQLServer({
    name: 'gateway',
    port: options.port,
    host: options.host,
    logger: options.logger,
    gateway,
    context: async () => ({}),
    plugins: [ApolloServerPluginUsageReportingDisabled()],
  });
}
