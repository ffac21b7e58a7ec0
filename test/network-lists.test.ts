/**
 * Network lists (issue 17) through the real gateway: `network { tickets libraries }` merge every
 * POI's own list into one order, page with sealed cursors that resume exactly, read each item from
 * its owner as the caller (owners' scopes apply) and say when a POI is missing.
 */
import { roleScopes } from '../shared/auth/identity';
import { POIS } from '../shared/registry';
import { Stack, startStack } from './helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { RESPONSE_CACHE: 'off' } });
});
afterAll(() => stack?.stop());

const CODES = POIS.map((p) => p.code).sort();
const rootOf = Object.fromEntries(POIS.map((p) => [p.code, p.rootField]));

interface Order {
  list: 'tickets' | 'libraries';
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
  let after: string | null = null;
  for (;;) {
    const response: any = await stack.query(`{ ${rootOf[code]} { ${o.list}${args(o, 100, after)} { nodes { id ${o.node} } pageInfo { hasNextPage endCursor } } } }`);
    expect(response.errors).toBeUndefined();
    const page = response.data[rootOf[code]][o.list];
    items.push(...page.nodes.map((n: any) => ({ poi: code, id: n.id, sort: n[o.node] })));
    if (!page.pageInfo.hasNextPage) return items;
    after = page.pageInfo.endCursor;
  }
}

/** The union of the per-POI lists in the network's order: sort value, then POI code, then id. */
function expected(o: Order, lists: Item[][]): Item[] {
  const dir = o.direction === 'ASC' ? 1 : -1;
  const key = (i: Item) => i.sort ?? o.nullAs ?? '';
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return lists.flat().sort((a, b) => dir * cmp(key(a), key(b)) || cmp(a.poi, b.poi) || dir * (Number(a.id) - Number(b.id)));
}

async function walk(o: Order, first: number, query = (after: string | null) => stack.query(`{ network { ${o.list}${args(o, first, after)} { totalCount nodes { id ${o.node} poi { code name } } pageInfo { hasNextPage endCursor } incomplete } } }`)) {
  const items: Item[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let pages = 0; pages < 500; pages++) {
    const response: any = await query(after);
    expect(response.errors).toBeUndefined();
    const page = response.data.network[o.list];
    expect(page.incomplete).toBe(false);
    totalCount = page.totalCount;
    expect(page.nodes.length).toBeLessThanOrEqual(first);
    items.push(...page.nodes.map((n: any) => ({ poi: n.poi.code, id: n.id, sort: n[o.node] })));
    if (!page.pageInfo.hasNextPage) return { items, totalCount };
    expect(page.nodes.length).toBe(first);
    after = page.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

describe('network lists', () => {
  it.each(ORDERS.map((o) => [`${o.list} by ${o.field} ${o.direction}`, o] as const))('%s: walking every page gives the union of the per-POI lists, each once, in one order', async (_label, o) => {
    const union = expected(o, await Promise.all(CODES.map((code) => perPoi(o, code))));
    expect(new Set(union.map((i) => i.poi)).size).toBeGreaterThan(1);
    const { items, totalCount } = await walk(o, 7);
    expect(totalCount).toBe(union.length);
    expect(items).toEqual(union);
  });

  it('done when: the 20 oldest open P1 tickets of the whole network, in order, each naming its POI', async () => {
    const response = await stack.query(`{ network { tickets(filter: { status: [OPEN], priority: [P1] }, orderBy: { field: OPENED_AT, direction: ASC }, first: 20) {
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
