import { POIS } from '../../shared/registry';

/** One GraphQL request to one subgraph, as the gateway's query plan sends it. */
export interface SubgraphOperation {
  subgraph: string;
  operationName: string;
  query: string;
}

/** A POI subgraph's `_entities` fetch; its representations are that POI's entries in the registry fetch's `pois`. */
export interface EntityOperation extends SubgraphOperation {
  typeName: string;
}

/**
 * The same work as a gateway request, sent straight to the subgraphs: `first`, then every
 * `entities` fetch at once. Written by hand after the gateway's query plan (README "Query
 * plans"); test/bench-statements.test.ts checks it still is that plan.
 */
export interface LimitPlan {
  first: SubgraphOperation;
  entities: EntityOperation[];
}

export type ScenarioKey = 'A' | 'B' | 'C' | 'D';
export type TargetKey = 'limit' | 'gateway' | 'hive' | 'cachedGateway';

export interface Scenario {
  key: ScenarioKey;
  title: string;
  query: string;
  targets: readonly TargetKey[];
  limit?: LimitPlan;
  /** What is wrong with a response's `data`, or undefined when it has what the query asks for. */
  checkData(data: unknown): string | undefined;
}

const STATS = 'libraryCount branchCount memberCount activeContractCount openTicketCount medianResolutionHours contractsExpiringWithin(days: 180)';

export const NETWORK_OVERVIEW_QUERY = `query BenchNetworkOverview { pois { code name stats { ${STATS} } } }`;
export const ANALYST_DEEP_QUERY =
  'query BenchAnalystDeep { pois { code libraries(first: 100) { nodes { name branches { name city } contract { status endsOn } tickets { totalCount } } } } }';
export const SINGLE_POI_QUERY = `query BenchSinglePoi { cubiss { libraries(first: 20) { nodes { name memberCount } } } }`;

/** The collaboration fetch that starts every `pois` plan: the registry fields asked for, and each POI's key. */
function registryFetch(operation: string, registryFields: string): SubgraphOperation {
  const keys = POIS.map((poi) => `... on ${poi.typeName} { __typename code }`).join(' ');
  return {
    subgraph: 'collaboration',
    operationName: `${operation}__collaboration__0`,
    query: `query ${operation}__collaboration__0 { pois { __typename code ${registryFields} ${keys} } }`,
  };
}

/** One `_entities` fetch per POI subgraph, numbered in the plan's order. */
function poiEntityFetches(operation: string, selection: string): EntityOperation[] {
  return POIS.map((poi, index) => {
    const operationName = `${operation}__${poi.subgraphName}__${index + 1}`;
    return {
      subgraph: poi.subgraphName,
      typeName: poi.typeName,
      operationName,
      query: `query ${operationName}($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${poi.typeName} { ${selection} } } }`,
    };
  });
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function poisIn(data: unknown): Json[] | string {
  const pois = isObject(data) ? data.pois : undefined;
  if (!Array.isArray(pois) || pois.length !== POIS.length || !pois.every(isObject)) return `expected ${POIS.length} POIs`;
  return pois;
}

function checkOverview(data: unknown): string | undefined {
  const pois = poisIn(data);
  if (typeof pois === 'string') return pois;
  const bad = pois.find((poi) => !isObject(poi.stats) || !Number.isInteger(poi.stats.libraryCount) || Number(poi.stats.libraryCount) <= 0);
  return bad ? `POI ${String(bad.code)} has no stats` : undefined;
}

const hasLibraryNodes = (connection: unknown) => isObject(connection) && Array.isArray(connection.nodes) && connection.nodes.length > 0;

function checkDeep(data: unknown): string | undefined {
  const pois = poisIn(data);
  if (typeof pois === 'string') return pois;
  const bad = pois.find((poi) => !hasLibraryNodes(poi.libraries));
  return bad ? `POI ${String(bad.code)} has no libraries` : undefined;
}

function checkSinglePoi(data: unknown): string | undefined {
  return isObject(data) && isObject(data.cubiss) && hasLibraryNodes(data.cubiss.libraries) ? undefined : 'expected Cubiss libraries';
}

export const SCENARIOS: readonly Scenario[] = [
  {
    key: 'A',
    title: 'network overview',
    query: NETWORK_OVERVIEW_QUERY,
    targets: ['limit', 'gateway', 'hive'],
    limit: {
      first: registryFetch('BenchNetworkOverview', 'name'),
      entities: poiEntityFetches('BenchNetworkOverview', `stats { ${STATS} }`),
    },
    checkData: checkOverview,
  },
  {
    key: 'B',
    title: 'analyst deep query',
    query: ANALYST_DEEP_QUERY,
    targets: ['limit', 'gateway', 'hive'],
    limit: {
      first: registryFetch('BenchAnalystDeep', ''),
      // Each POI has its own contract type, so the plan asks for the contract's __typename.
      entities: poiEntityFetches(
        'BenchAnalystDeep',
        'libraries(first: 100) { nodes { name branches { name city } contract { __typename status endsOn } tickets { totalCount } } }',
      ),
    },
    checkData: checkDeep,
  },
  {
    key: 'C',
    title: 'single-POI lookup',
    query: SINGLE_POI_QUERY,
    targets: ['limit', 'gateway', 'hive'],
    limit: {
      first: {
        subgraph: 'cubiss',
        operationName: 'BenchSinglePoi__cubiss__0',
        query: 'query BenchSinglePoi__cubiss__0 { cubiss { libraries(first: 20) { nodes { name memberCount } } } }',
      },
      entities: [],
    },
    checkData: checkSinglePoi,
  },
  {
    key: 'D',
    title: 'network overview, response cache',
    query: NETWORK_OVERVIEW_QUERY,
    targets: ['cachedGateway'],
    checkData: checkOverview,
  },
];

/** The representations an entity fetch sends: its POI's entries of the registry answer, as `{ __typename, code }`. */
export function representationsFor(operation: EntityOperation, firstData: unknown): { __typename: string; code: string }[] {
  const pois = isObject(firstData) && Array.isArray(firstData.pois) ? firstData.pois : [];
  return pois
    .filter((poi): poi is Json => isObject(poi) && poi.__typename === operation.typeName)
    .map((poi) => ({ __typename: operation.typeName, code: String(poi.code) }));
}
