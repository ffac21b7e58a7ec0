import path from 'node:path';
import { generatePoiData, readLibrarySources } from '../poi-kit/seed';
import { POIS } from '../shared/registry';

const options = { scale: 1, referenceDate: '2026-11-01' };

describe('seed data', () => {
  for (const poi of POIS) {
    const sources = readLibrarySources(path.join(__dirname, '..', 'subgraphs', poi.subgraphName, 'data', 'libraries.csv'));

    it(`${poi.name}: takes its libraries from its own list, all within its provinces`, () => {
      expect(sources.length).toBeGreaterThan(0);
      const data = generatePoiData(poi, sources, options);
      expect(data.libraries.map((l) => l.name)).toEqual(sources.map((s) => s.organisation));
      for (const library of data.libraries) expect(poi.provinces).toContain(library.province);
    });
  }

  const poi = POIS[1];
  const sources = readLibrarySources(path.join(__dirname, '..', 'subgraphs', poi.subgraphName, 'data', 'libraries.csv'));

  it('is deterministic', () => {
    expect(generatePoiData(poi, sources, options)).toEqual(generatePoiData(poi, sources, options));
  });

  it('grows tickets, contract history and articles with the scale factor, not libraries', () => {
    const one = generatePoiData(poi, sources, options);
    const five = generatePoiData(poi, sources, { ...options, scale: 5 });
    expect(five.libraries).toHaveLength(one.libraries.length);
    expect(five.tickets.length).toBeGreaterThan(one.tickets.length * 3);
    expect(five.contracts.length).toBeGreaterThan(one.contracts.length);
    expect(five.knowledgeArticles).toHaveLength(one.knowledgeArticles.length * 5);
  });

  it('makes plausible contracts and tickets', () => {
    const data = generatePoiData(poi, sources, options);
    const ref = Date.parse('2026-11-01T00:00:00Z');
    expect(data.libraries.length).toBeGreaterThan(0);
    expect(data.tickets.length).toBeGreaterThan(0);
    expect(data.tickets.some((t) => t.resolvedAt) && data.tickets.some((t) => !t.resolvedAt)).toBe(true);
    for (const library of data.libraries) {
      const contracts = data.contracts.filter((c) => c.libraryId === library.id);
      expect(contracts.filter((c) => c.status === 'ACTIVE' || c.status === 'TERMINATED')).toHaveLength(1);
      for (const contract of contracts) expect(contract.startsOn < contract.endsOn).toBe(true);
      expect(data.branches.filter((b) => b.libraryId === library.id && b.isMain)).toHaveLength(1);
    }
    for (const ticket of data.tickets) {
      expect(ticket.openedAt.getTime()).toBeLessThan(ref);
      if (ticket.resolvedAt) expect(ticket.resolvedAt.getTime()).toBeGreaterThan(ticket.openedAt.getTime());
      expect(ticket.resolvedAt === null).toBe(['OPEN', 'IN_PROGRESS', 'WAITING'].includes(ticket.status));
    }
  });
});
