import DataLoader from 'dataloader';
import type { PageRequest, Sorted, SortOrder } from '../shared/graphql/connection';
import { loaderById, loaderOfGroups, once } from '../shared/loaders';
import type { Ticket } from './entities';
import type { PoiRepository } from './repository';
import type { TicketFilter } from './generated/resolvers';

/** One loader per distinct set of arguments, made on first use within the request. */
function loaderPerArguments<A, K, V>(create: (args: A) => DataLoader<K, V>): (args: A) => DataLoader<K, V> {
  const loaders = new Map<string, DataLoader<K, V>>();
  return (args) => {
    const key = JSON.stringify(args);
    let loader = loaders.get(key);
    if (!loader) loaders.set(key, (loader = create(args)));
    return loader;
  };
}

/** Per-request loaders of a POI subgraph: every relation is batched, nothing is shared between requests. */
export function createPoiLoaders(repository: PoiRepository) {
  const statsSummary = once(() => repository.statsSummary());
  return {
    libraryById: loaderById((ids: readonly number[]) => repository.librariesByIds(ids), (l) => l.id),
    branchesByLibrary: loaderOfGroups((ids: readonly number[]) => repository.branchesByLibraryIds(ids), (b) => b.libraryId),
    contractsByLibrary: loaderOfGroups((ids: readonly number[]) => repository.contractsByLibraryIds(ids), (c) => c.libraryId),
    /** Libraries counting the same kind of tickets share one GROUP BY query. */
    ticketCountByLibrary: loaderPerArguments(
      (filter: TicketFilter) =>
        new DataLoader<number, number>(async (ids) => {
          const counts = await repository.ticketCountsByLibraryIds(ids, filter);
          return ids.map((id) => counts.get(id) ?? 0);
        }),
    ),
    /** Libraries asking for the same page of their tickets share one windowed query. */
    ticketPageByLibrary: loaderPerArguments(({ filter, sort, page }: { filter: TicketFilter; sort: SortOrder; page: PageRequest }) =>
      loaderOfGroups<number, Sorted<Ticket>>((ids) => repository.ticketPagesByLibraryIds(ids, filter, sort, page), (t) => t.libraryId),
    ),
    releaseAcceptanceByVersion: loaderById((versions: readonly string[]) => repository.releaseAcceptancesByVersions(versions), (a) => a.releaseVersion),
    /** Releases counting (and paging) their linked tickets alike share one query. */
    ticketCountByRelease: loaderPerArguments(
      (filter: TicketFilter) =>
        new DataLoader<string, number>(async (versions) => {
          const counts = await repository.ticketCountsByReleaseVersions(versions, filter);
          return versions.map((version) => counts.get(version) ?? 0);
        }),
    ),
    ticketPageByRelease: loaderPerArguments(({ filter, sort, page }: { filter: TicketFilter; sort: SortOrder; page: PageRequest }) =>
      loaderOfGroups<string, Sorted<Ticket>>((versions) => repository.ticketPagesByReleaseVersions(versions, filter, sort, page), (t) => t.releaseVersion ?? ''),
    ),
    statsSummary,
    medianResolutionHours: once(async () => repository.medianResolutionHours((await statsSummary()).resolvedTicketCount)),
  };
}

export type PoiLoaders = ReturnType<typeof createPoiLoaders>;
