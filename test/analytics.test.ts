import { pages } from './helpers/pages';
import { startStack, Stack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function data(query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await stack.query(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data;
}

const isoDay = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Walks a POI's list page by page; returns every node. */
async function walk(list: 'libraries' | 'contracts' | 'tickets', fields: string, args: string, pageSize: number, poi = 'cubiss') {
  const nodes: any[] = [];
  const page = async (after: string | null) =>
    (
      await data(
        `query Walk($after: String) { ${poi} { list: ${list}(${args} first: ${pageSize}, after: $after) { totalCount nodes { ${fields} } pageInfo { hasNextPage endCursor } } } }`,
        { after },
      )
    )[poi].list;
  for await (const connection of pages(page, { maxPages: 200 })) {
    nodes.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) expect(nodes).toHaveLength(connection.totalCount);
  }
  return nodes;
}

function expectSorted(values: (string | number | null)[], direction: 'ASC' | 'DESC') {
  for (let i = 1; i < values.length; i++) {
    const [a, b] = direction === 'ASC' ? [values[i - 1], values[i]] : [values[i], values[i - 1]];
    if (a !== null && b !== null) expect(a <= b).toBe(true);
  }
}

describe('sorting and cursors', () => {
  const cases: ['libraries' | 'contracts' | 'tickets', string, string, (n: any) => string | number | null][] = [
    ['libraries', 'MEMBER_COUNT', 'id memberCount', (n) => n.memberCount],
    ['libraries', 'PROVINCE', 'id province', (n) => n.province],
    ['contracts', 'ENDS_ON', 'id endsOn', (n) => n.endsOn],
    ['contracts', 'STARTS_ON', 'id startsOn', (n) => n.startsOn],
    ['contracts', 'ANNUAL_FEE', 'id annualFee', (n) => n.annualFee],
    ['tickets', 'OPENED_AT', 'id openedAt', (n) => n.openedAt],
    ['tickets', 'PRIORITY', 'id priority', (n) => n.priority],
    ['tickets', 'RESOLVED_AT', 'id resolvedAt', (n) => n.resolvedAt ?? '9999'],
  ];
  for (const [list, field, fields, valueOf] of cases) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`${list} by ${field} ${direction}: every item once, in order, whatever the page size`, async () => {
        const args = `orderBy: { field: ${field}, direction: ${direction} },`;
        const small = await walk(list, fields, args, 7);
        const large = await walk(list, fields, args, 100);
        expect(small.map((n) => n.id)).toEqual(large.map((n) => n.id));
        expect(new Set(small.map((n) => n.id)).size).toBe(small.length);
        expectSorted(small.map(valueOf), direction);
      });
    }
  }

  it('refuses a cursor from another sort order', async () => {
    const { cubiss } = await data(`{ cubiss { libraries(first: 2) { pageInfo { endCursor } } } }`);
    const response = await stack.query(`query Next($after: String) { cubiss { libraries(orderBy: { field: MEMBER_COUNT }, after: $after) { totalCount } } }`, {
      after: cubiss.libraries.pageInfo.endCursor,
    });
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('filters agree with the aggregates that summarise them', () => {
  it('libraries: with and without an active contract add up; per province matches librariesByProvince', async () => {
    const { cubiss } = await data(`{ cubiss {
      all: libraries { totalCount } active: libraries(filter: { hasActiveContract: true }) { totalCount }
      inactive: libraries(filter: { hasActiveContract: false }) { totalCount }
      limburg: libraries(filter: { province: LIMBURG }) { totalCount } brabant: libraries(filter: { province: NOORD_BRABANT }) { totalCount }
      stats { libraryCount activeContractCount librariesByProvince { key count } } } }`);
    expect(cubiss.active.totalCount + cubiss.inactive.totalCount).toBe(cubiss.all.totalCount);
    expect(cubiss.active.totalCount).toBe(cubiss.stats.activeContractCount);
    expect(cubiss.stats.librariesByProvince).toEqual([
      { key: 'LIMBURG', count: cubiss.limburg.totalCount },
      { key: 'NOORD_BRABANT', count: cubiss.brabant.totalCount },
    ]);
  });

  it('contracts: status, service and end-date filters hold for every item; expiring count matches', async () => {
    const from = isoDay(0);
    const until = isoDay(180);
    const { probiblio } = await data(
      `query Expiring($from: Date!, $until: Date!) { probiblio {
        expiring: contracts(filter: { status: ACTIVE, endsAfter: $from, endsBefore: $until }, first: 100) { totalCount nodes { status endsOn } }
        helpdesk: contracts(filter: { service: INTERLIBRARY_LOAN }, first: 100) { totalCount nodes { services } }
        active: contracts(filter: { status: ACTIVE }) { totalCount }
        stats { activeContractCount contractsExpiringWithin(days: 180) } } }`,
      { from, until },
    );
    expect(probiblio.stats.contractsExpiringWithin).toBe(probiblio.expiring.totalCount);
    expect(probiblio.expiring.nodes.length).toBeGreaterThan(0);
    expect(probiblio.helpdesk.nodes.length).toBeGreaterThan(0);
    for (const c of probiblio.expiring.nodes) {
      expect(c.status).toBe('ACTIVE');
      expect(c.endsOn >= from && c.endsOn < until).toBe(true);
    }
    for (const c of probiblio.helpdesk.nodes) expect(c.services).toContain('INTERLIBRARY_LOAN');
    expect(probiblio.active.totalCount).toBe(probiblio.stats.activeContractCount);
  });

  it('tickets: per-status, per-priority and per-category counts equal the filtered lists', async () => {
    const { rijnbrink } = await data(`{ rijnbrink {
      all: tickets { totalCount } p1: tickets(filter: { priority: [P1] }) { totalCount }
      open: tickets(filter: { status: [OPEN, IN_PROGRESS, WAITING] }) { totalCount }
      interfaces: tickets(filter: { category: [INTERFACES] }) { totalCount }
      stats { openTicketCount ticketsByPriority { key count } ticketsByCategory { key count } ticketsByStatus { key count } } } }`);
    const by = (list: any[]) => Object.fromEntries(list.map((k) => [k.key, k.count]));
    expect(by(rijnbrink.stats.ticketsByPriority).P1).toBe(rijnbrink.p1.totalCount);
    expect(by(rijnbrink.stats.ticketsByCategory).INTERFACES).toBe(rijnbrink.interfaces.totalCount);
    expect(rijnbrink.open.totalCount).toBe(rijnbrink.stats.openTicketCount);
    for (const list of [rijnbrink.stats.ticketsByPriority, rijnbrink.stats.ticketsByCategory, rijnbrink.stats.ticketsByStatus]) {
      expect(list.reduce((sum: number, k: any) => sum + k.count, 0)).toBe(rijnbrink.all.totalCount);
    }
  });

  it('per-month series cover the last months with zeros, and match the tickets themselves; so does the median', async () => {
    const tickets = await walk('tickets', 'id openedAt resolvedAt library { id }', '', 100, 'bisc');
    const { bisc } = await data(`{ bisc { stats {
      opened: ticketsOpenedPerMonth(months: 12) { month count } resolved: ticketsResolvedPerMonth(months: 3) { month count }
      medianResolutionHours } } }`);
    const months = bisc.stats.opened.map((m: any) => m.month);
    expect(months).toHaveLength(12);
    expect(months[11]).toBe(new Date().toISOString().slice(0, 7));
    for (const [series, column] of [
      [bisc.stats.opened, 'openedAt'],
      [bisc.stats.resolved, 'resolvedAt'],
    ] as const) {
      for (const { month, count } of series) {
        expect(count).toBe(tickets.filter((t) => t[column]?.startsWith(month)).length);
      }
    }
    const hours = tickets
      .filter((t) => t.resolvedAt)
      .map((t) => (Date.parse(t.resolvedAt) - Date.parse(t.openedAt)) / 3_600_000)
      .sort((a, b) => a - b);
    const middle = hours.length / 2;
    const median = hours.length % 2 ? hours[Math.floor(middle)] : (hours[middle - 1] + hours[middle]) / 2;
    expect(bisc.stats.medianResolutionHours).toBeCloseTo(median, 0);
  });

  it('medianResolutionHours(from, to): over the requests resolved in those days (both included), recounted from the tickets', async () => {
    const tickets = await walk('tickets', 'id openedAt resolvedAt', '', 100, 'cubiss');
    const medianOf = (from: string, to: string) => {
      const hours = tickets
        .filter((t) => t.resolvedAt && t.resolvedAt.slice(0, 10) >= from && t.resolvedAt.slice(0, 10) <= to)
        .map((t) => (Date.parse(t.resolvedAt) - Date.parse(t.openedAt)) / 3_600_000)
        .sort((a, b) => a - b);
      if (hours.length === 0) return null;
      const middle = hours.length / 2;
      return hours.length % 2 ? hours[Math.floor(middle)] : (hours[middle - 1] + hours[middle]) / 2;
    };
    // The API rounds to one decimal.
    const expectRounded = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(0.05 + 1e-9);
    const windows = [
      [isoDay(-90), isoDay(0)],
      [isoDay(-400), isoDay(-200)],
      [isoDay(-31), isoDay(-31)],
    ];
    const { cubiss } = await data(`{ cubiss { stats {
      all: medianResolutionHours
      ${windows.map(([from, to], i) => `w${i}: medianResolutionHours(from: "${from}", to: "${to}")`).join(' ')}
      fromOnly: medianResolutionHours(from: "${windows[0][0]}")
      none: medianResolutionHours(from: "1950-01-01", to: "1950-12-31") } } }`);
    const counted = windows.map(
      ([from, to]) => tickets.filter((t) => t.resolvedAt && t.resolvedAt.slice(0, 10) >= from && t.resolvedAt.slice(0, 10) <= to).length,
    );
    expect(counted[0]).toBeGreaterThan(1);
    expect(counted[1]).toBeGreaterThan(1);
    windows.forEach(([from, to], i) => {
      const expected = medianOf(from, to);
      if (expected === null) expect(cubiss.stats[`w${i}`]).toBeNull();
      else expectRounded(cubiss.stats[`w${i}`], expected);
    });
    expectRounded(cubiss.stats.fromOnly, medianOf(windows[0][0], '9999-12-31')!);
    expectRounded(cubiss.stats.all, medianOf('0000-01-01', '9999-12-31')!);
    expect(cubiss.stats.none).toBeNull();

    const reversed = await stack.query(`{ cubiss { stats { medianResolutionHours(from: "${isoDay(0)}", to: "${isoDay(-1)}") } } }`);
    expect(reversed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(reversed.errors?.[0]?.message).toMatch(/"from" .* after "to"/);
  });

  it('the monthly series say which month is incomplete: the current one, and only it', async () => {
    const { bisc } = await data(
      `{ bisc { stats { opened: ticketsOpenedPerMonth(months: 4) { month complete } resolved: ticketsResolvedPerMonth(months: 1) { month complete } } } }`,
    );
    const thisMonth = new Date().toISOString().slice(0, 7);
    expect(bisc.stats.opened.map((m: any) => m.complete)).toEqual([true, true, true, false]);
    expect(bisc.stats.opened[3].month).toBe(thisMonth);
    expect(bisc.stats.resolved).toEqual([{ month: thisMonth, complete: false }]);
  });

  it("a library's filtered ticket counts add up to the POI-wide filtered count (batched per library)", async () => {
    const { cubiss } = await data(`{ cubiss { p1: tickets(filter: { priority: [P1] }) { totalCount }
      libraries(first: 100) { nodes { id tickets(filter: { priority: [P1] }, first: 2, orderBy: { field: OPENED_AT, direction: ASC }) { totalCount nodes { priority library { id } } } } } } }`);
    const sum = cubiss.libraries.nodes.reduce((total: number, l: any) => total + l.tickets.totalCount, 0);
    expect(sum).toBe(cubiss.p1.totalCount);
    expect(cubiss.p1.totalCount).toBeGreaterThan(0);
    for (const library of cubiss.libraries.nodes) {
      expect(library.tickets.nodes.length).toBeLessThanOrEqual(2);
      for (const t of library.tickets.nodes) expect(t).toEqual({ priority: 'P1', library: { id: library.id } });
    }
  });
});

describe('knowledge search', () => {
  it('searches every POI in one query, ranked by relevance, prefixes included', async () => {
    const { pois } = await data(
      `{ pois { code knowledgeArticles(search: "reserv", first: 100) { totalCount nodes { title summary body tags source score } } } }`,
    );
    expect(pois).toHaveLength(4);
    for (const poi of pois) {
      const nodes = poi.knowledgeArticles.nodes;
      expect(nodes.length).toBeGreaterThan(0);
      expectSorted(
        nodes.map((n: any) => n.score),
        'DESC',
      );
      for (const n of nodes) {
        expect(n.score).toBeGreaterThan(0);
        // A word starting with "reserv", or its past participle "gereserveerd" (Dutch word forms meet: README "Knowledge search").
        expect(`${n.title} ${n.summary} ${n.body} ${n.tags.join(' ')}`.toLowerCase()).toMatch(/\b(ge)?reserv/);
      }
      expect(nodes[0].title.toLowerCase()).toContain('reserv');
    }
    expect(pois.find((p: any) => p.code === 'CUBISS').knowledgeArticles.nodes.map((n: any) => n.source)).toEqual(
      expect.arrayContaining(['Demo kennisbank Cubiss']),
    );
  });

  it('requires every word, finds nothing for unknown words, and refuses a search without a real word', async () => {
    const { bisc } = await data(`{ bisc { both: knowledgeArticles(search: "privacy leden") { nodes { title summary body tags } }
      none: knowledgeArticles(search: "qqqzzzxxx") { totalCount } unsearched: knowledgeArticles(first: 1) { nodes { score } } } }`);
    expect(bisc.both.nodes.length).toBeGreaterThan(0);
    // Every word as a prefix of a word of the article (as the search matches them).
    const hasWord = (n: any, word: string) =>
      new RegExp(`(^|[^\\p{L}\\p{N}])${word}`, 'u').test(`${n.title} ${n.summary} ${n.body} ${n.tags.join(' ')}`.toLowerCase());
    for (const n of bisc.both.nodes) expect([n.title, hasWord(n, 'privacy'), hasWord(n, 'leden')]).toEqual([n.title, true, true]);
    expect(bisc.none.totalCount).toBe(0);
    expect(bisc.unsearched.nodes[0].score).toBeNull();
    const bad = await stack.query(`{ bisc { knowledgeArticles(search: "%' ;") { totalCount } } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('an article with only one of the words is no hit', async () => {
    // Two made-up words, so that the seeded articles play no part: one article has both, one
    // each of them only.
    const create = async (title: string, body: string) =>
      (
        await data(`mutation Create($input: KnowledgeArticleInput!) { probiblio { createKnowledgeArticle(input: $input) { id } } }`, {
          input: { title, summary: 'Zoektest.', body, tags: [], source: 'Zoektest' },
        })
      ).probiblio.createKnowledgeArticle.id as string;
    const both = await create('Zoektest beide woorden', 'Over kwelderzand en de duinroos.');
    const first = await create('Zoektest eerste woord', 'Alleen over kwelderzand.');
    const second = await create('Zoektest tweede woord', 'Alleen over de duinroos.');
    const ids = async (search: string) =>
      (
        await data(`query S($search: String!) { probiblio { knowledgeArticles(search: $search, first: 100) { nodes { id } } } }`, { search })
      ).probiblio.knowledgeArticles.nodes
        .map((n: any) => n.id)
        .sort();
    // Each word alone finds its articles (so the single-word ones are searchable) ...
    expect(await ids('kwelderzand')).toEqual([both, first].sort());
    expect(await ids('duinroos')).toEqual([both, second].sort());
    // ... and both words only the article that has both, in either order.
    expect(await ids('kwelderzand duinroos')).toEqual([both]);
    expect(await ids('duinroos kwelderzand')).toEqual([both]);
  });
});

describe('collaboration data across subgraphs', () => {
  it("links a POI's tickets to work-agenda items owned by the collaboration", async () => {
    const { probiblio } = await data(`{ probiblio { tickets(filter: { category: [INTERFACES, REPORTING, MEMBERSHIP] }, first: 100) {
      nodes { title agendaItem { id title status owner { code } } } } } }`);
    const linked = probiblio.tickets.nodes.filter((t: any) => t.agendaItem);
    expect(linked.length).toBeGreaterThan(0);
    for (const t of linked) {
      expect(t.agendaItem.id).toMatch(/^WA-\d{4}-\d{2}$/);
      expect(t.agendaItem.title.length).toBeGreaterThan(5);
    }
  });

  it('has the partnership facts, evaluations and goals', async () => {
    const { partnership, evaluations, networkAgendaGoals } = await data(`{ partnership { startedOn structureDecidedIn evaluationIntervalYears }
      evaluations { id period status dueOn } networkAgendaGoals { code workAgendaItems { id goal { code } } } }`);
    expect(partnership).toEqual({ startedOn: '2021-10-01', structureDecidedIn: 2023, evaluationIntervalYears: 2 });
    expect(evaluations.map((e: any) => e.period)).toEqual(['2023-2025', '2025-2027']);
    expect(networkAgendaGoals.length).toBeGreaterThan(0);
    expect(networkAgendaGoals.some((goal: any) => goal.workAgendaItems.length > 0)).toBe(true);
    for (const goal of networkAgendaGoals) for (const item of goal.workAgendaItems) expect(item.goal.code).toBe(goal.code);
  });

  it("answers the analyst's question in one query: Cubiss libraries with contracts ending in six months, with P1 tickets this year", async () => {
    const year = `${new Date().getUTCFullYear()}-01-01T00:00:00.000Z`;
    const { cubiss } = await data(
      `query Question($from: Date!, $until: Date!, $year: DateTime!) { cubiss { contracts(filter: { status: ACTIVE, endsAfter: $from, endsBefore: $until }, first: 100) {
        nodes { endsOn library { id name tickets(filter: { priority: [P1], openedAfter: $year }) { totalCount }
          thisYear: tickets(filter: { openedAfter: $year }) { totalCount } } } } } }`,
      { from: isoDay(0), until: isoDay(183), year },
    );
    expect(cubiss.contracts.nodes.length).toBeGreaterThan(0);
    // Recounted per library from every ticket of this year, page by page: P1 and all of them
    // (these few libraries may have no P1 this year; all their tickets make the check count).
    const thisYear = await walk('tickets', 'priority library { id }', `filter: { openedAfter: "${year}" },`, 100);
    const recount = (libraryId: string, priority?: string) =>
      thisYear.filter((t) => t.library.id === libraryId && (!priority || t.priority === priority)).length;
    for (const { library } of cubiss.contracts.nodes) {
      expect([library.name, library.tickets.totalCount, library.thisYear.totalCount]).toEqual([library.name, recount(library.id, 'P1'), recount(library.id)]);
    }
    expect(cubiss.contracts.nodes.reduce((sum: number, c: any) => sum + c.library.thisYear.totalCount, 0)).toBeGreaterThan(0);
    const { cubiss: check } = await data(`query P1($year: DateTime!) { cubiss { tickets(filter: { priority: [P1], openedAfter: $year }) { totalCount } } }`, {
      year,
    });
    const total = cubiss.contracts.nodes.reduce((sum: number, c: any) => sum + c.library.tickets.totalCount, 0);
    expect(total).toBeLessThanOrEqual(check.tickets.totalCount);
  });
});
