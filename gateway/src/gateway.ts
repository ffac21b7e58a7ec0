import { ApolloGateway } from '@apollo/gateway';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from '../../shared/logger';
import { POIS } from '../../shared/registry';
import { RunningServer, startGraphQLServer } from '../../shared/server';
import { ResilienceOptions, SubgraphDataSource } from './subgraph-data-source';
import { ideLandingPage } from './ide';
import { supergraphFromFile } from './supergraph-file';

export interface GatewayOptions {
  /** The composed supergraph: its text, or a file to serve and follow (see supergraph-file.ts). */
  supergraph: { sdl: string } | { path: string };
  /** Where to reach each subgraph, by name; overrides the URL in the supergraph. */
  subgraphUrls: Record<string, string>;
  port: number;
  host: string;
  logger: Logger;
  resilience?: Partial<ResilienceOptions>;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = { timeoutMs: 5000, failureThreshold: 5, cooldownMs: 5000 };

/** The Apollo Gateway over a composed supergraph. It never needs the subgraphs to be up to start. */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  // @apollo/gateway reports anonymous usage data unless this is set; this project sends nothing.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const sources = new Map<string, SubgraphDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl: 'path' in options.supergraph ? supergraphFromFile(options.supergraph.path, options.logger) : options.supergraph.sdl,
    logger: options.logger,
    buildService: ({ name, url }) => {
      const source = new SubgraphDataSource(
        name,
        options.subgraphUrls[name] ?? url!,
        POIS.find((p) => p.subgraphName === name),
        { ...DEFAULT_RESILIENCE, ...options.resilience },
        options.logger,
      );
      sources.set(name, source);
      return source;
    },
  });
  return startGraphQLServer({
    name: 'gateway',
    port: options.port,
    host: options.host,
    logger: options.logger,
    gateway,
    context: async () => ({}),
    readiness: async () => ({ subgraphs: Object.fromEntries(await Promise.all([...sources].map(async ([name, s]) => [name, await s.readiness()]))) }),
    landingPage: ideLandingPage(),
    plugins: [ApolloServerPluginUsageReportingDisabled()],
  });
}
