import path from 'node:path';
import { DatabaseSchema, openDatabase } from '../db';
import type { Poi } from '../registry';
import { Cursors } from '../graphql/connection';
import { serveSubgraph, SubgraphDefinition } from '../subgraph';
import { installEmbeddedSearch } from './embedded-search';
import { agendaItemLookup, COLLABORATION_TOKEN_HEADER } from './agenda-items';
import { importRoute } from './import';
import { POI_ENTITIES } from './entities';
import { createPoiLoaders } from './loaders';
import { POI_MIGRATIONS } from './migrations';
import { PoiRepository } from './repository';
import { createPoiResolvers, PoiContext } from './resolvers';
import { poiSubgraphSdl } from './schema';
import { readLibrarySources, seedPoiDatabase } from './seed';
import { PoiWrites } from './writes';

/**
 * A POI subgraph built from the kit. `folder` is the POI's own folder (subgraphs/<code>), which
 * holds its seed data.
 */
/** Every POI database: the kit's entities and migrations. */
export const POI_SCHEMA: DatabaseSchema = { entities: POI_ENTITIES, migrations: POI_MIGRATIONS };

export function definePoiSubgraph(poi: Poi, folder: string): SubgraphDefinition {
  const sdl = poiSubgraphSdl(poi);
  return {
    name: poi.subgraphName,
    sdl,
    schema: POI_SCHEMA,
    async start(options) {
      const database = await openDatabase({
        subgraph: poi.subgraphName,
        databaseUrl: options.databaseUrl,
        ...POI_SCHEMA,
        poolSize: options.poolSize,
      });
      if (database.kind === 'embedded') await installEmbeddedSearch(database.dataSource);
      const seeded = await seedPoiDatabase(database.dataSource, poi, readLibrarySources(path.join(folder, 'data', 'libraries.csv')), options.seed);
      if (seeded) options.logger.info({ scale: options.seed.scale }, `${poi.name}: database seeded`);
      const repository = new PoiRepository(database.dataSource);
      const agendaItems = agendaItemLookup(options.collaborationUrl);
      const writes = new PoiWrites(database.dataSource, poi, agendaItems);
      const cursors = new Cursors(options.cursorSecret, poi.subgraphName);
      return serveSubgraph<PoiContext>({
        name: poi.subgraphName,
        sdl,
        resolvers: createPoiResolvers(poi),
        database,
        context: async (request) => ({ repository, loaders: createPoiLoaders(repository), writes, cursors, collaborationToken: request.header(COLLABORATION_TOKEN_HEADER) }),
        options,
        // POST /import: the import CLI's way into this subgraph's own database (scripts/import.ts).
        routes: importRoute(poi, database.dataSource, options.logger, options.imports, agendaItems),
      });
    },
  };
}
