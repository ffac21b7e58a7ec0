// BiSC's subgraph: the POI kit over BiSC's own data (data/libraries.csv), plus what BiSC adds of
// its own: interlibrary-loan (IBL) transport (schema.graphql; entities, migrations, seed,
// repository, loaders, writes and resolvers in this folder).
import { definePoiSubgraph } from '../../poi-kit/subgraph';
import { poiByCode } from '../../shared/registry';
import { IBL_ENTITIES } from './entities';
import { createIblLoaders } from './loaders';
import { BISC_MIGRATIONS } from './migrations';
import { IblRepository } from './repository';
import { iblResolvers, IblOwn } from './resolvers';
import { seedIbl } from './seed';
import { IblWrites } from './writes';

const poi = poiByCode('BISC');

export default definePoiSubgraph(poi, __dirname, {
  resolvers: iblResolvers,
  entities: IBL_ENTITIES,
  migrations: BISC_MIGRATIONS,
  seed: seedIbl,
  context(dataSource) {
    const repository = new IblRepository(dataSource);
    const writes = new IblWrites(dataSource, poi);
    return (): IblOwn => ({ repository, writes, loaders: createIblLoaders(repository) });
  },
});
