// The seed states only what the sources say (poi-facts, data/libraries.csv); what is invented is
// labelled demo. Each check here is a fact a POI employee would notice when it is wrong.
import fs from 'node:fs';
import path from 'node:path';
import { generatePoiData, readLibrarySources } from '../poi-kit/seed';
import { POIS, PROVINCES } from '../shared/registry';
import { COLLABORATION_SEED, agendaItems } from '../subgraphs/collaboration/src/seed';

const ROOT = path.resolve(__dirname, '..');
const options = { scale: 1, referenceDate: '2026-11-01' };
const dataOf = (code: string, referenceDate = options.referenceDate) => {
  const poi = POIS.find((p) => p.code === code)!;
  const sources = readLibrarySources(path.join(ROOT, 'subgraphs', poi.subgraphName, 'data', 'libraries.csv'));
  return generatePoiData(poi, sources, { ...options, referenceDate });
};
const all = POIS.map((poi) => ({ poi, data: dataOf(poi.code) }));
const current = (data: ReturnType<typeof dataOf>) => data.libraries.filter((l) => l.status === 'ACTIVE');

describe('seed facts: libraries', () => {
  it('BiSC: 9 libraries until 2024 (as its source lists them), 8 after the merger into Utrechtse Venen on 1 Jan 2025', () => {
    const { libraries, contracts } = dataOf('BISC');
    const activeOn = (day: string) => libraries.filter((l) => (l.activeFrom ?? '0000') <= day && (l.activeUntil ?? '9999') >= day);
    expect(activeOn('2024-12-31')).toHaveLength(9);
    expect(activeOn('2025-01-01')).toHaveLength(8);
    expect(current(dataOf('BISC'))).toHaveLength(8);
    const venen = libraries.find((l) => l.name === 'Bibliotheek Utrechtse Venen')!;
    expect(venen.activeFrom).toBe('2025-01-01');
    const merged = libraries.filter((l) => l.status === 'MERGED');
    expect(merged.map((l) => l.name).sort()).toEqual(['Bibliotheek Angstel, Vecht en Venen', 'Bibliotheek Het Groene Hart']);
    for (const library of merged) {
      expect(library).toMatchObject({ activeUntil: '2024-12-31', successorId: venen.id });
      expect(contracts.filter((c) => c.libraryId === library.id && c.status === 'ACTIVE')).toEqual([]);
      expect(contracts.filter((c) => c.libraryId === library.id).every((c) => c.endsOn <= '2024-12-31')).toBe(true);
    }
  });

  it('a merged library opens no requests after it ended', () => {
    const { libraries, tickets } = dataOf('BISC');
    expect(tickets.filter((t) => libraries[t.libraryId - 1].activeUntil).length).toBeGreaterThan(0);
    for (const library of libraries.filter((l) => l.activeUntil)) {
      for (const ticket of tickets.filter((t) => t.libraryId === library.id)) {
        expect(ticket.openedAt.toISOString().slice(0, 10) <= library.activeUntil!).toBe(true);
        expect(ticket.resolvedAt).not.toBeNull();
      }
    }
  });

  it('municipalities are names of gemeenten, never notes, and the current ones', () => {
    for (const { data } of all) {
      for (const library of data.libraries) {
        for (const municipality of library.municipalities) {
          // The only parentheses in a gemeente's name: Bergen (L.) and Bergen (NH.).
          expect(municipality).toMatch(/^[^()]+$|^Bergen \((L|NH)\.\)$/);
        }
      }
      for (const branch of data.branches) expect(branch.city).not.toMatch(/[()]/);
    }
    const names = all.flatMap(({ data }) => data.libraries.flatMap((l) => l.municipalities));
    for (const old of ['Landerd', 'Uden', 'Veghel', 'Schijndel', 'Sint-Oedenrode']) expect(names).not.toContain(old);
    expect(dataOf('CUBISS').libraries.find((l) => l.name.includes('NOBB'))!.municipalities).toEqual(['Oss', 'Bernheze', 'Maashorst', 'Meierijstad']);
  });

  it("branches in a border town get a postal code of that town's province", () => {
    const inRange = (code: string, [low, high]: [number, number]) => Number(code.slice(0, 4)) >= low && Number(code.slice(0, 4)) <= high;
    const hillegom = dataOf('PROBIBLIO').branches.filter((b) => b.city === 'Hillegom');
    const eemnes = dataOf('PROBIBLIO').branches.filter((b) => b.city === 'Eemnes');
    expect(hillegom.length + eemnes.length).toBeGreaterThan(0);
    for (const branch of hillegom) expect(inRange(branch.postalCode, [2100, 3399])).toBe(true);
    for (const branch of eemnes) expect(inRange(branch.postalCode, [3400, 3999])).toBe(true);
    expect(PROVINCES).toContain('ZUID_HOLLAND');
  });
});

describe('seed facts: knowledge articles', () => {
  it('names no invented knowledge base as real, and eKIC and bnbibliotheek are not live sources', () => {
    for (const { data } of all) {
      for (const article of data.knowledgeArticles) {
        expect(article.source).toMatch(/^Demo /);
        expect(article.source).not.toMatch(/eKIC|bnbibliotheek|Kennisbank|Servicedesk/);
      }
    }
  });

  it('tells the history of eKIC and bnbibliotheek at Cubiss, with its sources', () => {
    const history = dataOf('CUBISS').knowledgeArticles.filter((a) => /eKIC/.test(a.body));
    expect(history).toHaveLength(1);
    expect(history[0].body).toMatch(/2010/);
    expect(history[0].body).toMatch(/Bibliotheekhuis Limburg/);
    expect(history[0].body).toMatch(/2012/);
    expect(history[0].tags).toContain('geschiedenis');
  });

  it('articles about platform Midden-Zuid only at the POIs that built it', () => {
    for (const { poi, data } of all) {
      const midZuid = data.knowledgeArticles.filter((a) => a.body.includes('Midden-Zuid'));
      if (!['BISC', 'CUBISS'].includes(poi.code)) expect(midZuid).toEqual([]);
    }
  });
});

describe('seed facts: the collaboration', () => {
  it('the steering group steers the work agenda since October 2021', () => {
    for (const member of COLLABORATION_SEED.steeringGroup) expect(member.since).toBe('2021-10-01');
  });

  it('the 2023 decision did not set up the steering group and agenda, which already existed', () => {
    const item = COLLABORATION_SEED.agenda.find((i) => i.id === 'WA-2023-01')!;
    expect(item.description).not.toMatch(/inrichting: stuurgroep/);
    expect(item.description).toMatch(/sinds oktober 2021/);
  });

  it('records no invented evaluation outcome', () => {
    for (const evaluation of COLLABORATION_SEED.evaluations) {
      expect(evaluation.status).toBe('PLANNED');
      expect(evaluation.summary).toBeNull();
    }
  });

  it('labels the network-agenda goals as demo', () => {
    const sdl = fs.readFileSync(path.join(ROOT, 'subgraphs/collaboration/schema.graphql'), 'utf8');
    expect(sdl).toMatch(/"Demo[^"]*"\s*type NetworkAgendaGoal/);
  });

  it('done agenda items keep their dates; no item falls due before the year it was created', () => {
    const early = agendaItems('2026-11-01');
    const late = agendaItems('2031-03-01');
    for (const item of early) {
      const other = late.find((i) => i.id === item.id)!;
      if (item.status === 'DONE') expect(other.dueOn).toBe(item.dueOn);
      for (const row of [item, other]) if (row.dueOn) expect(row.dueOn.slice(0, 4) >= row.id.slice(3, 7)).toBe(true);
    }
    expect(early.find((i) => i.id === 'WA-2021-01')!.dueOn).toBe('2021-10-01');
    // A SEED_DATE before an item was created still gives it a date in or after that year.
    for (const item of agendaItems('2020-01-01')) if (item.dueOn) expect(item.dueOn.slice(0, 4) >= item.id.slice(3, 7)).toBe(true);
  });
});

describe('seed facts: example operations', () => {
  it('no longer say a later security change may restrict the fees: the contracts scope does', () => {
    for (const file of fs.readdirSync(path.join(ROOT, 'operations'))) {
      expect(fs.readFileSync(path.join(ROOT, 'operations', file), 'utf8')).not.toMatch(/later security\s*(#\s*)?change/);
    }
  });
});
