// Federations of N POIs for benchmarks: the registered four plus synthetic ones, in memory only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../shared/config';
import { derivePoi, Poi, POIS } from '../shared/registry';
import { createSubgraphs } from '../subgraphs/catalog';

export interface Federation {
  pois: Poi[];
  /** Synthetic POI code → the real POI whose provinces and seed folder it borrows. */
  borrowed: Record<string, string>;
}

/**
 * The four registered POIs plus N-4 synthetic ones (SCALE05, SCALE06, …). Each synthetic POI takes
 * the provinces and the seed folder (subgraphs/<poi>/data/libraries.csv) of a real POI, round-robin,
 * so provinces are shared: the real registry (and `npm run poi:add`) would refuse that, which is
 * why these registrations only live in memory.
 */
export function federationOf(n: number): Federation {
  const pois: Poi[] = [...POIS];
  const borrowed: Record<string, string> = {};
  for (let i = 0; pois.length < n; i++) {
    const source = POIS[i % POIS.length];
    const number = String(pois.length + 1).padStart(2, '0');
    const poi = derivePoi({
      code: `SCALE${number}`,
      name: `Scale ${number}`,
      fullName: `Synthetic POI ${number} (provinces and seed data of ${source.name})`,
      provinces: [...source.provinces],
      seat: source.seat,
      website: `https://scale${number}.example`,
      inSteeringGroup: false,
      port: 0, // unused: stacks listen on free ports
    });
    pois.push(poi);
    borrowed[poi.code] = source.code;
  }
  return { pois, borrowed };
}

/**
 * The federation's subgraphs. A synthetic POI gets a folder of its own (in the temp dir) with only
 * the borrowed seed data, so it is built from the kit alone: the real folder's entry point would
 * build the real POI's subgraph.
 */
export function subgraphsOf({ pois, borrowed }: Federation) {
  const folderOf = (poi: Poi) => {
    const owner = POIS.find((p) => p.code === (borrowed[poi.code] ?? poi.code))!;
    const real = path.join(PROJECT_ROOT, 'subgraphs', owner.subgraphName);
    if (!borrowed[poi.code]) return real;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), `poi-${poi.subgraphName}-`));
    process.once('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
    fs.symlinkSync(path.join(real, 'data'), path.join(folder, 'data'));
    return folder;
  };
  return createSubgraphs(pois, folderOf);
}
