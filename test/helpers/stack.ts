import fs from 'node:fs';
import { startGateway } from '../../gateway/src/gateway';
import type { ResilienceOptions } from '../../gateway/src/subgraph-data-source';
import { COLLABORATION_SUBGRAPH, Config, loadConfig, portEnvironment, type SecurityConfig } from '../../shared/config';
import { ALL_SCOPES, testSecurityEnv, tokenFor } from './auth';
import { createLogger } from '../../shared/logger';
import type { RunningServer } from '../../shared/server';
import type { Database } from '../../shared/db';
import { configuredStartOptions, type RunningSubgraph, type SubgraphDefinition } from '../../shared/subgraph';
import { composeSupergraph } from '../../shared/supergraph';
import { SUBGRAPHS } from '../../subgraphs/catalog';
import type { ChangeBus } from '../../shared/changes';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * A running subgraph of the stack, with its database: every subgraph but the network subgraph has
 * one (it keeps no data; tests never ask it for its database, and `statementCounts` counts it 0).
 */
export type StackSubgraph = RunningSubgraph & { database: Database };

export interface Stack {
  gateway: RunningServer;
  /** The supergraph the gateway started with, composed over the running subgraphs' URLs. */
  supergraphSdl: string;
  subgraphs: Map<string, StackSubgraph>;
  /** As a caller holding every scope (ALL_SCOPES). */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** As the holder of `token` (from `token()`), or anonymously without one. */
  queryAs<T = any>(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** A client token with these scopes, signed with this stack's secret. */
  token(scopes: readonly string[], subject?: string): Promise<string>;
  /** The configuration the stack runs with (its secrets included). */
  config: Config;
  /** Another gateway over the running subgraphs (same signing key), with some security settings changed; stopped with the stack. */
  gatewayWith(
    changes: Partial<SecurityConfig>,
    options?: { responseCache?: Config['gateway']['responseCache']; operations?: Config['operations'] },
  ): Promise<RunningServer>;
  /** SQL statements each subgraph has sent so far. */
  statementCounts(): Record<string, number>;
  stopSubgraph(name: string): Promise<void>;
  /** Starts a stopped subgraph again on its old port (fresh database, same seed). */
  restartSubgraph(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function postGraphQL<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

/** Every service (the gateway and the registry's subgraphs) on a port the OS picks: `<NAME>_PORT=0`. */
export const ANY_PORTS = portEnvironment(Object.fromEntries(['gateway', ...SUBGRAPHS.map((s) => s.name)].map((name) => [name, 0])));

/**
 * Starts every subgraph and the gateway on free ports, over real HTTP, each subgraph on its own
 * database: embedded by default, MySQL when `<NAME>_DATABASE_URL` is set (as `.ci/run` does).
 * Databases are reseeded, so every test starts from the same data.
 *
 * `subgraphs` (default: the registry's `SUBGRAPHS`) lets a caller run another federation, e.g.
 * one built with `createSubgraphs` over extra POIs. A subgraph the registry does not know has no
 * `<NAME>_DATABASE_URL` in the config, so it runs on the embedded database.
 */
export async function startStack(
  options: {
    seedScale?: number;
    supergraphPath?: string;
    subgraphs?: readonly SubgraphDefinition[];
    /** The gateway's timeouts and circuit breaker, and the network subgraph's circuits (defaults: the production ones). */
    resilience?: Partial<ResilienceOptions>;
    /** Send a subgraph's fetches elsewhere, e.g. to a server that never answers. */
    subgraphUrls?: Record<string, string>;
    /** More environment for the configuration, e.g. limits (`LIMIT_COST`) or `NODE_ENV`. */
    env?: Record<string, string>;
    /** The change bus the subgraphs announce their imports on (as with REDIS_URL); default none. */
    subgraphChanges?: ChangeBus;
  } = {},
): Promise<Stack> {
  const definitions = options.subgraphs ?? SUBGRAPHS;
  const config = loadConfig({
    ...process.env,
    ...ANY_PORTS,
    SEED_SCALE: String(options.seedScale ?? 1),
    LOG_LEVEL: 'silent',
    ...testSecurityEnv(),
    ...options.env,
  });
  const logger = createLogger('test', config.logLevel);
  const subgraphs = new Map<string, StackSubgraph>();
  try {
    const startSubgraph = async (definition: SubgraphDefinition, port: number) => {
      const settings = config.subgraphs.find((s) => s.name === definition.name);
      const runtime = {
        port,
        databaseUrl: settings?.databaseUrl,
        gatewayPublicKey: config.security.gatewayPublicKey!,
        cursorSecret: config.security.cursorSecret!,
      };
      const configured = configuredStartOptions(config, runtime, logger);
      const running = await definition.start({
        ...configured,
        seed: { ...config.seed, reset: true },
        // No traces from tests.
        otlpEndpoint: undefined,
        requestTimeoutMs: options.resilience?.timeoutMs ?? configured.requestTimeoutMs,
        // The network subgraph's circuits to the POIs: as the gateway's (and on the same clock).
        circuit: { ...configured.circuit, ...options.resilience },
        // The collaboration starts first: the POIs ask the running one.
        collaborationUrl: subgraphs.get(COLLABORATION_SUBGRAPH)?.url ?? configured.collaborationUrl,
        changes: options.subgraphChanges,
        // The network subgraph starts last: it asks the running POIs (where the gateway would, when a test sends a subgraph elsewhere).
        subgraphUrls: { ...Object.fromEntries([...subgraphs].map(([name, s]) => [name, s.url])), ...options.subgraphUrls },
      });
      subgraphs.set(definition.name, running as StackSubgraph);
    };
    for (const definition of definitions) await startSubgraph(definition, 0);
    const { supergraphSdl } = composeSupergraph(definitions.map((s) => ({ name: s.name, url: subgraphs.get(s.name)!.url, sdl: s.sdl })));
    // With a path, the supergraph is written there and the gateway serves and follows that file.
    if (options.supergraphPath) fs.writeFileSync(options.supergraphPath, supergraphSdl);
    const supergraph = options.supergraphPath ? { path: options.supergraphPath } : { sdl: supergraphSdl };
    const gateway = await startGateway({
      supergraph,
      subgraphUrls: options.subgraphUrls ?? {},
      port: 0,
      host: config.host,
      logger,
      resilience: options.resilience,
      security: config.security,
      operations: config.operations,
    });
    const token = (scopes: readonly string[], subject?: string) => tokenFor(config.security.clients, scopes, subject);
    const extraGateways: RunningServer[] = [];
    const gatewayWith = async (
      changes: Partial<SecurityConfig>,
      extraOptions: { responseCache?: Config['gateway']['responseCache']; operations?: Config['operations'] } = {},
    ) => {
      const extra = await startGateway({
        supergraph: { sdl: supergraphSdl },
        subgraphUrls: options.subgraphUrls ?? {},
        port: 0,
        host: config.host,
        logger,
        security: { ...config.security, ...changes },
        responseCache: extraOptions.responseCache,
        operations: extraOptions.operations,
      });
      extraGateways.push(extra);
      return extra;
    };
    const allScopes = await token(ALL_SCOPES, 'test-all-scopes');
    const queryAs = <T>(bearer: string | undefined, query: string, variables?: Record<string, unknown>) =>
      postGraphQL<T>(gateway.url, query, variables, bearer ? { authorization: `Bearer ${bearer}` } : {});
    return {
      gateway,
      supergraphSdl,
      subgraphs,
      config,
      token,
      queryAs,
      gatewayWith,
      query: (query, variables) => queryAs(allScopes, query, variables),
      statementCounts: () => Object.fromEntries([...subgraphs].map(([name, s]) => [name, (s as RunningSubgraph).database?.statements.count ?? 0])),
      stopSubgraph: async (name) => subgraphs.get(name)!.stop(),
      restartSubgraph: async (name) =>
        startSubgraph(
          definitions.find((d) => d.name === name)!,
          subgraphs.get(name)!.port,
        ),
      stop: async () => {
        await Promise.all([gateway, ...extraGateways].map((g) => g.stop()));
        await Promise.all([...subgraphs.values()].map((s) => s.stop()));
      },
    };
  } catch (error) {
    await Promise.all([...subgraphs.values()].map((s) => s.stop()));
    throw error;
  }
}

/** A query's data as the holder of every scope, expecting an answer without errors. */
export async function dataOf<T = any>(stack: Stack, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await stack.query<T>(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data!;
}
