import { derivePoi, POIS, validateRegistry, PoiRegistration } from '../shared/registry';

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
    const problems = validateRegistry([
      ...POIS,
      { ...base, code: 'CUBISS', provinces: ['LIMBURG', 'ATLANTIS' as never], port: 4002 },
    ]);
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
