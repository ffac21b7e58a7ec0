import path from 'node:path';
import { definePoiSubgraph } from '../shared/poi/subgraph';
import type { Config } from '../shared/config';
import { Poi, POIS } from '../shared/registry';
import { composeSupergraph } from '../shared/supergraph';
import type { SubgraphDefinition } from '../shared/subgraph';
import { defineCollaborationSubgraph } from './collaboration/src/subgraph';

/**
 * The subgraphs of a federation over a registry: the collaboration, then one per POI. A POI's
 * seed data comes from its folder (`subgraphs/<name>` unless `folderOf` says otherwise).
 */
export function createSubgraphs(
  pois: readonly Poi[],
  folderOf: (poi: Poi) => string = (poi) => path.join(__dirname, poi.subgraphName),
): SubgraphDefinition[] {
  return [defineCollaborationSubgraph(pois), ...pois.map((poi) => definePoiSubgraph(poi, folderOf(poi)))];
}

/** Every subgraph of this federation, from the registry. */
export const SUBGRAPHS: readonly SubgraphDefinition[] = createSubgraphs(POIS);

export function subgraphDefinition(name: string): SubgraphDefinition {
  const found = SUBGRAPHS.find((s) => s.name === name.toLowerCase());
  if (!found) throw new Error(`Unknown subgraph "${name}". Known: ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
  return found;
}

/** Composes this federation's supergraph, with each subgraph at its configured URL. */
export function composeConfiguredSupergraph(config: Config): { supergraphSdl: string; hints: string[] } {
  return composeSupergraph(
    SUBGRAPHS.map((s) => ({ name: s.name, url: config.subgraphs.find((c) => c.name === s.name)!.url, sdl: s.sdl })),
  );
}
