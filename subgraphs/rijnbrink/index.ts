// Rijnbrink's subgraph: the POI kit over Rijnbrink's own data (data/libraries.csv). What Rijnbrink adds of
// its own goes in this folder: schema.graphql, and the resolvers, entities and migrations behind it.
import { definePoiSubgraph } from '../../poi-kit/subgraph';
import { poiByCode } from '../../shared/registry';

export default definePoiSubgraph(poiByCode('RIJNBRINK'), __dirname);
