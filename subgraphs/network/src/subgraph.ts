import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { POI_TOKENS_HEADER, readPoiTokens } from '../../../shared/auth/internal-token';
import { Sealer } from '../../../shared/graphql/connection';
import { DEADLINE_HEADER } from '../../../shared/deadline';
import { REQUEST_ID_HEADER } from '../../../shared/request-id';
import { headerOf } from '../../../shared/http';
import { Poi, watchRegistry } from '../../../shared/registry';
import { serveSubgraph, type SubgraphDefinition } from '../../../shared/subgraph';
import { Circuits } from '../../../shared/circuit-breaker';
import { ownerRunner, ownersOf } from './owners';
import { createNetworkResolvers, type NetworkContext } from './resolvers';
import { networkSdl } from './schema';

export { NETWORK_SUBGRAPH } from '../../../shared/config';
import { NETWORK_SUBGRAPH } from '../../../shared/config';

/** What a page may still spend after its owners answered (merging, a second small request, the answer): the owners get the rest of the deadline. */
const OWN_SHARE = 0.2;

/** Errors of a request beside its data (a POI left out of a list, at the list's path), added to the answer. */
interface ReportedErrors {
  reported: GraphQLError[];
}

const reportedErrors: ApolloServerPlugin<NetworkContext & ReportedErrors> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single' || contextValue.reported.length === 0) return;
        const result = response.body.singleResult;
        result.errors = [...(result.errors ?? []), ...contextValue.reported.map((e) => e.toJSON())];
      },
    };
  },
};

/**
 * The network subgraph over a registry: `Query.network` and `WorkAgendaItem.tickets`, merged from
 * every POI's own lists (lists.ts). It has no database and holds no data: each page asks the POI
 * subgraphs directly, each with the token the gateway signed for that POI (POI_TOKENS_HEADER), so
 * every owner checks the caller itself. With `registryFile` it follows that file while it runs: a
 * POI added there is in every list at once.
 */
export function defineNetworkSubgraph(pois: readonly Poi[], registryFile?: string): SubgraphDefinition {
  const sdl = networkSdl(pois);
  return {
    name: NETWORK_SUBGRAPH,
    sdl,
    async start(options) {
      const { logger } = options;
      const sealer = new Sealer(options.cursorSecret, NETWORK_SUBGRAPH);
      let owners = ownersOf(pois, options.subgraphUrls ?? {}, options.host);
      // One circuit per POI subgraph, kept across requests (and registry reloads).
      const circuits = new Circuits(options.circuit);
      const running = await serveSubgraph<NetworkContext & ReportedErrors>({
        name: NETWORK_SUBGRAPH,
        sdl,
        resolvers: createNetworkResolvers(sdl, sealer),
        context: async (request) => {
          const now = Date.now();
          const given = Number(headerOf(request, DEADLINE_HEADER));
          const deadline = Math.min(now + options.requestTimeoutMs, Number.isFinite(given) && given > now ? given : Infinity);
          const reported: GraphQLError[] = [];
          const current = owners;
          return {
            owners: current,
            run: ownerRunner(
              current,
              {
                tokens: readPoiTokens(headerOf(request, POI_TOKENS_HEADER)),
                deadline: now + Math.max(1, Math.floor((deadline - now) * (1 - OWN_SHARE))),
                requestId: headerOf(request, REQUEST_ID_HEADER),
              },
              circuits,
            ),
            report: (error) => void reported.push(error),
            reported,
          };
        },
        options,
        plugins: [reportedErrors],
        circuits: () => owners.map((owner) => [owner.subgraphName, circuits.of(owner.subgraphName)]),
      });
      if (!registryFile) return running;
      const stopFollowing = watchRegistry(
        (next) => {
          const nextSdl = networkSdl(next);
          owners = ownersOf(next, options.subgraphUrls ?? {}, options.host);
          running
            .reload({ sdl: nextSdl, resolvers: createNetworkResolvers(nextSdl, sealer) })
            .then(() => logger.info({ pois: next.map((poi) => poi.code) }, 'registry reloaded: every network list asks its POIs'))
            .catch((error) => logger.error({ err: error }, 'registry changed but could not be served; keeping the current one'));
        },
        (error) => logger.error({ err: error }, 'registry.json is invalid; keeping the current registry'),
        { file: registryFile, current: pois },
      );
      return {
        ...running,
        stop: async () => {
          stopFollowing();
          await running.stop();
        },
      };
    },
  };
}
