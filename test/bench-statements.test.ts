/**
 * The queries of `npm run bench` (bench/load/scenarios.ts) through the gateway: SQL statements
 * per request stay within bench/statement-budget.json, per subgraph (an N+1 over a POI's
 * libraries would blow it), and are the same at seed scale 1 and 3, which has three times the
 * tickets and contract history (an N+1 over those would differ). Also checks that the bench's
 * hand-written "limit" still sends exactly the fetches of the gateway's query plan.
 */
import { parse, print } from 'graphql';
// The planner the gateway runs (both ship with @apollo/gateway), with the gateway's default options.
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { PlanNode, QueryPlanner } from '@apollo/query-planner';
import { servableSupergraph } from '../gateway/src/supergraph-file';
import budget from '../bench/statement-budget.json';
import { LimitPlan, SCENARIOS } from '../bench/load/scenarios';
import { Stack, startStack } from './helpers/stack';

const REQUESTS = 3;
/** D is A's query again, for the response cache: not a plan or a statement count of its own. */
const measured = SCENARIOS.filter((s) => s.key !== 'D');
const budgets: Record<string, Record<string, number>> = budget;

let small: Stack;
let large: Stack;

beforeAll(async () => {
  // Every request must reach the databases: no response cache.
  const env = { RESPONSE_CACHE: 'off' };
  [small, large] = await Promise.all([startStack({ seedScale: 1, env }), startStack({ seedScale: 3, env })]);
});

afterAll(async () => {
  await Promise.all([small?.stop(), large?.stop()]);
});

/** Statements per request per subgraph (subgraphs with none left out), after one unmeasured request. */
async function statementsPerRequest(stack: Stack, query: string): Promise<Record<string, number>> {
  const send = async () => {
    const response = await stack.query(query);
    expect({ status: response.status, errors: response.errors }).toEqual({ status: 200, errors: undefined });
  };
  await send();
  const before = stack.statementCounts();
  for (let i = 0; i < REQUESTS; i++) await send();
  const after = stack.statementCounts();
  return Object.fromEntries(Object.keys(after).flatMap((name) => (after[name] > before[name] ? [[name, (after[name] - before[name]) / REQUESTS]] : [])));
}

/** Every subgraph of the budget ran SQL (nothing answered from a cache), none more than its budget allows. */
function expectBudget(key: string, measured: Record<string, number>) {
  const allowed = budgets[key];
  expect(allowed).toBeDefined();
  expect(Object.keys(measured).sort()).toEqual(Object.keys(allowed).sort());
  const over = Object.entries(measured).filter(([subgraph, count]) => count > (allowed[subgraph] ?? 0));
  expect({ scenario: key, measured, over }).toEqual({ scenario: key, measured, over: [] });
}

/** Measures a query at seed scale 1 and 3 (the same statements at both) and holds it to budget `key`. */
async function expectWithinBudget(key: string, atSmall: string, atLarge = atSmall): Promise<void> {
  const [atScale1, atScale3] = await Promise.all([statementsPerRequest(small, atSmall), statementsPerRequest(large, atLarge)]);
  expect(atScale3).toEqual(atScale1);
  expectBudget(key, atScale1);
}

describe('SQL statements per request of the bench scenarios', () => {
  it.each(measured.map((s) => [s.key, s.title, s] as const))('%s (%s) stays within its budget, the same at seed scale 1 and 3', (key, _title, scenario) =>
    expectWithinBudget(key, scenario.query),
  );
});

/**
 * Network lists (gateway/src/network): a page of `first: 100` asks each POI for at most 100 items
 * after its own position, so its statements per POI are the same at every seed scale: the first
 * page, and a later one (which also asks the POIs whose page was only partly taken for their
 * cursor). Budgets `network-first` and `network-next` per POI subgraph.
 */
const NETWORK_PAGE = (after: string | null) =>
  `query BenchNetworkTickets { network { tickets(orderBy: { field: OPENED_AT, direction: ASC }, first: 100${after ? `, after: "${after}"` : ''}) {
    totalCount nodes { reference priority library { name } poi { code } } pageInfo { endCursor } } } }`;

/**
 * The network's knowledge search: per POI its term statistics, then its page (with count) scored
 * with the network's, then, when its page was only partly taken, its cursor. Budget `network-knowledge`.
 */
const KNOWLEDGE_PAGE = `query BenchNetworkKnowledge { network { knowledgeSearch(text: "reserveringen", first: 2) {
    totalCount nodes { title score publishers { code } } pageInfo { endCursor } } } }`;

describe('SQL statements per page of a network list', () => {
  const secondPage = async (stack: Stack) => NETWORK_PAGE((await stack.query(NETWORK_PAGE(null))).data.network.tickets.pageInfo.endCursor);
  it('network-first stays within its budget, the same at seed scale 1 and 3', () => expectWithinBudget('network-first', NETWORK_PAGE(null)));
  it('network-next stays within its budget, the same at seed scale 1 and 3', async () =>
    expectWithinBudget('network-next', await secondPage(small), await secondPage(large)));
  it('network-knowledge stays within its budget, the same at seed scale 1 and 3', () => expectWithinBudget('network-knowledge', KNOWLEDGE_PAGE));
});

/** The Wise functional-management work: one query and one budget each. */
const WISE_WORK: Record<string, string> = {
  // Wise platforms (collaboration) with their nested lists, and a POI's libraries pointing to them:
  // the platforms' POIs, migrations and successors load by DataLoader (one statement each, whatever
  // the number of platforms), and the libraries' platforms are one entity fetch to the collaboration.
  'wise-platforms': `query BenchWisePlatforms { wisePlatforms { code name pois { code } migrations { migratedOn poi { code } } succeededBy { name } }
    cubiss { libraries(first: 100) { nodes { name wisePlatform { code name migrations { migratedOn } } } } } }`,
  // Service levels: compliance per month is one GROUP BY per POI whatever the months, and a page of
  // tickets with their due moments and slaBreached loads the terms of the whole page in one
  // statement (a DataLoader), next to the page and its libraries.
  'service-levels': `query BenchServiceLevels {
    pois { code stats { slaCompliance(months: 24, type: [INCIDENT], priority: [P1, P2]) { month due met share } } }
    cubiss { tickets(first: 100) { nodes { reference slaBreached serviceLevel { responseDueAt resolutionDueAt } library { name } } } } }`,
};

describe('SQL statements of the Wise work', () => {
  it.each(Object.entries(WISE_WORK))('%s stays within its budget, the same at seed scale 1 and 3', (key, query) => expectWithinBudget(key, query));
});

/**
 * A work-agenda item's tickets (WorkAgendaItem.tickets, merged in the gateway): one network list
 * per item, so per POI at most a network page's 4 statements per item, whatever the seed scale
 * (fewer where a POI has none of an item's tickets, which the scale changes): budget
 * `agenda-tickets` = 4 × the 4 harmonisation items per POI, one statement for the agenda itself.
 * A statistics window (medianResolutionHours(from, to)): one COUNT and one read of the middle
 * rows, budget `stats-window`.
 */
const AGENDA_TICKETS = `query BenchAgendaTickets { workAgenda(theme: HARMONISATION) { id tickets(first: 5) { totalCount nodes { reference library { name } poi { code } } } } }`;
const STATS_WINDOW = `query BenchStatsWindow { cubiss { stats { medianResolutionHours(from: "2020-01-01", to: "2199-12-31") } } }`;

describe("SQL statements of a work-agenda item's tickets and of a statistics window", () => {
  it.each([
    ['agenda-tickets', AGENDA_TICKETS],
    ['stats-window', STATS_WINDOW],
  ] as const)('%s stays within its budget at seed scale 1 and 3', async (key, query) => {
    const { workAgenda } = (await small.query('{ workAgenda(theme: HARMONISATION) { id } }')).data;
    expect(workAgenda).toHaveLength(4);
    for (const measured of await Promise.all([statementsPerRequest(small, query), statementsPerRequest(large, query)])) expectBudget(key, measured);
  });
});

/**
 * The release calendar (dashboard, operations/release-acceptance-open.graphql): every release with
 * every POI's acceptance and its linked tickets with their library. Each POI resolves all the
 * releases' acceptances, ticket counts, ticket pages and libraries in one batched statement each
 * (budget `release-calendar`), the same at every seed scale.
 */
const RELEASE_CALENDAR = `query BenchReleaseCalendar { wiseReleases { version releasedOn status
  acceptance { poi { code } testStatus plannedGoLiveOn actualGoLiveOn tickets(first: 5) { totalCount nodes { reference library { name } } } } } }`;

describe('SQL statements of the release calendar', () => {
  it('stays within its budget, the same at seed scale 1 and 3', async () => {
    const [atScale1, atScale3] = await Promise.all([statementsPerRequest(small, RELEASE_CALENDAR), statementsPerRequest(large, RELEASE_CALENDAR)]);
    expect(atScale3).toEqual(atScale1);
    const allowed = budgets['release-calendar'];
    expect(Object.keys(atScale1).sort()).toEqual(Object.keys(allowed).sort());
    const over = Object.entries(atScale1).filter(([subgraph, count]) => count > (allowed[subgraph] ?? 0));
    expect({ measured: atScale1, over }).toEqual({ measured: atScale1, over: [] });
  });
});

const fetchText = (subgraph: string, operation: string) => `${subgraph}: ${print(parse(operation))}`;

/** A plan as stages run one after another, each stage the fetches that run at once. */
function stagesOf(node: PlanNode): string[][] {
  switch (node.kind) {
    case 'Fetch':
      return [[fetchText(node.serviceName, node.operation)]];
    case 'Flatten':
      return stagesOf(node.node);
    case 'Sequence':
      return node.nodes.flatMap(stagesOf);
    case 'Parallel':
      return [node.nodes.flatMap((child) => stagesOf(child).flat()).sort()];
    default:
      throw new Error(`unexpected plan node ${node.kind}`);
  }
}

const limitStages = (plan: LimitPlan): string[][] => [
  [fetchText(plan.first.subgraph, plan.first.query)],
  ...(plan.entities.length > 0 ? [plan.entities.map((e) => fetchText(e.subgraph, e.query)).sort()] : []),
];

describe("the bench's limit", () => {
  it.each(measured.map((s) => [s.key, s] as const))("of %s sends exactly the fetches of the gateway's query plan", (_key, scenario) => {
    const supergraph = Supergraph.build(servableSupergraph(small.supergraphSdl));
    const plan = new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(scenario.query)));
    if (!plan.node || plan.node.kind === 'Subscription') throw new Error(`no query plan for ${scenario.key}`);
    expect(limitStages(scenario.limit!)).toEqual(stagesOf(plan.node));
  });
});

/**
 * Settings harmonisation (test/harmonisation.test.ts): the whole view over every POI, each
 * deviating library with its settings. Per POI one aggregate for every setting's counts and the
 * score, and one page query per setting (four, however many libraries), which brings the listed
 * libraries' settings along: 1 + 4 = 5 statements whatever the data size, on both engines; the
 * collaboration reads the agreed standard once for all four POIs. Budget `harmonisation`, the same
 * at seed scale 1 and 3.
 */
const HARMONISATION = `query BenchHarmonisation { pois { code harmonisationScore harmonisation { settings { setting libraryCount deviatingCount harmonisedShare
  deviatingLibraries(first: 50) { totalCount nodes { name settings { values { loanPeriodDays reservationFeeCents membershipFeeTypes finePolicy { kind perDayCents } } version } } } } } } }`;

describe('SQL statements of the harmonisation view', () => {
  it('sends the same statements at seed scale 1 and 3, within its budget', () => expectWithinBudget('harmonisation', HARMONISATION));
});
