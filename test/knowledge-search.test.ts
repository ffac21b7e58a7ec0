/**
 * Knowledge search (issue 17 item 7): Dutch word forms meet (Snowball stems, at index and query
 * time, kept on every write and import), per-POI search and the network's one ranking
 * (`network { knowledgeSearch }`), scored with the network's term statistics and folding the same
 * article published by several POIs. Runs on the embedded databases, and on MySQL/MariaDB when
 * `<NAME>_DATABASE_URL` is set (.ci/mariadb.sh).
 */
import { importRows } from '../poi-kit/import';
import { KnowledgeTerms1796550000000 } from '../poi-kit/migrations/1796550000000-KnowledgeTerms';
import { searchTerms, stem, termsOf } from '../poi-kit/search-index';
import { POIS } from '../shared/registry';
import { pages } from './helpers/pages';
import { startStack, Stack } from './helpers/stack';

describe('Dutch word forms', () => {
  it('gives reserveren, reservering, reserveringen and gereserveerd one stem', () => {
    const stems = ['reserveren', 'reservering', 'reserveringen', 'gereserveerd', 'Gereserveerde'].map(stem);
    expect(new Set(stems).size).toBe(1);
    expect(stem('reserveren')).not.toBe('reserveren');
  });

  it('rewrites only the past participles of -eren verbs (ge…eerd), not every word starting with ge-', () => {
    expect(stem('gecontroleerd')).toBe(stem('controleren'));
    expect(stem('geïnstalleerd')).toBe(stem('installeren'));
    expect(stem('geleerd')).toBe(stem('leren'));
    // "gebruikt" is also a form of "gebruiken": the ge- stays.
    expect(stem('gebruikt').startsWith('gebruik')).toBe(true);
    expect(stem('gezondheid').startsWith('gezond')).toBe(true);
  });

  it('leaves stop words and short words out of a search, and a stem that starts another', () => {
    expect(searchTerms('een van de')).toEqual([]);
    expect(searchTerms('reserveren van boeken')).toEqual([stem('boeken'), stem('reserveren')].sort());
    expect(searchTerms('reserv reserveringen')).toEqual([stem('reserveringen')]);
    expect(termsOf('De reservering is gereserveerd')).toEqual([stem('reservering'), stem('gereserveerd')]);
  });
});

let stack: Stack;
const CODES = POIS.map((p) => p.code).sort();

beforeAll(async () => {
  stack = await startStack({ env: { RESPONSE_CACHE: 'off' } });
});
afterAll(() => stack?.stop());

async function data(query: string, variables?: Record<string, unknown>) {
  const response = await stack.query(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data;
}

interface Article {
  id: string;
  title: string;
  summary: string;
  body: string;
  tags: string[];
  contentHash: string;
}

/** Every article of every POI, read without searching. */
async function allArticles(): Promise<{ code: string; article: Article }[]> {
  const { pois } = await data(`{ pois { code knowledgeArticles(first: 100) { totalCount nodes { id title summary body tags contentHash } } } }`);
  return pois.flatMap((p: { code: string; knowledgeArticles: { totalCount: number; nodes: Article[] } }) => {
    expect(p.knowledgeArticles.nodes).toHaveLength(p.knowledgeArticles.totalCount);
    return p.knowledgeArticles.nodes.map((article) => ({ code: p.code, article }));
  });
}

const textOf = (a: Article) => `${a.title} ${a.summary} ${a.body} ${a.tags.join(' ')}`.toLowerCase();

/**
 * BM25 recomputed here from the articles' texts (not from the index): weighted term frequencies
 * (title 4, summary 2, body 1, tags 3, README "Knowledge search"), k1 1.2, b 0.75, Lucene's idf,
 * with the statistics of `collection`; a search term matches the terms it starts.
 */
function recompute(text: string, collection: Article[]) {
  const query = searchTerms(text);
  const bag = (a: Article) => {
    const counts = new Map<string, number>();
    let length = 0;
    for (const [field, weight] of [
      [a.title, 4],
      [a.summary, 2],
      [a.body, 1],
      [a.tags.join(' '), 3],
    ] as const) {
      for (const term of termsOf(field)) {
        counts.set(term, (counts.get(term) ?? 0) + weight);
        length += weight;
      }
    }
    const tf = (q: string) => [...counts].reduce((sum, [term, n]) => (term.startsWith(q) ? sum + n : sum), 0);
    return { tf, length };
  };
  const bags = collection.map(bag);
  const n = collection.length;
  const average = bags.reduce((sum, b) => sum + b.length, 0) / n;
  const df = new Map(query.map((q) => [q, bags.filter((b) => b.tf(q) > 0).length]));
  return (a: Article): number | null => {
    const b = bag(a);
    if (query.some((q) => b.tf(q) === 0)) return null;
    let score = 0;
    for (const q of query) {
      const idf = Math.log(1 + (n - df.get(q)! + 0.5) / (df.get(q)! + 0.5));
      score += (idf * b.tf(q) * 2.2) / (b.tf(q) + 1.2 * (0.25 + (0.75 * b.length) / average));
    }
    return score;
  };
}

/** Every page of the network's search, `first` at a time. */
async function walk(text: string, first: number) {
  const hits: any[] = [];
  const page = async (after: string | null) =>
    (
      await data(
        `query($text: String!, $first: Int, $after: String) { network { knowledgeSearch(text: $text, first: $first, after: $after) {
        totalCount incomplete nodes { id title score contentHash poi { code } publishers { code } } pageInfo { endCursor hasNextPage } } } }`,
        { text, first, after },
      )
    ).network.knowledgeSearch;
  for await (const search of pages(page, { maxPages: 100 })) hits.push(...search.nodes);
  return hits;
}

describe('per-POI knowledge search', () => {
  it('finds an article by another form of its words, on each POI', async () => {
    const { pois } = await data(`{ pois { code participle: knowledgeArticles(search: "gereserveerd", first: 100) { nodes { title summary body tags score } }
      infinitive: knowledgeArticles(search: "reserveren", first: 100) { nodes { title summary body tags score } } } }`);
    for (const poi of pois) {
      // "Reserveringen: …" never says "gereserveerd", "Exemplaarstatussen …" only says "gereserveerd".
      const reservations = poi.participle.nodes.find((a: Article) => a.title.startsWith('Reserveringen'));
      expect(reservations).toBeDefined();
      expect(textOf(reservations)).not.toContain('gereserveerd');
      const statuses = poi.infinitive.nodes.find((a: Article) => a.title.startsWith('Exemplaarstatussen'));
      expect(statuses).toBeDefined();
      expect(textOf(statuses)).not.toMatch(/reserveren|reservering/);
      for (const list of [poi.participle, poi.infinitive]) {
        const scores = list.nodes.map((a: { score: number }) => a.score);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      }
    }
  });

  it('scores with its own statistics, or with given ones, which it checks', async () => {
    const cubiss = (await allArticles()).filter((a) => a.code === 'CUBISS').map((a) => a.article);
    const own = recompute('reserveringen', cubiss);
    const found = (await data(`{ cubiss { knowledgeArticles(search: "reserveringen", first: 100) { nodes { id score } } } }`)).cubiss.knowledgeArticles;
    expect(found.nodes.length).toBe(cubiss.filter((a) => own(a) !== null).length);
    for (const hit of found.nodes) expect(hit.score).toBeCloseTo(own(cubiss.find((a) => a.id === hit.id)!)!, 5);

    const bad = await stack.query(
      `{ cubiss { knowledgeArticles(search: "reserveringen", statistics: { documentCount: 0, totalLength: 10, terms: [{ term: "reserver", documentFrequency: 5 }] }) { totalCount } } }`,
    );
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((bad.errors?.[0].extensions?.problems as { field: string }[]).map((p) => p.field)).toEqual([
      'statistics.documentCount',
      'statistics.terms[0].documentFrequency',
    ]);
  });
});

describe('the network knowledge search', () => {
  beforeAll(async () => {
    // Cubiss gets articles of its own on reservations, so its own statistics differ from the network's.
    for (const [i, body] of [
      'Reserveringen vervallen na de afhaaltermijn.',
      'Een reservering kan de lener zelf annuleren.',
      'Gereserveerde exemplaren staan op de afhaalplank.',
    ].entries()) {
      await data(`mutation($input: KnowledgeArticleInput!) { cubiss { createKnowledgeArticle(input: $input) { id } } }`, {
        input: { title: `Reserveringstip ${i + 1}`, summary: 'Demo: een tip over reserveringen.', body, tags: ['reserveringen'], source: 'Demo testbank' },
      });
    }
  });

  it.each(['reserveringen', 'reserveringen afhaaltermijn'])(
    'ranks every POI in one order for "%s", with scores recomputed from the network-wide statistics',
    async (text) => {
      const articles = await allArticles();
      const score = recompute(
        text,
        articles.map((a) => a.article),
      );
      // Expected: every match, best first (ties by POI code, then id, as the owners order), copies with the same score folded.
      const matches = articles
        .map(({ code, article }) => ({ code, article, score: score(article) }))
        .filter((m): m is typeof m & { score: number } => m.score !== null)
        .sort((a, b) => b.score - a.score || a.code.localeCompare(b.code) || Number(b.article.id) - Number(a.article.id));
      const expected: { title: string; score: number; publishers: string[] }[] = [];
      for (const m of matches) {
        const same = expected.find((e) => e.title === m.article.title && Math.abs(e.score - m.score) < 1e-6);
        if (same) same.publishers.push(m.code);
        else expected.push({ title: m.article.title, score: m.score, publishers: [m.code] });
      }
      expect(expected.length).toBeGreaterThanOrEqual(2);

      const hits = await walk(text, 100);
      expect(hits.map((h) => h.title)).toEqual(expected.map((e) => e.title));
      hits.forEach((hit, i) => {
        expect(hit.score).toBeCloseTo(expected[i].score, 5);
        expect(hit.publishers.map((p: { code: string }) => p.code)).toEqual(expected[i].publishers);
        expect(hit.poi.code).toBe(expected[i].publishers[0]);
      });

      // Cubiss' own ranking scores differently: the network's statistics are really used.
      const cubissOwn = recompute(
        text,
        articles.filter((a) => a.code === 'CUBISS').map((a) => a.article),
      );
      const reservations = articles.find((a) => a.code === 'CUBISS' && a.article.title.startsWith('Reserveringen:'))!.article;
      expect(Math.abs(cubissOwn(reservations)! - score(reservations)!)).toBeGreaterThan(1e-3);
    },
  );

  it('folds the same article published by several POIs into one hit naming them all', async () => {
    const hits = await walk('reserveringen', 100);
    const seeded = hits.filter((h) => h.title === 'Reserveringen: van aanvraag tot afhaalbericht');
    expect(seeded).toHaveLength(1);
    expect(seeded[0].publishers.map((p: { code: string }) => p.code)).toEqual(CODES);
    // Folding goes by content: every hash appears once on the page.
    expect(new Set(hits.map((h) => h.contentHash)).size).toBe(hits.length);
    // Cubiss' own tips are its alone.
    for (const tip of hits.filter((h) => h.title.startsWith('Reserveringstip'))) expect(tip.publishers).toEqual([{ code: 'CUBISS' }]);
  });

  it('pages resume exactly, each hit once, scored as the first page was', async () => {
    const whole = await walk('reserveringen', 100);
    const paged = await walk('reserveringen', 1);
    expect(paged.map((h) => [h.title, h.score, h.publishers])).toEqual(whole.map((h) => [h.title, h.score, h.publishers]));
  });

  it('only the POIs asked, with their statistics', async () => {
    const { network } = await data(
      `{ network { knowledgeSearch(text: "reserveringen", pois: ["BISC"], first: 100) { totalCount nodes { score publishers { code } } } } }`,
    );
    const { bisc } = await data(`{ bisc { knowledgeArticles(search: "reserveringen", first: 100) { totalCount nodes { score } } } }`);
    expect(network.knowledgeSearch.totalCount).toBe(bisc.knowledgeArticles.totalCount);
    expect(network.knowledgeSearch.nodes.map((n: { score: number }) => n.score)).toEqual(bisc.knowledgeArticles.nodes.map((n: { score: number }) => n.score));
    for (const hit of network.knowledgeSearch.nodes) expect(hit.publishers).toEqual([{ code: 'BISC' }]);
  });

  it("refuses a search without a real word once, as the caller's mistake", async () => {
    const response = await stack.query(`{ network { knowledgeSearch(text: "de en het") { totalCount } } }`);
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the index follows every write', () => {
  it('an updated article is found by its new words only; an imported one at once, by any form', async () => {
    const created = await data(
      `mutation { probiblio { createKnowledgeArticle(input: { title: "Demo: wachtlijst", summary: "Demo.", body: "Leners op de wachtlijst krijgen een waarschuwing.", tags: [], source: "Demo testbank" }) { id version } } }`,
    );
    const id = created.probiblio.createKnowledgeArticle.id;
    const search = async (text: string) =>
      (
        await data(`query($t: String!) { probiblio { knowledgeArticles(search: $t, first: 100) { nodes { id } } } }`, { t: text })
      ).probiblio.knowledgeArticles.nodes.map((n: { id: string }) => n.id);
    expect(await search('waarschuwen wachtlijst')).toEqual([id]);
    await data(
      `mutation { probiblio { updateKnowledgeArticle(id: "${id}", input: { body: "Leners op de wachtlijst krijgen een bericht.", expectedVersion: 1 }) { version } } }`,
    );
    expect(await search('waarschuwen')).toEqual([]);
    expect(await search('wachtlijst berichten')).toEqual([id]);

    const probiblio = POIS.find((p) => p.code === 'PROBIBLIO')!;
    const db = stack.subgraphs.get(probiblio.subgraphName)!.database.dataSource;
    const file = 'title,summary,body,tags,source\nDemo: klachten registreren,Demo.,Klachten worden geregistreerd in het logboek.,klachten,Demo import\n';
    expect(await importRows(db, probiblio, { entity: 'knowledge', format: 'csv', content: file, actor: { name: 'import:test', via: 'import' } })).toMatchObject(
      { created: 1 },
    );
    const imported = await search('registreren klacht');
    expect(imported).toHaveLength(1);
    expect(await search('geregistreerd')).toEqual(imported);
  });
});

describe('the migration that brought the index', () => {
  it('fills it for the articles already there exactly as the writes keep it', async () => {
    const cubiss = POIS.find((p) => p.code === 'CUBISS')!;
    const db = stack.subgraphs.get(cubiss.subgraphName)!.database.dataSource;
    const snapshot = async () => ({
      terms: await db.query('SELECT article_id, term, tf FROM knowledge_term ORDER BY article_id, term'),
      articles: await db.query('SELECT id, term_count, content_hash FROM knowledge_article ORDER BY id'),
    });
    const before = await snapshot();
    expect(before.terms.length).toBeGreaterThan(0);
    const migration = new KnowledgeTerms1796550000000();
    const runner = db.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await snapshot()).toEqual(before);
  });
});
