// Rijnbrink's subgraph: the POI kit over Rijnbrink's own data (data/libraries.csv), plus Musidesk,
// Rijnbrink's service for amateur music: schema.graphql here, the code behind it in musidesk/,
// its tables' migrations in migrations/.
import { definePoiSubgraph, PoiExtension } from '../../poi-kit/subgraph';
import { poiByCode } from '../../shared/registry';
import { MUSIDESK_ENTITIES } from './musidesk/entities';
import { MusideskRepository } from './musidesk/repository';
import { Musidesk, musideskForRequest, musideskResolvers } from './musidesk/resolvers';
import { seedMusidesk } from './musidesk/seed';
import { MusideskWrites } from './musidesk/writes';
import { RIJNBRINK_MIGRATIONS } from './migrations';

const musidesk: PoiExtension<Musidesk> = {
  resolvers: musideskResolvers,
  entities: MUSIDESK_ENTITIES,
  migrations: RIJNBRINK_MIGRATIONS,
  seed: seedMusidesk,
  context: (dataSource) => {
    const services = { repository: new MusideskRepository(dataSource), writes: new MusideskWrites(dataSource) };
    return () => musideskForRequest(services);
  },
};

export default definePoiSubgraph(poiByCode('RIJNBRINK'), __dirname, musidesk);
