import { DatabaseSchema, openDatabase } from '../../../shared/db';
import type { Poi } from '../../../shared/registry';
import { serveSubgraph, SubgraphDefinition } from '../../../shared/subgraph';
import { COLLABORATION_ENTITIES } from './entities';
import { createCollaborationLoaders } from './loaders';
import { COLLABORATION_MIGRATIONS } from '../migrations';
import { CollaborationRepository } from './repository';
import { CollaborationContext, createCollaborationResolvers } from './resolvers';
import { collaborationSdl } from './schema';
import { seedCollaboration } from './seed';
import { CollaborationWrites } from './writes';

export const COLLABORATION_SCHEMA: DatabaseSchema = { entities: COLLABORATION_ENTITIES, migrations: COLLABORATION_MIGRATIONS };

/** The collaboration subgraph over a registry: POI registry, work agenda, goals and steering group. */
export function defineCollaborationSubgraph(pois: readonly Poi[]): SubgraphDefinition {
  const sdl = collaborationSdl(pois);
  return {
    name: 'collaboration',
    sdl,
    schema: COLLABORATION_SCHEMA,
    async start(options) {
      const database = await openDatabase({
        subgraph: 'collaboration',
        databaseUrl: options.databaseUrl,
        ...COLLABORATION_SCHEMA,
        poolSize: options.poolSize,
      });
      if (await seedCollaboration(database.dataSource, pois, options.seed)) options.logger.info('collaboration: database seeded');
      const repository = new CollaborationRepository(database.dataSource);
      const writes = new CollaborationWrites(database.dataSource, pois);
      return serveSubgraph<CollaborationContext>({
        name: 'collaboration',
        sdl,
        resolvers: createCollaborationResolvers(pois),
        database,
        context: async () => ({ repository, loaders: createCollaborationLoaders(repository), writes }),
        options,
      });
    },
  };
}
