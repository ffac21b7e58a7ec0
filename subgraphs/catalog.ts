import fs from 'node:fs';
import path from 'node:path';
import { definePoiSubgraph } from '../poi-kit/subgraph';
import type { Config } from '../shared/config';
import { Poi, POIS, REGISTRY_PATH } from '../shared/registry';
import { composeSupergraph } from '../shared/supergraph';
import type { SubgraphDefinition } from '../shared/subgraph';
import { defineCollaborationSubgraph } from './collaboration/src/subgraph';
import { defineNetworkSubgraph } from './network/src/subgraph';

/**
 * A POI's subgraph as its own folder builds it (`index.ts` there, `index.js` when compiled: the kit plus what the POI adds),
 * or the kit alone for a folder without an entry point (a POI made up by a benchmark).
 */
function poiSubgraph(poi: Poi, folder: string): SubgraphDefinition {
  // index.ts in the sources, index.js in the compiled build (dist/).
  const entry = ['index.ts', 'index.js'].map((file) => path.join(folder, file)).find((file) => fs.existsSync(file));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a POI's entry point, found by path at run time
  return entry ? (require(entry) as { default: SubgraphDefinition }).default : definePoiSubgraph(poi, folder);
}

/**
 * The subgraphs of a federation over a registry: the collaboration, then one per POI, each from
 * its folder (`subgraphs/<name>` unless `folderOf` says otherwise), then the network subgraph
 * (network lists over those POIs). With `registryFile` the collaboration and the network
 * subgraph follow that file while they run.
 */
export function createSubgraphs(
  pois: readonly Poi[],
  folderOf: (poi: Poi) => string = (poi) => path.join(__dirname, poi.subgraphName),
  registryFile?: string,
): SubgraphDefinition[] {
  return [defineCollaborationSubgraph(pois, registryFile), ...pois.map((poi) => poiSubgraph(poi, folderOf(poi))), defineNetworkSubgraph(pois, registryFile)];
}

/** Every subgraph of this federation, from the registry (registry.json, which the collaboration follows). */
export const SUBGRAPHS: readonly SubgraphDefinition[] = createSubgraphs(POIS, undefined, REGISTRY_PATH);

export function subgraphDefinition(name: string): SubgraphDefinition {
  const found = SUBGRAPHS.find((s) => s.name === name.toLowerCase());
  if (!found) throw new Error(`Unknown subgraph "${name}". Known: ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
  return found;
}

/** Composes this federation's supergraph, with each subgraph at its configured URL. */
export function composeConfiguredSupergraph(config: Config): { supergraphSdl: string; hints: string[] } {
  return composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, url: config.subgraphs.find((c) => c.name === s.name)!.url, sdl: s.sdl })));
}
