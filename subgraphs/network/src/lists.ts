import {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLObjectType,
  GraphQLResolveInfo,
  Kind,
  OperationDefinitionNode,
  SelectionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type VariableDefinitionNode,
  parse,
} from 'graphql';
import { canonicalFilter, DEFAULT_PAGE_SIZE, pageSizeProblem, type Sealer } from '../../../shared/graphql/connection';
import type { NetworkContractsArgs, NetworkKnowledgeSearchArgs, NetworkLibrariesArgs, NetworkTicketsArgs } from '../generated/resolvers';
import { parseOperation } from './sub-query';

/** A network list: which per-POI list it merges, and how an item's sort value is read from its node. */
export interface NetworkList {
  /** The field on `Network` and on every POI (`tickets`). */
  field: string;
  /** The per-POI node type (`Ticket`) and its network twin (`NetworkTicket`). */
  nodeType: string;
  networkNodeType: string;
  filterType: string;
  orderType: string;
  defaultOrder: { field: string; direction: 'ASC' | 'DESC' };
  /** Per order field: the node field holding the value the owner sorts by, and how the owner's SQL sees a null. */
  sortFields: Record<string, { node: string; nullAs?: string }>;
  /** The POI's own list field, when it is named otherwise (`knowledgeArticles` for `knowledgeSearch`). */
  poiField?: string;
  /** The owner's list is a search (`knowledgeArticles(search:)`), scored with the network's term statistics: see `termStatistics`. */
  search?: true;
  /** Node field whose equal values (with an equal sort value) make one item of the network list, naming every owner (`publishers`). */
  foldBy?: string;
}

export const NETWORK_LISTS: readonly NetworkList[] = [
  {
    field: 'tickets',
    nodeType: 'Ticket',
    networkNodeType: 'NetworkTicket',
    filterType: 'TicketFilter',
    orderType: 'TicketOrder',
    defaultOrder: { field: 'OPENED_AT', direction: 'DESC' },
    // As poi-kit/repository.ts orders: an unresolved request sorts as resolved at the end of time.
    sortFields: { OPENED_AT: { node: 'openedAt' }, PRIORITY: { node: 'priority' }, RESOLVED_AT: { node: 'resolvedAt', nullAs: '9999-12-31T00:00:00.000Z' } },
  },
  {
    field: 'libraries',
    nodeType: 'Library',
    networkNodeType: 'NetworkLibrary',
    filterType: 'LibraryFilter',
    orderType: 'LibraryOrder',
    defaultOrder: { field: 'NAME', direction: 'ASC' },
    sortFields: { NAME: { node: 'name' }, MEMBER_COUNT: { node: 'memberCount' }, PROVINCE: { node: 'province' } },
  },
  {
    field: 'contracts',
    nodeType: 'Contract',
    networkNodeType: 'NetworkContract',
    filterType: 'ContractFilter',
    orderType: 'ContractOrder',
    defaultOrder: { field: 'ENDS_ON', direction: 'ASC' },
    sortFields: { ENDS_ON: { node: 'endsOn' }, STARTS_ON: { node: 'startsOn' }, ANNUAL_FEE: { node: 'annualFee' } },
  },
  {
    field: 'knowledgeSearch',
    poiField: 'knowledgeArticles',
    nodeType: 'KnowledgeArticle',
    networkNodeType: 'NetworkKnowledgeHit',
    // A search has no filter or order of its own: its text and the network's statistics (sub-query.ts).
    filterType: '',
    orderType: '',
    defaultOrder: { field: 'SCORE', direction: 'DESC' },
    sortFields: { SCORE: { node: 'score' } },
    search: true,
    foldBy: 'contentHash',
  },
];

/** Fields of a network node the network answers itself (not asked of the owner). */
export const NETWORK_NODE_FIELDS = ['poi', 'publishers'];

/**
 * Fields the network subgraph adds to another subgraph's entity (`WorkAgendaItem.tickets`): where
 * one is asked below an owner's node, the owner is asked for the entity's key instead (under
 * `network__key`), which the field's resolver reads.
 */
const NETWORK_FIELDS: Record<string, { fields: readonly string[]; key: string }> = { WorkAgendaItem: { fields: ['tickets'], key: 'id' } };
export const KEY_ALIAS = 'network__key';
const isNetworkField = (type: string | undefined, field: string) => !!type && (NETWORK_FIELDS[type]?.fields.includes(field) ?? false);
const KEY_FIELD: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: KEY_ALIAS },
  name: { kind: Kind.NAME, value: NETWORK_FIELDS.WorkAgendaItem.key },
};

/** A POI as the network lists reach it: its code, name and root field in its own subgraph (`cubiss`). */
export interface Owner {
  code: string;
  name: string;
  rootField: string;
  /** The other POIs' own types (`CubissContract` for BiSC): a selection's fragments on them are left out of this POI's query, which could not know them. */
  foreignTypes?: ReadonlySet<string>;
}

type SortKey = string | number;

/** An item of one owner's page, with what the merge orders it by. */
interface Item {
  node: Record<string, unknown>;
  sort: SortKey;
  id: number;
}

/** An item's place in the network's order: sort value, owner's code, id. */
type Key = [SortKey, string, number];

/**
 * Where a network list stands in one POI: its own cursor (null: from its start), and the last
 * item of the network list when that POI last answered: its items up to there were passed.
 */
interface Position {
  after: string | null;
  last?: Key;
}

type State = Record<string, Position> & { [STATISTICS_KEY]?: TermStatistics | null };

export interface NetworkPage {
  totalCount: number;
  nodes: Record<string, unknown>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  incomplete: boolean;
  missingPois: string[];
}

/** The arguments of a network list (generated from subgraphs/network/schema.graphql). */
export type NetworkListArgs = NetworkTicketsArgs | NetworkLibrariesArgs | NetworkContractsArgs | NetworkKnowledgeSearchArgs;
type AnyListArgs = Partial<NetworkTicketsArgs & NetworkKnowledgeSearchArgs>;

/** Term statistics of a search (poi-kit/search-index.ts), as the POIs give and take them. */
export interface TermStatistics {
  documentCount: number;
  totalLength: number;
  terms: { term: string; documentFrequency: number }[];
}

/** Where the cursor of a search keeps the statistics its pages are scored with (no POI code looks like it). */
const STATISTICS_KEY = '~statistics';

/** Sends a sub-query to one owner's subgraph, as the caller (owners.ts). */
export type RunQuery = (
  owner: Owner,
  document: DocumentNode,
  variables: Record<string, unknown>,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] }>;

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

const MAX_CURSOR_LENGTH = 16_384;
/** Failures that may pass: the page says the list is incomplete and the cursor keeps that POI's position. */
const TRANSIENT = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT']);

function compareKeys(a: SortKey, b: SortKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One page of a network list: each owner is asked, in parallel and as the caller, for at most
 * `first` items after its own position; the pages are merged by the list's order (ties by POI
 * code, then id), and the cursor carries every owner's new position. Each owner's position is its
 * own cursor, so the next page resumes exactly, also after items were added. When fewer than all
 * items of an owner's page were taken, a second, small request asks that owner for the cursor
 * after the last one taken.
 */
export async function networkPage(
  list: NetworkList,
  args: NetworkListArgs,
  info: GraphQLResolveInfo,
  sealer: Sealer,
  /** Every POI of the network, by code. */
  all: readonly Owner[],
  run: RunQuery,
  report: (error: GraphQLError) => void,
): Promise<NetworkPage> {
  const given = args as AnyListArgs;
  const first = given.first ?? DEFAULT_PAGE_SIZE;
  const problem = pageSizeProblem('first', first);
  if (problem) throw badInput(problem, 'first');
  const order = {
    field: given.orderBy?.field ?? list.defaultOrder.field,
    direction: given.orderBy?.direction === 'ASC' || given.orderBy?.direction === 'DESC' ? given.orderBy.direction : list.defaultOrder.direction,
  };
  const sortField = list.sortFields[order.field];
  if (!sortField) throw badInput(`"orderBy.field" ${order.field} cannot order a network list`, 'orderBy');
  const wanted = args.pois ? [...new Set(args.pois)] : undefined;
  const unknown = wanted?.filter((code) => !all.some((o) => o.code === code)) ?? [];
  if (unknown.length > 0)
    throw badInput(`"pois": ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a POI; known: ${all.map((o) => o.code).join(', ')}`, 'pois');
  const owners = wanted ? all.filter((o) => wanted.includes(o.code)) : all;
  const filter = list.search ? { text: given.text } : (given.filter ?? null);
  const binding = ['network', list.field, `${order.field}.${order.direction}`, canonicalFilter(filter), (wanted ?? []).sort()];
  const state: State = given.after ? openState(sealer, given.after, binding) : {};
  // A search is scored with the network's statistics, those of its first page on every later one (so the order stays the same).
  const statistics = list.search ? (given.after ? (state[STATISTICS_KEY] ?? null) : await termStatistics(owners, given.text ?? '', run)) : null;

  const direction = order.direction === 'ASC' ? 1 : -1;
  const compare = (a: Key, b: Key) => direction * compareKeys(a[0], b[0]) || compareKeys(a[1], b[1]) || direction * (a[2] - b[2]);
  const keyOf = (item: Item, owner: Owner): Key => [item.sort, owner.code, item.id];

  const listPath = responsePath(info);
  const selection = nodeSelection(info, list);
  const listVariables = list.search
    ? { network__search: given.text, network__statistics: statistics }
    : { network__filter: given.filter ?? null, network__orderBy: order };
  const variablesFor = (owner: Owner, size: number) => ({ ...listVariables, network__first: size, network__after: state[owner.code]?.after ?? null });
  const fetched = await Promise.all(
    owners.map(async (owner) => {
      const query = parseOperation(selection, { owner, list, sortNodeField: sortField.node, withNodes: true });
      const result = await run(owner, query.document, { ...selection.variables, ...variablesFor(owner, first) });
      return { owner, ...readPage(result, owner, list, sortField, listPath, report) };
    }),
  );

  // Items at or before where the list stood (added since, or taken by a page whose second request failed) are passed over.
  const buffers = fetched.map((f) => {
    const last = state[f.owner.code]?.last;
    const passed = last ? f.items.filter((item) => compare(keyOf(item, f.owner), last) <= 0).length : 0;
    return { ...f, passed, taken: 0 };
  });
  const head = (b: (typeof buffers)[number]) => (b.ok && b.passed + b.taken < b.items.length ? b.items[b.passed + b.taken] : undefined);
  const nodes: Record<string, unknown>[] = [];
  const folded = new Map<unknown, { code: string; name: string }[]>();
  let lastKey: Key | undefined;
  while (nodes.length < first) {
    if (buffers.some((b) => b.ok && !head(b) && b.hasNextPage)) break; // that owner's next item is not known yet
    let next: (typeof buffers)[number] | undefined;
    for (const b of buffers) if (head(b) && (!next || compare(keyOf(head(b)!, b.owner), keyOf(head(next)!, next.owner)) < 0)) next = b;
    if (!next) break;
    const item = head(next)!;
    const publisher = { code: next.owner.code, name: next.owner.name };
    lastKey = keyOf(item, next.owner);
    next.taken++;
    if (!list.foldBy) {
      nodes.push({ ...item.node, network__owner: publisher });
      continue;
    }
    // Folding: an item equal to one already on this page (another copy, ranked lower) only adds its owner there.
    const fold = item.node.network__fold;
    const earlier = folded.get(fold);
    if (earlier) {
      if (!earlier.some((p) => p.code === publisher.code)) earlier.push(publisher);
      continue;
    }
    const publishers = [publisher];
    // Copies with the same sort value (the same text everywhere) are taken at once, so a page never ends between them.
    for (const b of buffers) {
      for (let other = head(b); other && other.sort === item.sort && other.node.network__fold === fold; other = head(b)) {
        if (!publishers.some((p) => p.code === b.owner.code)) publishers.push({ code: b.owner.code, name: b.owner.name });
        b.taken++;
      }
    }
    folded.set(fold, publishers);
    nodes.push({ ...item.node, network__owner: publisher, network__publishers: publishers });
  }

  // Each owner that answered moves past what it passed and gave; the one that did not keeps its position.
  const positions = await Promise.all(
    buffers.map(async (b): Promise<[string, Position]> => {
      const old = state[b.owner.code] ?? { after: null };
      if (!b.ok) return [b.owner.code, old];
      const last = lastKey ?? old.last;
      const consumed = b.passed + b.taken;
      if (consumed === 0) return [b.owner.code, { ...old, last }];
      if (consumed === b.items.length) return [b.owner.code, { after: b.endCursor, last }];
      const query = parseOperation(selection, { owner: b.owner, list, sortNodeField: sortField.node, withNodes: false });
      const result = await run(b.owner, query.document, variablesFor(b.owner, consumed));
      const endCursor = pathValue(result.data, ['network__poi', 'network__list', 'pageInfo', 'endCursor']);
      return [b.owner.code, { after: typeof endCursor === 'string' ? endCursor : old.after, last }];
    }),
  );
  const missing = buffers.filter((b) => !b.ok);
  return {
    totalCount: buffers.reduce((sum, b) => sum + (b.ok ? b.totalCount : 0), 0),
    nodes,
    pageInfo: {
      hasNextPage: buffers.some((b) => (b.ok ? head(b) !== undefined || b.hasNextPage : b.transient)),
      endCursor:
        nodes.length > 0 || given.after
          ? sealer.seal({ ...Object.fromEntries(positions), ...(list.search ? { [STATISTICS_KEY]: statistics } : {}) }, binding)
          : null,
    },
    incomplete: missing.length > 0,
    missingPois: missing.map((b) => b.owner.code),
  };
}

function openState(sealer: Sealer, cursor: string, binding: unknown): State {
  const state = sealer.open(cursor, binding, MAX_CURSOR_LENGTH);
  const valid =
    state !== null &&
    typeof state === 'object' &&
    !Array.isArray(state) &&
    Object.entries(state).every(
      ([key, p]: [string, Position]) =>
        key === STATISTICS_KEY ||
        (p && (p.after === null || typeof p.after === 'string') && (p.last === undefined || (Array.isArray(p.last) && p.last.length === 3))),
    );
  if (!valid)
    throw badInput('"after" is not a cursor of this network list with this order, filter and pois; pass a pageInfo.endCursor of the same list', 'after');
  return state as State;
}

/**
 * The network's statistics of a search's terms: every owner's (`knowledgeTermStatistics`, asked in
 * parallel as the caller) summed. An owner that cannot answer is left out of them (its search
 * fails as well, and says so). Null when no owner has an article (each then scores with its own).
 */
async function termStatistics(owners: readonly Owner[], text: string, run: RunQuery): Promise<TermStatistics | null> {
  const answers = await Promise.all(
    owners.map(async (owner) => {
      const document = parse(
        `query NetworkKnowledgeTermStatistics($network__search: String!) { network__poi: ${owner.rootField} { network__statistics: knowledgeTermStatistics(search: $network__search) { documentCount totalLength terms { term documentFrequency } } } }`,
        { noLocation: true },
      );
      const result = await run(owner, document, { network__search: text });
      return { statistics: pathValue(result.data, ['network__poi', 'network__statistics']) as TermStatistics | null | undefined, errors: result.errors ?? [] };
    }),
  );
  const answered = answers.flatMap((a) => (a.statistics ? [a.statistics] : []));
  // A search no POI can run (no real word in it) is the caller's mistake, said once.
  const refused = answers.map((a) => a.errors.find((e) => e.extensions?.code === 'BAD_USER_INPUT')).filter((e) => e !== undefined);
  if (answered.length === 0 && refused.length > 0) throw badInput(refused[0].message, 'text');
  const sum: TermStatistics = { documentCount: 0, totalLength: 0, terms: [] };
  for (const s of answered) {
    sum.documentCount += s.documentCount;
    sum.totalLength += s.totalLength;
    for (const { term, documentFrequency } of s.terms) {
      const known = sum.terms.find((t) => t.term === term);
      if (known) known.documentFrequency += documentFrequency;
      else sum.terms.push({ term, documentFrequency });
    }
  }
  return sum.documentCount > 0 && sum.totalLength > 0 ? sum : null;
}

function responsePath(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

function pathValue(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined;
  return value;
}

/**
 * An owner's answer: its items with their sort values, or, when the owner could not answer the
 * list, the error reported at the network list's path, naming the POI. Errors inside items
 * (`FORBIDDEN` for a field the caller may not see there) are kept in place: the item's field
 * answers them when the client's selection reaches it.
 */
function readPage(
  result: Awaited<ReturnType<RunQuery>>,
  owner: Owner,
  list: NetworkList,
  sortField: NetworkList['sortFields'][string],
  listPath: (string | number)[],
  report: (error: GraphQLError) => void,
) {
  const page = pathValue(result.data, ['network__poi', 'network__list']) as
    { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Record<string, unknown>[] } | null | undefined;
  const itemErrors = (result.errors ?? []).filter((e) => e.path && e.path.length > 4 && e.path[2] === 'nodes');
  if (!page) {
    const cause = (result.errors ?? []).find((e) => !itemErrors.includes(e));
    const code = typeof cause?.extensions?.code === 'string' ? cause.extensions.code : 'SUBGRAPH_UNAVAILABLE';
    report(
      new GraphQLError(cause ? cause.message : `${owner.name} did not return its ${list.field}`, {
        path: listPath,
        extensions: { ...cause?.extensions, code, poi: owner.code },
      }),
    );
    return { ok: false as const, transient: TRANSIENT.has(code), items: [] as Item[], totalCount: 0, hasNextPage: false, endCursor: null };
  }
  for (const error of itemErrors) markError(page.nodes, error.path!.slice(3), error);
  const items = page.nodes.map((node) => {
    const raw = node.network__sort;
    const sort = raw === null || raw === undefined ? (sortField.nullAs ?? '') : (raw as SortKey);
    return { node, sort, id: Number(node.network__id) };
  });
  return {
    ok: true as const,
    transient: false,
    items,
    totalCount: page.totalCount,
    hasNextPage: page.pageInfo.hasNextPage,
    endCursor: page.pageInfo.endCursor,
  };
}

/** Puts the error where the owner's answer became null, for the network node's field resolver to raise (see `byResponseKey`). */
export function markError(root: unknown, path: readonly (string | number)[], error: GraphQLError): void {
  let container = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length; i++) {
    const value = container[path[i]];
    if (i === path.length - 1 || value === null || value === undefined || typeof value !== 'object') {
      if (value === null || value === undefined) container[path[i]] = new GraphQLError(error.message, { extensions: error.extensions });
      return;
    }
    container = value as Record<string | number, unknown>;
  }
}

/** The client's selection of the list's nodes, made a selection on the POI's own node type. */
export interface NodeSelection {
  selections: readonly SelectionNode[];
  fragments: FragmentDefinitionNode[];
  variableDefinitions: VariableDefinitionNode[];
  variables: Record<string, unknown>;
}

/**
 * What the client selected of the nodes (every `nodes` field of the connection, through its
 * fragments), rewritten for the owner: `poi` left out (the network answers it) and the network
 * node type read as the POI's node type; plus the fragments and variables that selection uses.
 */
function nodeSelection(info: GraphQLResolveInfo, list: NetworkList): NodeSelection {
  const schema = info.schema;
  const networkNode = schema.getType(list.networkNodeType) as GraphQLObjectType;
  const selections: SelectionNode[] = [];
  const visitedFragments = new Set<string>();
  const collect = (nodes: readonly SelectionNode[]) => {
    for (const node of nodes) {
      if (node.kind === Kind.FIELD && node.name.value === 'nodes' && node.selectionSet) selections.push(...node.selectionSet.selections);
      else if (node.kind === Kind.INLINE_FRAGMENT) collect(node.selectionSet.selections);
      else if (node.kind === Kind.FRAGMENT_SPREAD && !visitedFragments.has(node.name.value)) {
        visitedFragments.add(node.name.value);
        const fragment = info.fragments[node.name.value];
        if (fragment) collect(fragment.selectionSet.selections);
      }
    }
  };
  for (const field of info.fieldNodes) collect(field.selectionSet?.selections ?? []);

  const rewrite = <T extends Parameters<typeof visit>[0]>(node: T, typeInfo: TypeInfo): T =>
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        Field(field: FieldNode) {
          if (NETWORK_NODE_FIELDS.includes(field.name.value) && typeInfo.getParentType() === networkNode) return null;
          // The network's own field below an owner's node (a ticket's agenda item's tickets): the owner gives the item's key instead.
          if (isNetworkField(typeInfo.getParentType()?.name, field.name.value)) return KEY_FIELD;
          return undefined;
        },
        NamedType(named) {
          return named.name.value === list.networkNodeType ? { ...named, name: { ...named.name, value: list.nodeType } } : undefined;
        },
      }),
    ) as T;
  const rewritten = rewrite({ kind: Kind.SELECTION_SET, selections } as const, new TypeInfo(schema, networkNode)).selections;

  // The fragments the selection spreads, transitively.
  const fragments: FragmentDefinitionNode[] = [];
  const pending = [...spreadNames(rewritten)];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name) || !info.fragments[name]) continue;
    seen.add(name);
    const fragment = rewrite(info.fragments[name], new TypeInfo(schema));
    fragments.push(fragment);
    pending.push(...spreadNames(fragment.selectionSet.selections));
  }
  const used = new Set<string>();
  visit({ kind: Kind.DOCUMENT, definitions: fragments.length > 0 ? fragments : [] } as DocumentNode, { Variable: (v) => void used.add(v.name.value) });
  visit({ kind: Kind.SELECTION_SET, selections: rewritten }, { Variable: (v) => void used.add(v.name.value) });
  const variableDefinitions = (info.operation as OperationDefinitionNode).variableDefinitions?.filter((d) => used.has(d.variable.name.value)) ?? [];
  const variables = Object.fromEntries(
    variableDefinitions
      .filter((d) => d.variable.name.value in info.variableValues)
      .map((d) => [d.variable.name.value, info.variableValues[d.variable.name.value]]),
  );
  return { selections: rewritten, fragments, variableDefinitions, variables };
}

function spreadNames(selections: readonly SelectionNode[]): string[] {
  const names: string[] = [];
  visit({ kind: Kind.SELECTION_SET, selections }, { FragmentSpread: (s) => void names.push(s.name.value) });
  return names;
}
