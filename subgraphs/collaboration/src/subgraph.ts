import { openDatabase } from '../../../shared/db';
import { POIS } from '../../../shared/registry';
import { serveSubgraph, SubgraphDefinition } from '../../../shared/subgraph';
import { COLLABORATION_ENTITIES } from './entities';
import { createCollaborationLoaders } from './loaders';
import { COLLABORATION_MIGRATIONS } from '../migrations';
import { CollaborationRepository } from './repository';
import { CollaborationContext, createCollaborationResolvers } from './resolvers';
import { collaborationSdl } from './schema';
import { seedCollaboration } from './seed';

const sdl = collaborationSdl(POIS);

/** The collaboration subgraph: POI registry, work agenda, goals and steering group. */
export const collaborationSubgraph: SubgraphDefinition = {
  name: 'collaboration',
  sdl,
  async start(options) {
    const database = await openDatabase({
      subgraph: 'collaboration',
      databaseUrl: options.databaseUrl,
      entities: COLLABORATION_ENTITIES,
      migrations: COLLABORATION_MIGRATIONS,
      poolSize: options.poolSize,
    });
    if (await seedCollaboration(database.dataSource, POIS, options.seed)) options.logger.info('collaboration: database seeded');
    const repository = new CollaborationRepository(database.dataSource);
    return serveSubgraph<CollaborationContext>({
      name: 'collaboration',
      sdl,
      resolvers: createCollaborationResolvers(POIS),
      database,
      context: async () => ({ repository, loaders: createCollaborationLoaders(repository) }),
      options,
    });
  },
};
