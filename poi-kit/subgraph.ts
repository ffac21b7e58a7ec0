import fs from 'node:fs';
import path from 'node:path';
import type { DataSource, EntityManager, MigrationInterface } from 'typeorm';
import { AnyEntitySchema, DatabaseSchema, embeddedDatabaseFile, openDatabase } from '../shared/db';
import type { Poi } from '../shared/registry';
import { Cursors } from '../shared/graphql/connection';
import { headerOf } from '../shared/http';
import { serveSubgraph, SubgraphDefinition, SubgraphStartOptions } from '../shared/subgraph';
import { agendaItemLookup, COLLABORATION_TOKEN_HEADER, wiseReleaseLookup } from './agenda-items';
import { importRoute } from './import';
import { POI_ENTITIES } from './entities';
import { createPoiLoaders } from './loaders';
import { POI_MIGRATIONS } from './migrations';
import { PoiRepository } from './repository';
import { createPoiResolvers, PoiContext } from './resolvers';
import { instantiateResolvers, poiSubgraphSdl } from './schema';
import { readLibrarySources, seedPoiDatabase } from './seed';
import { KIT_VERSION } from './version';
import { PoiWrites } from './writes';

/** Every POI database holds the kit's entities and migrations (and a POI's own, when it adds any). */
export const POI_SCHEMA: DatabaseSchema = { entities: POI_ENTITIES, migrations: POI_MIGRATIONS };

/**
 * What one POI adds to the kit, from its own folder alone: fields on its own types and types of
 * its own (`schema.graphql` there, with the POI's real type names), their resolvers, and the
 * tables, migrations and seed data behind them. No other POI's schema changes.
 */
export interface PoiExtension<TOwn extends object = object> {
  /** Resolvers of what `schema.graphql` adds, merged over the kit's by type and field. */
  /** Type them with the folder's generated `Resolvers` (`npm run codegen`: `generated/resolvers.ts`). */
  resolvers: Record<string, object | undefined>;
  /** The POI's own tables; its migrations run after the kit's. */
  entities?: AnyEntitySchema[];
  migrations?: (new () => MigrationInterface)[];
  /** Fills the POI's own tables on a new (or reset) database, after the kit's seed and in its transaction. */
  seed?(manager: EntityManager, options: SubgraphStartOptions['seed']): Promise<void>;
  /**
   * Builds once what the POI's resolvers share (its repository, writes), and returns what makes
   * each request's `context.own` from it (with that request's own DataLoaders), as the kit makes
   * its own loaders per request.
   */
  context?(dataSource: DataSource): () => TOwn;
}

/** The POI's own schema file, when its folder has one. */
function ownSdl(folder: string): string {
  const file = path.join(folder, 'schema.graphql');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Two resolver maps as one: a type both define gets the fields of both. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolver maps of any types (graphql-tools' IResolvers is as loose)
function mergeResolvers(kit: Record<string, any>, own: PoiExtension['resolvers']): Record<string, any> {
  const merged = { ...kit };
  for (const [type, fields] of Object.entries(own)) merged[type] = { ...(kit[type] ?? {}), ...fields };
  return merged;
}

/**
 * A POI subgraph: the kit plus what the POI adds. `folder` is the POI's own folder
 * (`subgraphs/<code>`), with its seed data (`data/libraries.csv`) and, when it adds anything,
 * its `schema.graphql`; `extension` carries the code behind that schema.
 */
export function definePoiSubgraph(poi: Poi, folder: string, extension?: PoiExtension): SubgraphDefinition {
  const sdl = poiSubgraphSdl(poi, ownSdl(folder));
  const schema: DatabaseSchema = {
    entities: [...POI_ENTITIES, ...(extension?.entities ?? [])],
    migrations: [...POI_SCHEMA.migrations, ...(extension?.migrations ?? [])],
  };
  return {
    name: poi.subgraphName,
    sdl,
    schema,
    async start(options) {
      const database = await openDatabase({
        subgraph: poi.subgraphName,
        databaseUrl: options.databaseUrl,
        embeddedFile: embeddedDatabaseFile(options.dataDir, poi.subgraphName),
        ...schema,
        poolSize: options.poolSize,
      });
      const { dataSource } = database;
      // The kit's seed and the POI's own in one transaction: a database whose seed was interrupted is seeded again.
      const seeded =
        options.seed.demo &&
        (await seedPoiDatabase(dataSource, poi, readLibrarySources(path.join(folder, 'data', 'libraries.csv')), options.seed, (manager) =>
          extension?.seed?.(manager, options.seed),
        ));
      if (seeded) options.logger.info({ scale: options.seed.scale }, `${poi.name}: database seeded`);
      const repository = new PoiRepository(dataSource, poi.wisePlatform ?? null);
      const agendaItems = agendaItemLookup(options.collaborationUrl);
      const writes = new PoiWrites(dataSource, poi, agendaItems, wiseReleaseLookup(options.collaborationUrl));
      const cursors = new Cursors(options.cursorSecret, poi.subgraphName);
      const ownPerRequest = extension?.context?.(dataSource) ?? (() => ({}));
      return serveSubgraph<PoiContext>({
        name: poi.subgraphName,
        poi,
        sdl,
        kitVersion: KIT_VERSION,
        resolvers: mergeResolvers(instantiateResolvers(createPoiResolvers(poi), poi), extension?.resolvers ?? {}),
        database,
        context: async (request) => ({
          repository,
          loaders: createPoiLoaders(repository),
          writes,
          cursors,
          own: ownPerRequest(),
          collaborationToken: headerOf(request, COLLABORATION_TOKEN_HEADER),
        }),
        options,
        // POST /import: the import CLI's way into this subgraph's own database (scripts/import.ts).
        routes: importRoute(poi, dataSource, options.logger, options.imports, agendaItems, options.changes),
      });
    },
  };
}
