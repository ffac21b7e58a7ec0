// The dashboard's only data source: the gateway's public GraphQL API, one POST of the named
// operation in operations/dashboard-overview.graphql per refresh, exactly as an analyst would
// send it. The operation's text is bundled at build time.
import overviewOperation from '../../operations/dashboard-overview.graphql?raw';

export interface KeyCount {
  key: string;
  count: number;
}
export interface MonthCount {
  month: string;
  count: number;
  /** False for the current month, still running: its count is the count so far. */
  complete: boolean;
}
/** Service-level compliance in one month (PoiStats.slaCompliance). */
export interface SlaMonth {
  month: string;
  due: number;
  met: number;
  /** met / due; null when nothing was due. */
  share: number | null;
}
export interface PoiStats {
  libraryCount: number;
  branchCount: number;
  memberCount: number;
  activeContractCount: number;
  openTicketCount: number;
  medianResolutionHours: number | null;
  contractsExpiringWithin: number;
  ticketsByStatus: KeyCount[];
  ticketsByPriority: KeyCount[];
  ticketsOpenedPerMonth: MonthCount[];
  ticketsResolvedPerMonth: MonthCount[];
  librariesByProvince: KeyCount[];
  slaCompliance: SlaMonth[];
}
export interface ExpiringContract {
  id: string;
  endsOn: string;
  library: { id: string; name: string; province: string };
}
export interface SettingHarmonisation {
  setting: string;
  libraryCount: number;
  deviatingCount: number;
  /** Null when the POI has no current library with settings. */
  harmonisedShare: number | null;
}
export interface Poi {
  code: string;
  name: string;
  fullName: string;
  provinces: string[];
  /** Null when the POI's subgraph is down. */
  stats: PoiStats | null;
  /** Share (0–1) of (library, setting) pairs equal to the agreed standard; null when the POI or the standard is unavailable. */
  harmonisationScore: number | null;
  harmonisation: { settings: SettingHarmonisation[] } | null;
  expiringContracts: { totalCount: number; nodes: ExpiringContract[]; pageInfo: { hasNextPage: boolean } } | null;
}
export interface WorkAgendaItem {
  id: string;
  title: string;
  theme: string;
  status: string;
  dueOn: string | null;
  owner: { code: string; name: string } | null;
}
export interface ReleaseAcceptance {
  poi: { code: string; name: string };
  /** Null when that POI's subgraph is down or its figures are denied. */
  testStatus: string | null;
  plannedGoLiveOn: string | null;
  actualGoLiveOn: string | null;
}
export interface WiseRelease {
  version: string;
  releasedOn: string;
  status: string;
  acceptance: ReleaseAcceptance[];
}
export interface Overview {
  pois: Poi[];
  /** Null when the token may not read the shared work agenda (FORBIDDEN). */
  workAgenda: WorkAgendaItem[] | null;
  /** The release calendar; null when the token may not read it (FORBIDDEN). */
  wiseReleases: WiseRelease[] | null;
}
export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; poi?: string; [key: string]: unknown };
}

export interface OverviewVariables {
  province: string | null;
  today: string;
  until: string;
  expiringWithinDays: number;
  months: number;
}

export interface OverviewResult {
  data: Overview;
  /** Errors that came with the data, e.g. a POI whose subgraph is down. */
  errors: GraphQLError[];
  /** Codes of POIs reported unavailable (`extensions.poi`). */
  unavailable: Set<string>;
  /** Codes of POIs whose figures this token may not see (FORBIDDEN). */
  denied: Set<string>;
}

/**
 * Why there is nothing to show: the gateway is unreachable, it wants a (valid) token, the token
 * may not read the network overview, or it answered without data.
 */
export type FailureKind = 'unreachable' | 'unauthenticated' | 'forbidden' | 'failed';

export class FetchError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
  ) {
    super(message);
  }
}

export const OPERATION_NAME = 'DashboardOverview';
export const GRAPHQL_URL = '/graphql';

export async function fetchOverview(variables: OverviewVariables, token: string, signal?: AbortSignal): Promise<OverviewResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers,
      body: JSON.stringify({ operationName: OPERATION_NAME, query: overviewOperation, variables }),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new FetchError((error as Error).message, 'unreachable');
  }
  let body: { data?: Overview | null; errors?: GraphQLError[] };
  try {
    body = await response.json();
  } catch {
    throw new FetchError(`HTTP ${response.status}`, response.status >= 500 ? 'unreachable' : 'failed');
  }
  const errors = body.errors ?? [];
  const message = errors.map((e) => e.message).join('; ') || `HTTP ${response.status}`;
  if (response.status === 401) throw new FetchError(message, 'unauthenticated');
  if (!body.data?.pois) {
    const forbidden = errors.some((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.[0] === 'pois');
    throw new FetchError(message, forbidden ? 'forbidden' : 'failed');
  }
  const pois = body.data.pois;
  const denied = new Set(
    errors
      .filter((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.[0] === 'pois' && typeof e.path[1] === 'number' && e.path[2] === 'stats')
      .map((e) => pois[e.path![1] as number]?.code)
      .filter((code): code is string => typeof code === 'string'),
  );
  const unavailable = new Set(errors.map((e) => e.extensions?.poi).filter((code): code is string => typeof code === 'string'));
  // A POI with no figures is unavailable, whatever the error says, unless the token may not see them.
  for (const poi of pois) if (!poi.stats && !denied.has(poi.code)) unavailable.add(poi.code);
  return { data: { pois, workAgenda: body.data.workAgenda, wiseReleases: body.data.wiseReleases ?? null }, errors, unavailable, denied };
}
