import { randomUUID } from 'node:crypto';
import { generateSecrets } from '../../shared/auth/local-secrets';
import { createIdentitySigner } from '../../shared/auth/internal-token';
import { poiScope, type PoiPermission } from '../../shared/auth/identity';
import { MAX_PAGE_SIZE } from '../../shared/graphql/connection';
import { POIS, type Poi } from '../../shared/registry';
import { checkerIdentity, CHECKER_NAME, describeErrors, errorCode, SubgraphClient, type Answer, type Caller } from './client';
import { contractSdl, sdlProblems, typesOf } from './contract-sdl';

/** One check of the contract: its name, and what it verifies; it throws with the reason when the subgraph falls short. */
export interface Check {
  name: string;
  /** Resolves to what was verified (the PASS line's detail). */
  run(client: SubgraphClient): Promise<string>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Fails a check: `problems` are the reasons, the first few shown. */
function fail(problems: string[]): never {
  const shown = problems.slice(0, 5).join('; ');
  throw new Error(problems.length > 5 ? `${shown} (+${problems.length - 5} more)` : shown);
}
const failIf = (problems: string[]) => (problems.length ? fail(problems) : undefined);

/** The most items a connection walk reads; a longer list is checked over its first this many. */
const WALK_LIMIT = 2_000;
/** A walk in small pages has about this many pages, and pages of at least SMALL_PAGE items. */
const SMALL_WALK_PAGES = 20;
const SMALL_PAGE = 7;

/** A list of the POI's, with the arguments and node fields a check asks for. */
interface ListQuery {
  list: string;
  /** Extra arguments: name → [GraphQL type, value]. */
  args?: Record<string, [string, unknown]>;
  /** Node fields besides `id`. */
  node?: string;
}

interface Walk {
  totalCount: number;
  nodes: Record<string, any>[];
  /** True when the walk stopped at WALK_LIMIT with more pages to come. */
  truncated: boolean;
  problems: string[];
}

function pageQuery(poi: Poi, { list, args = {}, node = '' }: ListQuery): string {
  const declared = Object.entries(args)
    .map(([name, [type]]) => `, $${name}: ${type}`)
    .join('');
  const passed = Object.keys(args)
    .map((name) => `, ${name}: $${name}`)
    .join('');
  return `query ConformancePage($first: Int, $after: String${declared}) { ${poi.rootField} { ${list}(first: $first, after: $after${passed}) {
    totalCount nodes { id ${node} } pageInfo { hasNextPage endCursor } } } }`;
}

const argValues = (query: ListQuery) => Object.fromEntries(Object.entries(query.args ?? {}).map(([name, [, value]]) => [name, value]));

/**
 * Reads a list page by page, `after` the previous page's `endCursor`, and notes every page that
 * breaks the paging rules: more items than `first`, a short page that says more follow, a page
 * with items but no cursor, a totalCount that changes between pages.
 */
async function walk(client: SubgraphClient, query: ListQuery, first: number): Promise<Walk> {
  const text = pageQuery(client.poi, query);
  const result: Walk = { totalCount: -1, nodes: [], truncated: false, problems: [] };
  let after: string | null = null;
  for (let page = 1; ; page++) {
    const data = await client.data(text, { ...argValues(query), first, after });
    const connection = data[client.poi.rootField]?.[query.list];
    if (!connection) fail([`${query.list} is null on page ${page}`]);
    const { totalCount, nodes, pageInfo } = connection as {
      totalCount: number;
      nodes: Record<string, any>[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    const at = `${query.list} page ${page} (first: ${first})`;
    if (page === 1) result.totalCount = totalCount;
    else if (totalCount !== result.totalCount) result.problems.push(`${at}: totalCount changed from ${result.totalCount} to ${totalCount}`);
    if (nodes.length > first) result.problems.push(`${at}: ${nodes.length} items, more than first`);
    if (pageInfo.hasNextPage && nodes.length < first) result.problems.push(`${at}: hasNextPage is true after ${nodes.length} items`);
    if (nodes.length > 0 && !pageInfo.endCursor) result.problems.push(`${at}: items but no endCursor`);
    if (pageInfo.endCursor && pageInfo.endCursor === after) result.problems.push(`${at}: endCursor is the cursor it was asked after`);
    result.nodes.push(...nodes);
    // A page that cannot lead anywhere ends the walk (its problem is noted above).
    if (!pageInfo.hasNextPage || !pageInfo.endCursor || nodes.length === 0 || pageInfo.endCursor === after) return result;
    if (result.nodes.length >= WALK_LIMIT) return { ...result, truncated: true };
    after = pageInfo.endCursor;
  }
}

/** Ids that occur more than once. */
function duplicates(nodes: Record<string, any>[]): string[] {
  const seen = new Set<string>();
  return nodes.map((n) => String(n.id)).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

/** Where two walks of the same list differ: items one has and the other lacks, or another order. */
function sequenceProblems(list: string, reference: Walk, other: Walk, otherPage: number): string[] {
  const length = Math.min(reference.nodes.length, other.nodes.length);
  const ids = (w: Walk) => w.nodes.slice(0, reference.truncated || other.truncated ? length : undefined).map((n) => String(n.id));
  const [a, b] = [ids(reference), ids(other)];
  const missing = a.filter((id) => !b.includes(id));
  const extra = b.filter((id) => !a.includes(id));
  if (missing.length)
    return [`${list}: pages of ${otherPage} skip ${missing.length} item(s) that pages of ${MAX_PAGE_SIZE} return (ids ${missing.slice(0, 5).join(', ')})`];
  if (extra.length) return [`${list}: pages of ${otherPage} return item(s) that pages of ${MAX_PAGE_SIZE} do not (ids ${extra.slice(0, 5).join(', ')})`];
  const at = a.findIndex((id, i) => id !== b[i]);
  return at >= 0 ? [`${list}: pages of ${otherPage} give another order than pages of ${MAX_PAGE_SIZE} from item ${at + 1} on`] : [];
}

/** Every problem of one walk: its pages, duplicates, and (when walked to the end) totalCount against the items seen. */
function walkProblems(list: string, walked: Walk): string[] {
  const dupes = duplicates(walked.nodes);
  return [
    ...walked.problems,
    ...(dupes.length ? [`${list}: ids ${dupes.slice(0, 5).join(', ')} come more than once`] : []),
    ...(!walked.truncated && walked.nodes.length !== walked.totalCount
      ? [`${list}: totalCount is ${walked.totalCount} but paging returned ${walked.nodes.length} items`]
      : []),
  ];
}

/** The error a refused request must carry; `what`, when given, says what was asked. */
function expectRefused(answer: Answer, code: string, what?: string): string {
  const codes = (answer.errors ?? []).map(errorCode);
  if (!codes.includes(code))
    fail([`${what ? `${what}: ` : ''}expected ${code}, got ${answer.errors?.length ? describeErrors(answer.errors) : 'an answer without errors'}`]);
  return code;
}

/** The walk of a whole list in pages of 100 and in small pages, `first: 101` refused. */
function pagingCheck(list: string): Check {
  return {
    name: `paging: ${list}`,
    async run(client) {
      const reference = await walk(client, { list }, MAX_PAGE_SIZE);
      const small = Math.max(SMALL_PAGE, Math.ceil(Math.min(reference.totalCount, WALK_LIMIT) / SMALL_WALK_PAGES));
      const paged = await walk(client, { list }, small);
      failIf([...walkProblems(list, reference), ...walkProblems(list, paged), ...sequenceProblems(list, reference, paged, small)]);
      const tooMany = await client.post(pageQuery(client.poi, { list }), { first: MAX_PAGE_SIZE + 1 });
      expectRefused(tooMany, 'BAD_USER_INPUT', `${list}(first: ${MAX_PAGE_SIZE + 1})`);
      const scope = reference.truncated ? `the first ${paged.nodes.length} of ${reference.totalCount}` : `all ${reference.totalCount}`;
      return `${scope} items alike in pages of ${MAX_PAGE_SIZE} and of ${small}, no duplicates or gaps, hasNextPage/endCursor consistent; first: ${MAX_PAGE_SIZE + 1} refused`;
    },
  };
}

/** The values of one of the contract's enums, from the contract's SDL (the one source). */
function enumValues(poi: Poi, name: string): string[] {
  return [...(typesOf(contractSdl(poi)).get(name)?.values ?? [])];
}

/**
 * A filter condition splits a list: for each value, every item has that value and the counts of
 * all values add up to the whole list.
 */
function filterCheck(spec: { list: string; filterType: string; condition: string; field: string; values: (poi: Poi) => string[]; asList?: boolean }): Check {
  return {
    name: `filter: ${spec.list} by ${spec.condition}`,
    async run(client) {
      const whole = await walk(client, { list: spec.list }, MAX_PAGE_SIZE);
      const problems: string[] = [];
      let sum = 0;
      for (const value of spec.values(client.poi)) {
        const filter = { [spec.condition]: spec.asList ? [value] : value };
        const walked = await walk(client, { list: spec.list, args: { filter: [spec.filterType, filter] }, node: spec.field }, MAX_PAGE_SIZE);
        problems.push(...walkProblems(`${spec.list}(filter: ${JSON.stringify(filter)})`, walked));
        const wrong = walked.nodes.filter((n) => n[spec.field] !== value);
        if (wrong.length) problems.push(`${spec.list} with ${spec.condition} ${value} include ${spec.field} ${wrong[0][spec.field]} (id ${wrong[0].id})`);
        sum += walked.totalCount;
      }
      if (sum !== whole.totalCount) problems.push(`${spec.list}: the counts per ${spec.condition} add up to ${sum}, the whole list has ${whole.totalCount}`);
      failIf(problems);
      return `each of ${spec.values(client.poi).join(', ')} gives only its own items; together all ${whole.totalCount}`;
    },
  };
}

type Compare = (a: any, b: any) => number;
const byNumber: Compare = (a, b) => a - b;
const byCodeUnits: Compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const byCollation: Compare = new Intl.Collator('en', { sensitivity: 'base' }).compare;
const byId: Compare = (a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : byCodeUnits(a, b));

/** The first pair of neighbours out of order (by value, ties by id in the same direction), if any. */
function outOfOrder(nodes: Record<string, any>[], field: string, direction: 'ASC' | 'DESC', compare: Compare): string | undefined {
  const sign = direction === 'ASC' ? 1 : -1;
  for (let i = 1; i < nodes.length; i++) {
    const [a, b] = [nodes[i - 1], nodes[i]];
    const order = sign * compare(a[field], b[field]) || sign * byId(String(a.id), String(b.id));
    if (order >= 0) return `item ${i} (id ${a.id}, ${JSON.stringify(a[field])}) comes before item ${i + 1} (id ${b.id}, ${JSON.stringify(b[field])})`;
  }
  return undefined;
}

/**
 * A sort order holds over the whole list, ties broken by id in the same direction. Text may be
 * compared as the database does: by code units or case- and accent-insensitively, either passes.
 */
function orderCheck(spec: {
  list: string;
  orderType: string;
  orderBy?: { field: string; direction: 'ASC' | 'DESC' };
  default?: { field: string; direction: 'ASC' | 'DESC' };
  node: string;
  compare: Compare[];
}): Check {
  const order = spec.orderBy ?? spec.default!;
  return {
    name: `order: ${spec.list} by ${order.field} ${order.direction}${spec.orderBy ? '' : ' (default)'}`,
    async run(client) {
      const args = spec.orderBy ? { orderBy: [spec.orderType, spec.orderBy] as [string, unknown] } : undefined;
      const walked = await walk(client, { list: spec.list, args, node: spec.node }, MAX_PAGE_SIZE);
      const problems = walkProblems(spec.list, walked);
      const wrong = spec.compare.map((compare) => outOfOrder(walked.nodes, spec.node, order.direction, compare));
      if (wrong.every(Boolean)) problems.push(wrong[0]!);
      failIf(problems);
      return `${walked.nodes.length} items in order, ties by id`;
    },
  };
}

/** A caller lacking one scope asks for what that scope guards: FORBIDDEN, and no value at the refused path; with the scope, no refusal. */
function guardCheck(spec: { what: string; permission: PoiPermission; query: (poi: Poi) => string; variables?: Record<string, unknown> }): Check {
  return {
    name: `scope: poi:<code>:${spec.permission} guards ${spec.what}`,
    async run(client) {
      const query = spec.query(client.poi);
      const scope = poiScope(client.poi, spec.permission);
      const denied = await client.post(query, spec.variables, { without: spec.permission });
      const forbidden = (denied.errors ?? []).filter((e) => errorCode(e) === 'FORBIDDEN');
      if (!forbidden.length)
        fail([
          `a caller without ${scope} asked for ${spec.what} and got ${denied.errors?.length ? describeErrors(denied.errors) : 'it, without a FORBIDDEN error'}`,
        ]);
      const leaked = forbidden.filter((e) => e.path && valueAt(denied.data, e.path) != null);
      if (leaked.length) fail([`FORBIDDEN at ${leaked[0].path!.join('.')} but its value was served anyway`]);
      const allowed = await client.post(query, spec.variables);
      const refused = (allowed.errors ?? []).filter((e) => ['FORBIDDEN', 'UNAUTHENTICATED'].includes(errorCode(e)));
      if (refused.length) fail([`a caller with ${scope} was refused too: ${describeErrors(refused)}`]);
      return `FORBIDDEN without ${scope} (${forbidden.length} refused), served with it`;
    },
  };
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<any>((value, key) => (value == null ? undefined : value[key]), data);
}

/** A bad argument is refused with BAD_USER_INPUT. */
function badArgumentCheck(what: string, ask: (client: SubgraphClient) => Promise<Answer>): Check {
  return { name: `bad argument: ${what}`, run: async (client) => `refused with ${expectRefused(await ask(client), 'BAD_USER_INPUT')}` };
}

/** Writes an article; refused input for a ticket writes nothing. */
const CREATE_ARTICLE = (poi: Poi) =>
  `mutation ConformanceWrite($input: KnowledgeArticleInput!) { ${poi.rootField} { createKnowledgeArticle(input: $input) { id title } } }`;
const CREATE_TICKET = (poi: Poi) => `mutation ConformanceRefusedWrite($input: TicketInput!) { ${poi.rootField} { createTicket(input: $input) { id } } }`;
/** A ticket no POI can accept: its library id is no id. */
const BAD_TICKET = { libraryId: 'not-an-id', title: 'Conformance check: must be refused', category: 'CATALOGUE', priority: 'P4' };

const auditQuery = (poi: Poi) => `query ConformanceAudit { ${poi.rootField} { audit(entity: KNOWLEDGE_ARTICLE, first: 5) {
  totalCount nodes { actor via entity entityId action changes { field to } } } } }`;

/**
 * The contract, check by check, in the order they run. The write check runs before the paging
 * checks so that the audit trail has at least one entry to page through.
 */
export const CHECKS: readonly Check[] = [
  {
    name: 'schema: implements interface Poi and the shared types',
    async run(client) {
      const { _service } = await client.data('{ _service { sdl } }');
      failIf(sdlProblems(client.poi, _service.sdl));
      return `every type, field, argument and enum value of the contract, compatible; ${client.poi.typeName} @key(fields: "code")`;
    },
  },
  {
    name: 'entities: <Code>Poi resolved by code',
    async run(client) {
      const { poi } = client;
      const representations = [{ __typename: poi.typeName, code: poi.code }];
      const query = `query ConformanceEntities($r: [_Any!]!) { _entities(representations: $r) { __typename ... on ${poi.typeName} { code libraries(first: 0) { totalCount } } } }`;
      const {
        _entities: [entity],
      } = await client.data(query, { r: representations });
      const root = await client.data(`{ ${poi.rootField} { code libraries(first: 0) { totalCount } } }`);
      const own = root[poi.rootField];
      failIf([
        ...(entity?.__typename !== poi.typeName || entity?.code !== poi.code
          ? [`_entities answered ${JSON.stringify(entity)} for ${JSON.stringify(representations[0])}`]
          : []),
        ...(own?.code !== poi.code ? [`${poi.rootField} { code } is ${JSON.stringify(own?.code)}, not ${poi.code}`] : []),
        ...(entity?.libraries?.totalCount !== own?.libraries?.totalCount ? [`_entities and ${poi.rootField} disagree on libraries.totalCount`] : []),
      ]);
      return `${poi.typeName} ${poi.code} through _entities and ${poi.rootField}, the same data`;
    },
  },
  {
    name: 'auth: unsigned, wrongly signed or expired requests get 401',
    async run(client) {
      const query = `{ ${client.poi.rootField} { code } }`;
      const stranger = await (await createIdentitySigner(generateSecrets().gatewayPrivateKey))(checkerIdentity(client.poi), client.poi.subgraphName);
      const otherPoi = POIS.find((p) => p.code !== client.poi.code) ?? { subgraphName: 'collaboration' };
      const forOther = await client.token(undefined, otherPoi.subgraphName);
      const expired = await client.tokenSignedAt(Date.now() - 3_600_000);
      const cases: [string, Caller][] = [
        ['no token', 'unsigned'],
        ['a token signed with another key', { bearer: stranger }],
        [`the gateway's token for ${otherPoi.subgraphName}`, { bearer: forOther }],
        ['an expired token', { bearer: expired }],
      ];
      const problems: string[] = [];
      for (const [what, caller] of cases) {
        const answer = await client.post(query, {}, caller);
        if (answer.status !== 401) problems.push(`${what}: HTTP ${answer.status}${answer.data ? ' with data' : ''}`);
      }
      failIf(problems);
      return cases.map(([what]) => what).join(', ') + ': 401';
    },
  },
  guardCheck({
    what: "a contract's annualFee",
    permission: 'contracts',
    query: (poi) => `{ ${poi.rootField} { contracts(first: 5) { nodes { id annualFee noticePeriodMonths } } } }`,
  }),
  guardCheck({
    what: 'ordering contracts by ANNUAL_FEE',
    permission: 'contracts',
    query: (poi) => `{ ${poi.rootField} { contracts(first: 5, orderBy: { field: ANNUAL_FEE }) { nodes { id } } } }`,
  }),
  guardCheck({
    what: "a contract's serviceLevels",
    permission: 'contracts',
    query: (poi) => `{ ${poi.rootField} { contracts(first: 5, filter: { status: ACTIVE }) { nodes { id serviceLevels { priority responseHours } } } } }`,
  }),
  guardCheck({
    what: "a request's due moments",
    permission: 'contracts',
    query: (poi) => `{ ${poi.rootField} { tickets(first: 20) { nodes { id serviceLevel { responseDueAt resolutionDueAt } } } } }`,
  }),
  guardCheck({ what: "a vendor licence's annualFee", permission: 'contracts', query: (poi) => `{ ${poi.rootField} { vendorContracts { id annualFee } } }` }),
  guardCheck({ what: 'the audit trail', permission: 'read', query: (poi) => `{ ${poi.rootField} { audit(first: 1) { totalCount } } }` }),
  // A write that would be refused anyway: a subgraph that ignores the scope still writes nothing.
  guardCheck({ what: 'writes', permission: 'write', query: CREATE_TICKET, variables: { input: BAD_TICKET } }),
  {
    name: 'audit: a write is in the audit trail',
    async run(client) {
      const { poi } = client;
      const before = (await client.data(auditQuery(poi)))[poi.rootField].audit;
      const title = `Conformance check ${randomUUID()}`;
      const input = {
        title,
        summary: 'Written by npm run poi:conformance.',
        body: 'A harmless article, written to see the audit trail record it.',
        tags: ['conformance'],
        source: CHECKER_NAME,
      };
      const created = (await client.data(CREATE_ARTICLE(poi), { input }))[poi.rootField].createKnowledgeArticle;
      if (!created?.id) fail([`createKnowledgeArticle answered ${JSON.stringify(created)}`]);
      const after = (await client.data(auditQuery(poi)))[poi.rootField].audit;
      const entry = after.nodes[0];
      const expected = { actor: CHECKER_NAME, via: 'mutation', entity: 'KNOWLEDGE_ARTICLE', entityId: String(created.id), action: 'CREATE' };
      const problems =
        after.totalCount === before.totalCount + 1 ? [] : [`audit totalCount went from ${before.totalCount} to ${after.totalCount} after one write`];
      if (!entry) fail([...problems, 'the audit trail has no entry for the write']);
      for (const [field, value] of Object.entries(expected)) {
        if (String(entry[field]) !== value) problems.push(`the newest entry's ${field} is ${JSON.stringify(entry[field])}, expected ${JSON.stringify(value)}`);
      }
      if (!entry.changes?.some((c: { field: string; to: string | null }) => c.field === 'title' && c.to === JSON.stringify(title)))
        problems.push('the entry does not record the new title');
      failIf(problems);
      return `createKnowledgeArticle ${created.id} recorded: actor ${CHECKER_NAME}, CREATE, its fields`;
    },
  },
  ...['libraries', 'contracts', 'tickets', 'knowledgeArticles', 'audit'].map(pagingCheck),
  filterCheck({ list: 'libraries', filterType: 'LibraryFilter', condition: 'province', field: 'province', values: (poi) => poi.provinces }),
  filterCheck({ list: 'contracts', filterType: 'ContractFilter', condition: 'status', field: 'status', values: (poi) => enumValues(poi, 'ContractStatus') }),
  filterCheck({
    list: 'tickets',
    filterType: 'TicketFilter',
    condition: 'status',
    field: 'status',
    values: (poi) => enumValues(poi, 'TicketStatus'),
    asList: true,
  }),
  filterCheck({
    list: 'tickets',
    filterType: 'TicketFilter',
    condition: 'priority',
    field: 'priority',
    values: (poi) => enumValues(poi, 'TicketPriority'),
    asList: true,
  }),
  orderCheck({ list: 'libraries', orderType: 'LibraryOrder', default: { field: 'NAME', direction: 'ASC' }, node: 'name', compare: [byCodeUnits, byCollation] }),
  orderCheck({ list: 'libraries', orderType: 'LibraryOrder', orderBy: { field: 'NAME', direction: 'ASC' }, node: 'name', compare: [byCodeUnits, byCollation] }),
  orderCheck({ list: 'libraries', orderType: 'LibraryOrder', orderBy: { field: 'MEMBER_COUNT', direction: 'DESC' }, node: 'memberCount', compare: [byNumber] }),
  orderCheck({ list: 'contracts', orderType: 'ContractOrder', default: { field: 'ENDS_ON', direction: 'ASC' }, node: 'endsOn', compare: [byCodeUnits] }),
  orderCheck({ list: 'tickets', orderType: 'TicketOrder', default: { field: 'OPENED_AT', direction: 'DESC' }, node: 'openedAt', compare: [byCodeUnits] }),
  orderCheck({ list: 'tickets', orderType: 'TicketOrder', orderBy: { field: 'PRIORITY', direction: 'ASC' }, node: 'priority', compare: [byCodeUnits] }),
  badArgumentCheck('after: a made-up cursor', (client) => client.post(pageQuery(client.poi, { list: 'libraries' }), { first: 5, after: 'bm90LWEtY3Vyc29y' })),
  badArgumentCheck('after: a cursor of another list', async (client) => {
    const { pageInfo } = (await client.data(pageQuery(client.poi, { list: 'libraries' }), { first: 1 }))[client.poi.rootField].libraries;
    return client.post(pageQuery(client.poi, { list: 'tickets' }), { first: 5, after: pageInfo.endCursor });
  }),
  badArgumentCheck('first: -1', (client) => client.post(pageQuery(client.poi, { list: 'tickets' }), { first: -1 })),
  badArgumentCheck('a DateTime filter that is no date', (client) => {
    const query: ListQuery = { list: 'tickets', args: { filter: ['TicketFilter', { openedAfter: '2026-13-45T00:00:00Z' }] } };
    return client.post(pageQuery(client.poi, query), { ...argValues(query), first: 5 });
  }),
  badArgumentCheck('a write naming a library id that is no id', (client) => client.post(CREATE_TICKET(client.poi), { input: BAD_TICKET })),
];

/** Runs every check against one POI's running subgraph, in order; a failing check does not stop the others. */
export async function runConformance(target: { poi: Poi; url: string; signingKey: string }, checks: readonly Check[] = CHECKS): Promise<CheckResult[]> {
  const client = await SubgraphClient.create(target.poi, target.url, target.signingKey);
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      results.push({ name: check.name, ok: true, detail: await check.run(client) });
    } catch (error) {
      results.push({ name: check.name, ok: false, detail: (error as Error).message });
    }
  }
  return results;
}

/** One line per check: `PASS  name: detail` or `FAIL  name: reason`. */
export const formatResult = (result: CheckResult) => `${result.ok ? 'PASS' : 'FAIL'}  ${result.name}: ${result.detail}`;
