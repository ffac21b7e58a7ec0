import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { derivePoi, POIS, Poi, validateRegistry, PoiRegistration, watchRegistry, REGISTRY_PATH } from '../shared/registry';

const base: PoiRegistration = {
  code: 'FRYSLAN',
  name: 'Bibliotheekservice Fryslân',
  fullName: 'Bibliotheekservice Fryslân',
  provinces: ['FRIESLAND'],
  seat: 'Leeuwarden',
  website: 'https://www.bibliotheekservicefryslan.nl',
  inSteeringGroup: false,
  port: 4006,
};

describe('POI registry', () => {
  it('registers the four partners with their provinces', () => {
    expect(POIS.map((p) => [p.code, p.provinces])).toEqual([
      ['BISC', ['UTRECHT']],
      ['CUBISS', ['NOORD_BRABANT', 'LIMBURG']],
      ['PROBIBLIO', ['NOORD_HOLLAND', 'ZUID_HOLLAND']],
      ['RIJNBRINK', ['GELDERLAND', 'OVERIJSSEL']],
    ]);
  });

  it('derives type, root field and folder names from the code', () => {
    expect(derivePoi(base)).toMatchObject({ typeName: 'FryslanPoi', rootField: 'fryslan', subgraphName: 'fryslan' });
  });

  it('accepts the current registry plus a valid newcomer', () => {
    expect(validateRegistry([...POIS, base])).toEqual([]);
  });

  it('refuses clashing codes, provinces and ports and unknown provinces', () => {
    const problems = validateRegistry([...POIS, { ...base, code: 'CUBISS', provinces: ['LIMBURG', 'ATLANTIS' as never], port: 4002 }]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"CUBISS" is registered twice'),
        expect.stringContaining('province LIMBURG is served by both CUBISS and CUBISS'),
        expect.stringContaining('unknown province "ATLANTIS"'),
        expect.stringContaining('port 4002 is already taken'),
      ]),
    );
  });
});

describe('following registry.json (watchRegistry)', () => {
  let dir: string;
  let stop: (() => void) | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
  });
  afterEach(() => {
    stop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function until(condition: () => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return condition();
  }

  it('reports a valid change once it settles, and logs and ignores an invalid file', async () => {
    const file = path.join(dir, 'registry.json');
    const original = fs.readFileSync(REGISTRY_PATH, 'utf8');
    fs.writeFileSync(file, original);
    const changes: (readonly Poi[])[] = [];
    const invalid: Error[] = [];
    stop = watchRegistry(
      (pois) => changes.push(pois),
      (error) => invalid.push(error),
      { file, debounceMs: 50 },
    );

    fs.writeFileSync(file, '[{ "code": "BROKEN"');
    expect(await until(() => invalid.length > 0)).toBe(true);
    fs.writeFileSync(file, JSON.stringify([...JSON.parse(original), { ...base, provinces: ['FRIESLAND', 'ATLANTIS'] }]));
    expect(await until(() => invalid.length > 1)).toBe(true);
    expect(invalid[1].message).toContain('unknown province "ATLANTIS"');
    expect(changes).toEqual([]);

    // Writes that settle into a newcomer are one change.
    fs.writeFileSync(file, original);
    fs.writeFileSync(file, JSON.stringify([...JSON.parse(original), base], null, 2));
    expect(await until(() => changes.length > 0)).toBe(true);
    expect(changes.map((pois) => pois.map((p) => p.code))).toEqual([['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK', 'FRYSLAN']]);
    expect(changes[0][4]).toMatchObject({ typeName: 'FryslanPoi', rootField: 'fryslan' });
  });
});
