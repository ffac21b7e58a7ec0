import DataLoader from 'dataloader';
import type { PageRequest, Sorted, SortOrder } from '../shared/graphql/connection';
import { loaderById, loaderOfGroups, once } from '../shared/loaders';
import type { Ticket } from './entities';
import type { PoiRepository } from './repository';
import type { TicketFilter } from './generated/resolvers';
import type { WiseSettingValues } from '../shared/wise-settings';

/** One value (a loader, a query's promise) per distinct set of arguments, made on first use within the request. */
function perArguments<A, R>(create: (args: A) => R): (args: A) => R {
  const made = new Map<string, R>();
  return (args) => {
    const key = JSON.stringify(args);
    let value = made.get(key);
    if (!value) made.set(key, (value = create(args)));
    return value;
  };
}

/**
 * The loaders of one kind of group's tickets (a library's, a release's): `ticketCountBy<Group>`
 * and `ticketPageBy<Group>`, one per distinct filter (and order and page), each batching every
 * group asked for in one statement.
 */
function ticketGroupLoaders<G extends string, K>(
  group: G,
  counts: (keys: readonly K[], filter: TicketFilter) => Promise<Map<K, number>>,
  pages: (keys: readonly K[], filter: TicketFilter, sort: SortOrder, page: PageRequest) => Promise<Sorted<Ticket>[]>,
  groupOf: (ticket: Ticket) => K,
) {
  const count = perArguments(
    (filter: TicketFilter) =>
      new DataLoader<K, number>(async (keys) => {
        const found = await counts(keys, filter);
        return keys.map((key) => found.get(key) ?? 0);
      }),
  );
  const page = perArguments(({ filter, sort, page }: { filter: TicketFilter; sort: SortOrder; page: PageRequest }) =>
    loaderOfGroups<K, Sorted<Ticket>>((keys) => pages(keys, filter, sort, page), groupOf),
  );
  return { [`ticketCountBy${group}`]: count, [`ticketPageBy${group}`]: page } as Record<`ticketCountBy${G}`, typeof count> &
    Record<`ticketPageBy${G}`, typeof page>;
}

/** Per-request loaders of a POI subgraph: every relation is batched, nothing is shared between requests. */
export function createPoiLoaders(repository: PoiRepository) {
  const statsSummary = once(() => repository.statsSummary());
  return {
    libraryById: loaderById(
      (ids: readonly number[]) => repository.librariesByIds(ids),
      (l) => l.id,
    ),
    branchesByLibrary: loaderOfGroups(
      (ids: readonly number[]) => repository.branchesByLibraryIds(ids),
      (b) => b.libraryId,
    ),
    contractsByLibrary: loaderOfGroups(
      (ids: readonly number[]) => repository.contractsByLibraryIds(ids),
      (c) => c.libraryId,
    ),
    serviceLevelsByContract: loaderOfGroups(
      (ids: readonly number[]) => repository.serviceLevelsByContractIds(ids),
      (s) => s.contractId,
    ),
    /** The service levels that apply to each request (null: none), for its due moments and slaBreached. */
    termsByTicket: loaderById(
      (ids: readonly number[]) => repository.termsByTicketIds(ids),
      (t) => t.ticketId,
    ),
    /** Libraries counting (or paging) the same kind of tickets share one GROUP BY (or windowed) query. */
    ...ticketGroupLoaders(
      'Library',
      (ids: readonly number[], filter) => repository.ticketCountsByLibraryIds(ids, filter),
      (ids, filter, sort, page) => repository.ticketPagesByLibraryIds(ids, filter, sort, page),
      (t) => t.libraryId,
    ),
    releaseAcceptanceByVersion: loaderById(
      (versions: readonly string[]) => repository.releaseAcceptancesByVersions(versions),
      (a) => a.releaseVersion,
    ),
    /** The same for the tickets linked to each release. */
    ...ticketGroupLoaders(
      'Release',
      (versions: readonly string[], filter) => repository.ticketCountsByReleaseVersions(versions, filter),
      (versions, filter, sort, page) => repository.ticketPagesByReleaseVersions(versions, filter, sort, page),
      (t) => t.releaseVersion ?? '',
    ),
    librarySettingsByLibrary: loaderById(
      (ids: readonly number[]) => repository.librarySettingsByIds(ids),
      (s) => s.libraryId,
    ),
    /** One aggregate per request for every setting of the view and the score alike (per standard; the same one in practice). */
    harmonisationCounts: perArguments((standard: WiseSettingValues) => repository.harmonisationCounts(standard)),
    statsSummary,
    medianResolutionHours: once(async () => repository.medianResolutionHours((await statsSummary()).resolvedTicketCount)),
  };
}

export type PoiLoaders = ReturnType<typeof createPoiLoaders>;
