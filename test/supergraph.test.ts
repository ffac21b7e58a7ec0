import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../shared/config';
import { composeSupergraph, CompositionError } from '../shared/supergraph';
import { composeConfiguredSupergraph, SUBGRAPHS } from '../subgraphs/catalog';

const defaults = loadConfig({});
const sources = SUBGRAPHS.map((s) => ({ name: s.name, url: defaults.subgraphs.find((c) => c.name === s.name)!.url, sdl: s.sdl }));

describe('the composed supergraph', () => {
  it('is committed and equal to a fresh composition (run `npm run compose`)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8');
    expect(committed).toBe(composeConfiguredSupergraph(defaults).supergraphSdl);
  });

  it('routes each POI type to its own subgraph and keeps POI-owned fields nullable', () => {
    const { supergraphSdl } = composeSupergraph(sources);
    for (const name of ['Bisc', 'Cubiss', 'Probiblio', 'Rijnbrink']) {
      const block = supergraphSdl.match(new RegExp(`type ${name}Poi implements Poi[^{]*\\{[^}]*\\}`))![0];
      expect(block).toContain(`@join__type(graph: ${name.toUpperCase()}, key: "code")`);
      expect(block).toContain('@join__type(graph: COLLABORATION, key: "code")');
      expect(block).toMatch(/\): LibraryConnection @join__field\(graph: /);
      expect(block).toMatch(/stats: PoiStats @join__field/);
    }
  });

  it('reports a composition error readably', () => {
    const broken = sources.map((s) => (s.name === 'bisc' ? { ...s, sdl: s.sdl.replace('enum Province {', 'enum Province {\n  ATLANTIS') } : s));
    expect(() => composeSupergraph(broken)).toThrow(CompositionError);
    expect(() => composeSupergraph(broken)).toThrow(/Province/);
  });
});
