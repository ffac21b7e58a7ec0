import { DatabaseSchema, embeddedDatabaseFile, openDatabase, transaction } from '../../../shared/db';
import { Poi, watchRegistry } from '../../../shared/registry';
import { serveSubgraph, SubgraphDefinition } from '../../../shared/subgraph';
import { COLLABORATION_ENTITIES } from './entities';
import { createCollaborationLoaders } from './loaders';
import { COLLABORATION_MIGRATIONS } from '../migrations';
import { CollaborationRepository } from './repository';
import { CollaborationContext, createCollaborationResolvers } from './resolvers';
import { collaborationSdl } from './schema';
import { seedCollaboration, syncRegistry } from './seed';
import { CollaborationWrites } from './writes';

export const COLLABORATION_SCHEMA: DatabaseSchema = { entities: COLLABORATION_ENTITIES, migrations: COLLABORATION_MIGRATIONS };

/**
 * The collaboration subgraph over a registry: POI registry, work agenda, goals and steering group.
 * With `registryFile` it follows that file while it runs: a POI added there gets its type, its
 * registry fields and its place in `pois` at once, without a restart (an invalid file is logged
 * and ignored).
 */
export function defineCollaborationSubgraph(pois: readonly Poi[], registryFile?: string): SubgraphDefinition {
  const sdl = collaborationSdl(pois);
  return {
    name: 'collaboration',
    sdl,
    schema: COLLABORATION_SCHEMA,
    async start(options) {
      const { logger } = options;
      const database = await openDatabase({
        subgraph: 'collaboration',
        databaseUrl: options.databaseUrl,
        embeddedFile: embeddedDatabaseFile(options.dataDir, 'collaboration'),
        ...COLLABORATION_SCHEMA,
        poolSize: options.poolSize,
      });
      if (await seedCollaboration(database.dataSource, pois, options.seed)) logger.info('collaboration: database seeded');
      const repository = new CollaborationRepository(database.dataSource);
      let writes = new CollaborationWrites(database.dataSource, pois);
      const running = await serveSubgraph<CollaborationContext>({
        name: 'collaboration',
        sdl,
        resolvers: createCollaborationResolvers(pois),
        database,
        context: async () => ({ repository, loaders: createCollaborationLoaders(repository), writes }),
        options,
      });
      if (!registryFile) return running;

      /** Registries are taken one at a time, in the order the file changed. */
      let following = Promise.resolve();
      const follow = (next: readonly Poi[]) => {
        following = following.then(async () => {
          try {
            await transaction(database.dataSource, (manager) => syncRegistry(manager, next));
            const resolvers = createCollaborationResolvers(next);
            writes = new CollaborationWrites(database.dataSource, next);
            await running.reload({ sdl: collaborationSdl(next), resolvers });
            logger.info({ pois: next.map((poi) => poi.code) }, 'registry reloaded: serving its POIs');
          } catch (error) {
            logger.error({ err: error }, 'registry changed but could not be served; keeping the current one');
          }
        });
      };
      const stopFollowing = watchRegistry(follow, (error) => logger.error({ err: error }, 'registry.json is invalid; keeping the current registry'), {
        file: registryFile,
        current: pois,
      });
      return {
        ...running,
        stop: async () => {
          stopFollowing();
          await following;
          await running.stop();
        },
      };
    },
  };
}
