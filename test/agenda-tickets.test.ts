/**
 * Issue 17 item 6: a work-agenda item's tickets. `TicketFilter.agendaItemId` on every POI's list
 * (and so on the network list), and `WorkAgendaItem.tickets`, the network ticket list with the
 * item fixed, also where the item is reached through a collaboration root field (`workAgenda`).
 * Expected figures are recounted with SQL on each POI's own database.
 */
import { POIS } from '../shared/registry';
import { pages } from './helpers/pages';
import { Stack, startStack } from './helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { RESPONSE_CACHE: 'off' } });
});
afterAll(() => stack?.stop());

const CODES = POIS.map((p) => p.code).sort();

interface Row {
  poi: string;
  id: string;
  openedAt: string;
}

/** Every ticket of the agenda item in every POI's database, in the network's default order (newest first, then POI code, then id, descending). */
async function ticketsOfItem(itemId: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const poi of POIS) {
    const found: { id: number; opened_at: string | Date }[] = await stack.subgraphs
      .get(poi.subgraphName)!
      .database.dataSource.query('SELECT id, opened_at FROM ticket WHERE agenda_item_id = ?', [itemId]);
    for (const row of found)
      rows.push({
        poi: poi.code,
        id: String(row.id),
        openedAt: new Date(
          `${String(row.opened_at instanceof Date ? row.opened_at.toISOString() : row.opened_at)
            .replace(' ', 'T')
            .replace(/Z?$/, 'Z')}`,
        ).toISOString(),
      });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) => -cmp(a.openedAt, b.openedAt) || cmp(a.poi, b.poi) || -(Number(a.id) - Number(b.id)));
}

async function data(query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await stack.query(query, variables);
  expect(response.errors).toBeUndefined();
  return response.data;
}

const ITEM = 'WA-2024-03';

describe('TicketFilter.agendaItemId', () => {
  it("on each POI list: only the item's tickets, as many as its database holds", async () => {
    const expected = await ticketsOfItem(ITEM);
    expect(new Set(expected.map((r) => r.poi)).size).toBeGreaterThan(1);
    for (const poi of POIS) {
      const result = await data(
        `{ ${poi.rootField} { tickets(filter: { agendaItemId: "${ITEM}" }, first: 100) { totalCount nodes { id agendaItem { id } } } } }`,
      );
      const page = result[poi.rootField].tickets;
      const mine = expected.filter((r) => r.poi === poi.code);
      expect(page.totalCount).toBe(mine.length);
      expect(page.nodes.map((n: any) => n.id).sort()).toEqual(mine.map((r) => r.id).sort());
      for (const node of page.nodes) expect(node.agendaItem).toEqual({ id: ITEM });
    }
  });

  it('on the network list: the union over every POI, in one order', async () => {
    const expected = await ticketsOfItem(ITEM);
    const result = await data(`{ network { tickets(filter: { agendaItemId: "${ITEM}" }, first: 100) { totalCount nodes { id poi { code } } } } }`);
    expect(result.network.tickets.totalCount).toBe(expected.length);
    expect(result.network.tickets.nodes.map((n: any) => ({ poi: n.poi.code, id: n.id }))).toEqual(expected.map(({ poi, id }) => ({ poi, id })));
  });

  it('an id no ticket has gives an empty list', async () => {
    const result = await data('{ network { tickets(filter: { agendaItemId: "WA-1999-99" }) { totalCount nodes { id } } } }');
    expect(result.network.tickets).toEqual({ totalCount: 0, nodes: [] });
  });
});

describe('WorkAgendaItem.tickets', () => {
  it('through workAgendaItem(id): the network ticket list of that item, paged with its own cursors', async () => {
    const expected = await ticketsOfItem(ITEM);
    const seen: Row[] = [];
    const fetchPage = async (after: string | null) =>
      (
        await data(
          `query Page($after: String) { workAgendaItem(id: "${ITEM}") { id title tickets(first: 2, after: $after) { totalCount nodes { id openedAt agendaItem { id } poi { code } } pageInfo { hasNextPage endCursor } } } }`,
          { after },
        )
      ).workAgendaItem.tickets;
    for await (const page of pages(fetchPage, { maxPages: 50 })) {
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.nodes.map((n: any) => ({ poi: n.poi.code, id: n.id, openedAt: n.openedAt })));
      for (const node of page.nodes) expect(node.agendaItem).toEqual({ id: ITEM });
    }
    expect(seen).toEqual(expected);
  });

  it('through workAgenda (a collaboration root field), next to other root fields and the network lists, with fragments and aliases', async () => {
    const result = await data(
      `query Agenda($first: Int!) {
        workAgenda(theme: HARMONISATION) { id status ...ItemTickets p1: tickets(filter: { priority: [P1] }, first: 100) { totalCount } }
        pois { code }
        network { tickets(first: 1) { totalCount } }
      }
      fragment ItemTickets on WorkAgendaItem { tickets(first: $first, orderBy: { field: OPENED_AT, direction: ASC }) { totalCount nodes { reference agendaItem { id } poi { code } } } }`,
      { first: 100 },
    );
    expect(result.pois.map((p: any) => p.code).sort()).toEqual(CODES);
    expect(result.network.tickets.totalCount).toBeGreaterThan(0);
    expect(result.workAgenda.length).toBeGreaterThan(1);
    let withTickets = 0;
    for (const item of result.workAgenda) {
      const expected = await ticketsOfItem(item.id);
      expect(item.tickets.totalCount).toBe(expected.length);
      expect(item.tickets.nodes).toHaveLength(expected.length);
      for (const node of item.tickets.nodes) expect(node.agendaItem).toEqual({ id: item.id });
      expect(item.p1.totalCount).toBeLessThanOrEqual(expected.length);
      if (expected.length > 0) withTickets++;
    }
    expect(withTickets).toBeGreaterThan(0);
    expect(Object.keys(result.workAgenda[0]).sort()).toEqual(['id', 'p1', 'status', 'tickets']);
  });

  it("the item fixes agendaItemId: a filter naming another item still gives this item's tickets", async () => {
    const expected = await ticketsOfItem(ITEM);
    const result = await data(`{ workAgendaItem(id: "${ITEM}") { tickets(filter: { agendaItemId: "WA-2025-01" }, first: 100) { totalCount } } }`);
    expect(result.workAgendaItem.tickets.totalCount).toBe(expected.length);
  });

  it("a cursor of one item's list is refused on another item's", async () => {
    const first = await data(`{ workAgendaItem(id: "${ITEM}") { tickets(first: 1) { pageInfo { endCursor } } } }`);
    const cursor = first.workAgendaItem.tickets.pageInfo.endCursor;
    expect(typeof cursor).toBe('string');
    const response = await stack.query(
      `query Next($after: String) { workAgendaItem(id: "WA-2025-06") { id tickets(first: 1, after: $after) { totalCount } } }`,
      { after: cursor },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.path).toEqual(['workAgendaItem', 'tickets']);
    expect(response.data?.workAgendaItem).toBeNull();
  });

  it("in a mutation's answer: the item written, with its tickets", async () => {
    const { workAgendaItem } = await data(`{ workAgendaItem(id: "${ITEM}") { version } }`);
    const response = await stack.query(`mutation {
      collaboration { updateWorkAgendaItem(id: "${ITEM}", input: { title: "Catalogus opschonen Midden-Zuid (demo)", expectedVersion: ${workAgendaItem.version} }) { id title tickets(first: 0) { totalCount } } }
    }`);
    expect(response.errors).toBeUndefined();
    expect(response.data.collaboration.updateWorkAgendaItem).toEqual({
      id: ITEM,
      title: 'Catalogus opschonen Midden-Zuid (demo)',
      tickets: { totalCount: (await ticketsOfItem(ITEM)).length },
    });
  });

  it("through a goal's workAgendaItems (collaboration to collaboration)", async () => {
    const { networkAgendaGoals } = await data('{ networkAgendaGoals { code workAgendaItems { id tickets(first: 0) { totalCount } } } }');
    const items = networkAgendaGoals.flatMap((g: any) => g.workAgendaItems);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item.tickets.totalCount).toBe((await ticketsOfItem(item.id)).length);
  });

  it("through a ticket's agendaItem inside a network list", async () => {
    const expected = await ticketsOfItem(ITEM);
    const result = await data(
      `{ network { tickets(filter: { agendaItemId: "${ITEM}" }, first: 1) { nodes { agendaItem { id tickets(first: 0) { totalCount } } } } } }`,
    );
    expect(result.network.tickets.nodes[0].agendaItem).toEqual({ id: ITEM, tickets: { totalCount: expected.length } });
  });
});

describe('workAgenda(overdue)', () => {
  const today = () => new Date().toISOString().slice(0, 10);
  const isOverdue = (item: { dueOn: string | null; status: string }) => item.dueOn !== null && item.dueOn < today() && item.status !== 'DONE';

  it('true: items due before today and not DONE; false: every other item; with other filters', async () => {
    // An open item past its due date (the seed's open items are due after SEED_DATE), and one that is done.
    // One write per request: two writes in one request run at once (the fields of `collaboration` are
    // resolved in parallel), and on MariaDB two such transactions can deadlock (see the closing note).
    for (const input of [
      '{ id: "WA-2026-90", title: "Demo: te laat", description: "Demo-item over zijn streefdatum.", theme: HARMONISATION, status: IN_PROGRESS, dueOn: "2026-01-15", ownerCode: "CUBISS", participantCodes: ["CUBISS"] }',
      '{ id: "WA-2026-91", title: "Demo: klaar", description: "Demo-item dat af is.", theme: HARMONISATION, status: DONE, dueOn: "2026-01-16", ownerCode: "BISC", participantCodes: ["BISC"] }',
    ]) {
      const created = await stack.query(`mutation { collaboration { createWorkAgendaItem(input: ${input}) { id } } }`);
      expect(created.errors).toBeUndefined();
    }
    const all: { id: string; status: string; dueOn: string | null; theme: string }[] = (await data('{ workAgenda { id status dueOn theme } }')).workAgenda;
    const expectedOverdue = all.filter(isOverdue).map((i) => i.id);
    expect(expectedOverdue).toContain('WA-2026-90');
    expect(expectedOverdue).not.toContain('WA-2026-91');
    expect(all.some((i) => i.status === 'DONE' && i.dueOn !== null && i.dueOn < today())).toBe(true);

    const overdue = await data('{ workAgenda(overdue: true) { id } }');
    expect(overdue.workAgenda.map((i: any) => i.id)).toEqual(expectedOverdue);
    const notOverdue = await data('{ workAgenda(overdue: false) { id } }');
    expect(notOverdue.workAgenda.map((i: any) => i.id)).toEqual(all.filter((i) => !isOverdue(i)).map((i) => i.id));
    const harmonisation = await data('{ workAgenda(overdue: true, theme: HARMONISATION, status: IN_PROGRESS) { id } }');
    expect(harmonisation.workAgenda.map((i: any) => i.id)).toEqual(
      all.filter((i) => isOverdue(i) && i.theme === 'HARMONISATION' && i.status === 'IN_PROGRESS').map((i) => i.id),
    );
  });
});
