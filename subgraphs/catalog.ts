import path from 'node:path';
import { definePoiSubgraph } from '../shared/poi/subgraph';
import { POIS } from '../shared/registry';
import type { SubgraphDefinition } from '../shared/subgraph';
import { collaborationSubgraph } from './collaboration/src/subgraph';

/** Every subgraph of the federation: the collaboration, then one per registered POI (from its folder). */
export const SUBGRAPHS: readonly SubgraphDefinition[] = [
  collaborationSubgraph,
  ...POIS.map((poi) => definePoiSubgraph(poi, path.join(__dirname, poi.subgraphName))),
];

export function subgraphDefinition(name: string): SubgraphDefinition {
  const found = SUBGRAPHS.find((s) => s.name === name.toLowerCase());
  if (!found) throw new Error(`Unknown subgraph "${name}". Known: ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
  return found;
}
