/**
 * Network lists (issue 17) through the real gateway: `network { tickets libraries }` merge every
 * POI's own list into one order, page with sealed cursors that resume exactly, read each item from
 * its owner as the caller (owners' scopes apply) and say when a POI is missing.
 */
import { roleScopes } from '../shared/auth/identity';
import { POIS } from '../shared/registry';
import { pages } from './helpers/pages';
import { Stack, startStack } from './helpers/stack';

let stack: Stack;

beforeAll(async () => {
  // No response cache (pages must see new items); a circuit that stays closed while a POI is stopped and started again.
  stack = await startStack({ env: { RESPONSE_CACHE: 'off' }, resilience: { failureThreshold: 1000 } });
});
afterAll(() => stack?.stop());

const CODES = POIS.map((p) => p.code).sort();
const rootOf = Object.fromEntries(POIS.map((p) => [p.code, p.rootField]));

interface Order {
  list: 'tickets' | 'libraries' | 'contracts';
  field: string;
  direction: 'ASC' | 'DESC';
  node: string;
  filter?: string;
  nullAs?: string;
}

const ORDERS: Order[] = [
  { list: 'tickets', field: 'OPENED_AT', direction: 'ASC', node: 'openedAt', filter: '{ status: [OPEN], priority: [P1, P2] }' },
  { list: 'tickets', field: 'PRIORITY', direction: 'DESC', node: 'priority', filter: '{ status: [OPEN, IN_PROGRESS] }' },
  { list: 'tickets', field: 'RESOLVED_AT', direction: 'ASC', node: 'resolvedAt', filter: '{ priority: [P1] }', nullAs: '9999' },
  { list: 'libraries', field: 'MEMBER_COUNT', direction: 'DESC', node: 'memberCount' },
  { list: 'libraries', field: 'NAME', direction: 'ASC', node: 'name' },
  { list: 'contracts', field: 'ENDS_ON', direction: 'ASC', node: 'endsOn', filter: '{ status: ACTIVE }' },
  { list: 'contracts', field: 'ANNUAL_FEE', direction: 'DESC', node: 'annualFee' },
];

const args = (o: Order, first: number, after?: string | null) =>
  `(${o.filter ? `filter: ${o.filter}, ` : ''}orderBy: { field: ${o.field}, direction: ${o.direction} }, first: ${first}${after ? `, after: "${after}"` : ''})`;

interface Item {
  poi: string;
  id: string;
  sort: string | number | null;
}

/** Every item of one POI's own list, walked with its own cursors. */
async function perPoi(o: Order, code: string): Promise<Item[]> {
  const items: Item[] = [];
  const ownPage = async (after: string | null) => {
    const response: any = await stack.query(
      `{ ${rootOf[code]} { ${o.list}${args(o, 100, after)} { nodes { id ${o.node} } pageInfo { hasNextPage endCursor } } } }`,
    );
    expect(response.errors).toBeUndefined();
    return response.data[rootOf[code]][o.list];
  };
  for await (const page of pages(ownPage)) items.push(...page.nodes.map((n: any) => ({ poi: code, id: n.id, sort: n[o.node] })));
  return items;
}

/** The union of the per-POI lists in the network's order: sort value, then POI code, then id. */
function expected(o: Order, lists: Item[][]): Item[] {
  const dir = o.direction === 'ASC' ? 1 : -1;
  const key = (i: Item) => i.sort ?? o.nullAs ?? '';
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return lists.flat().sort((a, b) => dir * cmp(key(a), key(b)) || cmp(a.poi, b.poi) || dir * (Number(a.id) - Number(b.id)));
}

const pageQuery = (o: Order, first: number, after: string | null) =>
  `{ network { ${o.list}${args(o, first, after)} { totalCount nodes { id ${o.node} poi { code name } } pageInfo { hasNextPage endCursor } incomplete missingPois } } }`;

/** One page of a network list, which must answer without errors. */
const networkPage = (o: Order, first: number) => async (after: string | null) => {
  const response: any = await stack.query(pageQuery(o, first, after));
  expect(response.errors).toBeUndefined();
  return response.data.network[o.list];
};

/** A network list's node as an item. */
const networkItem =
  (o: Order) =>
  (n: any): Item => ({ poi: n.poi.code, id: n.id, sort: n[o.node] });

async function walk(o: Order, first: number, afterFirstPage: () => Promise<void> = async () => {}) {
  const items: Item[] = [];
  let totalCount = -1;
  let fetched = 0;
  for await (const page of pages(networkPage(o, first))) {
    expect(page.incomplete).toBe(false);
    totalCount = page.totalCount;
    if (page.pageInfo.hasNextPage) expect(page.nodes.length).toBe(first);
    else expect(page.nodes.length).toBeLessThanOrEqual(first);
    items.push(...page.nodes.map(networkItem(o)));
    if (fetched++ === 0) await afterFirstPage();
  }
  return { items, totalCount };
}

describe('network lists', () => {
  it.each(ORDERS.map((o) => [`${o.list} by ${o.field} ${o.direction}`, o] as const))(
    '%s: walking every page gives the union of the per-POI lists, each once, in one order',
    async (_label, o) => {
      const union = expected(o, await Promise.all(CODES.map((code) => perPoi(o, code))));
      expect(new Set(union.map((i) => i.poi)).size).toBeGreaterThan(1);
      const { items, totalCount } = await walk(o, 7);
      expect(totalCount).toBe(union.length);
      expect(items).toEqual(union);
    },
  );

  it('done when: the 20 oldest open P1 tickets of the whole network, in order, each naming its POI', async () => {
    const response =
      await stack.query(`{ network { tickets(filter: { status: [OPEN], priority: [P1] }, orderBy: { field: OPENED_AT, direction: ASC }, first: 20) {
      totalCount nodes { reference openedAt status priority poi { code name } } pageInfo { endCursor hasNextPage } } } }`);
    expect(response.errors).toBeUndefined();
    const page = response.data.network.tickets;
    const o: Order = { list: 'tickets', field: 'OPENED_AT', direction: 'ASC', node: 'openedAt', filter: '{ status: [OPEN], priority: [P1] }' };
    const union = expected(o, await Promise.all(CODES.map((code) => perPoi(o, code))));
    expect(page.totalCount).toBe(union.length);
    expect(page.nodes.map((n: any) => n.openedAt)).toEqual(union.slice(0, 20).map((i) => i.sort));
    for (const node of page.nodes) {
      expect([node.status, node.priority]).toEqual(['OPEN', 'P1']);
      expect(node.poi.name).toBe(POIS.find((p) => p.code === node.poi.code)!.name);
    }
  });
});

describe('network lists next to other fields', () => {
  it('answer in one operation with other root fields, fragments, aliases and variables', async () => {
    const response = await stack.query(
      `query Mixed($n: Int!, $prio: [TicketPriority!]) {
        pois { code }
        net: network { open: tickets(filter: { priority: $prio }, first: $n) { ...Page } }
        cubiss { tickets(filter: { priority: $prio }, first: 1) { totalCount } }
      }
      fragment Page on NetworkTicketConnection { totalCount nodes { ...T poi { code } } }
      fragment T on NetworkTicket { ref: reference priority }`,
      { n: 3, prio: ['P1'] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.pois.map((p: any) => p.code).sort()).toEqual(CODES);
    expect(response.data.net.open.nodes).toHaveLength(3);
    for (const node of response.data.net.open.nodes)
      expect(node).toEqual({ ref: expect.stringMatching(/-\d+$/), priority: 'P1', poi: { code: expect.any(String) } });
    expect(response.data.net.open.totalCount).toBeGreaterThanOrEqual(response.data.cubiss.tickets.totalCount);
  });
});

describe('network list cursors', () => {
  const o: Order = { list: 'tickets', field: 'OPENED_AT', direction: 'ASC', node: 'openedAt', filter: '{ status: [OPEN, IN_PROGRESS], priority: [P1, P2] }' };

  it('are opaque and tamper-proof: a changed cursor, or one of another order, filter or list, is refused', async () => {
    const first = await stack.query(pageQuery(o, 5, null));
    const cursor: string = first.data.network.tickets.pageInfo.endCursor;
    expect(cursor).not.toMatch(/CUBISS|BISC|openedAt|20\d\d-/);
    const flipped = cursor.slice(0, 40) + (cursor[40] === 'A' ? 'B' : 'A') + cursor.slice(41);
    const others = [
      pageQuery(o, 5, flipped),
      pageQuery({ ...o, direction: 'DESC' }, 5, cursor),
      pageQuery({ ...o, filter: '{ status: [OPEN], priority: [P2] }' }, 5, cursor),
      `{ network { libraries(first: 5, after: "${cursor}") { nodes { id } } } }`,
      `{ network { tickets(pois: ["BISC"], filter: ${o.filter}, orderBy: { field: OPENED_AT, direction: ASC }, first: 5, after: "${cursor}") { nodes { id } } } }`,
    ];
    for (const query of others) {
      const response = await stack.query(query);
      expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'after' }) })]);
    }
  });

  it('resume exactly while items are added: new items before the position never show, those after show once', async () => {
    const union = expected(o, await Promise.all(CODES.map((code) => perPoi(o, code))));
    const created: Item[] = [];
    const create = async (root: string, code: string) => {
      const response = await stack.query(
        `mutation { ${root} { createTicket(input: { libraryId: "1", title: "Nieuw tijdens het bladeren", category: CIRCULATION, priority: P1 }) { id openedAt } } }`,
      );
      expect(response.errors).toBeUndefined();
      created.push({ poi: code, id: response.data[root].createTicket.id, sort: response.data[root].createTicket.openedAt });
    };
    expect(union.length).toBeGreaterThan(6);
    const { items } = await walk(o, 2, async () => {
      await create('cubiss', 'CUBISS');
      await create('bisc', 'BISC');
    });
    // Opened now: after every seeded ticket, so they come last, in the network's order.
    expect(items).toEqual([...union, ...expected(o, [created])]);
    // Newest first, the same new tickets lie before the position of a walk begun earlier: never shown.
    const newestFirst: Order = { ...o, direction: 'DESC' };
    const before = expected(newestFirst, await Promise.all(CODES.map((code) => perPoi(newestFirst, code))));
    const walked = await walk(newestFirst, 2, async () => {
      // In a later second than the tickets above: MySQL keeps moments to the second, and a tie would
      // be ordered by POI code, not by when it was made.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await create('probiblio', 'PROBIBLIO');
    });
    expect(walked.items).toEqual(before);
  });

  it('refuse unknown POIs and page sizes out of range with BAD_USER_INPUT; pois limits the list to those POIs', async () => {
    const unknown = await stack.query('{ network { tickets(pois: ["NOPE"]) { totalCount } } }');
    expect(unknown.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('NOPE is not a POI'), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    const big = await stack.query('{ network { libraries(first: 101) { totalCount } } }');
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const two = await stack.query('{ network { libraries(pois: ["CUBISS", "BISC"], first: 100) { totalCount nodes { poi { code } } } } }');
    expect(new Set(two.data.network.libraries.nodes.map((n: any) => n.poi.code))).toEqual(new Set(['BISC', 'CUBISS']));
  });
});

describe('owners stay in charge', () => {
  it("a BiSC staff token sees BiSC's contract fees and FORBIDDEN nulls for every other POI's", async () => {
    const token = await stack.token(
      roleScopes(
        'poi-staff',
        POIS.find((p) => p.code === 'BISC')!,
      ),
      'anouk@bisc',
    );
    const response = await stack.queryAs(
      token,
      '{ network { libraries(orderBy: { field: MEMBER_COUNT, direction: DESC }, first: 40) { nodes { name poi { code } contract { status fee: annualFee } } } } }',
    );
    const nodes = response.data!.network.libraries.nodes;
    expect(new Set(nodes.map((n: any) => n.poi.code)).size).toBeGreaterThan(1);
    const forbidden = new Set(response.errors!.map((e) => JSON.stringify(e.path)));
    expect(response.errors!.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    nodes.forEach((node: any, i: number) => {
      if (!node.contract) return;
      const path = JSON.stringify(['network', 'libraries', 'nodes', i, 'contract', 'fee']);
      if (node.poi.code === 'BISC') expect([typeof node.contract.fee, forbidden.has(path)]).toEqual(['number', false]);
      else expect([node.contract.fee, forbidden.has(path)]).toEqual([null, true]);
    });
  });
});

describe('owners stay in charge of their order too', () => {
  it('ordering agreements by fee leaves out, with FORBIDDEN, every POI whose fees the caller may not see', async () => {
    const token = await stack.token(
      roleScopes(
        'poi-staff',
        POIS.find((p) => p.code === 'BISC')!,
      ),
      'anouk@bisc',
    );
    const response = await stack.queryAs(
      token,
      '{ network { contracts(orderBy: { field: ANNUAL_FEE, direction: DESC }, first: 10) { incomplete missingPois nodes { annualFee poi { code } } } } }',
    );
    const page = response.data!.network.contracts;
    expect(page.incomplete).toBe(true);
    expect([...page.missingPois].sort()).toEqual(CODES.filter((c) => c !== 'BISC'));
    expect(page.nodes.length).toBeGreaterThan(0);
    for (const node of page.nodes) expect([node.poi.code, typeof node.annualFee]).toEqual(['BISC', 'number']);
    expect(response.errors!.map((e) => [e.extensions?.code, e.extensions?.poi, e.path]).sort()).toEqual(
      CODES.filter((c) => c !== 'BISC').map((c) => ['FORBIDDEN', c, ['network', 'contracts']]),
    );
  });
});

describe('a POI that is down', () => {
  it('leaves the list served from the others, in order, with an error naming it and incomplete: true; the cursor resumes it once it is back', async () => {
    const o: Order = { list: 'libraries', field: 'NAME', direction: 'ASC', node: 'name' };
    const union = expected(o, await Promise.all(CODES.map((code) => perPoi(o, code))));
    await stack.stopSubgraph('cubiss');
    let after: string | null = null;
    const seen: Item[] = [];
    try {
      const response = await stack.query(pageQuery(o, 10, null));
      const page = response.data.network.libraries;
      expect(page).toMatchObject({ incomplete: true, missingPois: ['CUBISS'], pageInfo: { hasNextPage: true } });
      expect(response.errors).toEqual([
        expect.objectContaining({ path: ['network', 'libraries'], extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', poi: 'CUBISS' }) }),
      ]);
      const items: Item[] = page.nodes.map(networkItem(o));
      expect(items).toEqual(union.filter((i) => i.poi !== 'CUBISS').slice(0, 10));
      seen.push(...items);
      after = page.pageInfo.endCursor;
    } finally {
      await stack.restartSubgraph('cubiss');
    }
    for await (const page of pages(networkPage(o, 25), { after, maxPages: 100 })) seen.push(...page.nodes.map(networkItem(o)));
    const key = (i: Item) => `${i.poi}/${i.id}`;
    expect(seen.map(key).sort()).toEqual(union.map(key).sort());
  });
});
